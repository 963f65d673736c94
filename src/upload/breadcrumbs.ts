/**
 * The bundle's last log lines as Sentry breadcrumbs, oldest first (the story in Sentry's UI).
 * Breadcrumb levels are Sentry's (debug, info, warning, error, fatal: the event schema's `Level`);
 * `timestamp` is the line's own time. A plain text line that the log parser could not read (a
 * sidecar's output, a crash report) still carries its level word and time stamp somewhere near
 * its start (`[2026-11-20 10:00:01] ERROR ...`, `WARN  codex::x: ...`): they are looked for there.
 */
import type { Breadcrumb, SeverityLevel } from '@sentry/core';
import { capChars, MAX_BREADCRUMB_CATEGORY_CHARS, MAX_MESSAGE_CHARS } from './ingest-limits.js';

const LEVELS: Record<string, SeverityLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
  fatal: 'fatal',
};

/**
 * Level words as plain text lines write them, most severe first: upper case (`ERROR`, `WARN`), or
 * any case when marked as a level (`[error]`, `level=warn`, `<Warning>`). A lower-case word in a
 * sentence ("no error") says nothing.
 */
const TEXT_LEVELS: ReadonlyArray<[string, SeverityLevel]> = [
  ['FATAL|PANIC|PANICKED|CRITICAL|CRIT', 'fatal'],
  ['ERROR|ERR|SEVERE', 'error'],
  ['WARN|WARNING', 'warning'],
  ['INFO|NOTICE', 'info'],
  ['DEBUG|TRACE|VERBOSE', 'debug'],
];
const TEXT_LEVEL_PATTERNS: ReadonlyArray<[RegExp, RegExp, SeverityLevel]> = TEXT_LEVELS.map(([words, level]) => [
  new RegExp(`\\b(?:${words})\\b`),
  new RegExp(`(?:\\[|<|level=|lvl=)(?:${words})(?:\\]|>|\\b)`, 'i'),
  level,
]);

/** An ISO-8601-like date and time (`2026-11-20T10:00:01.123Z`, `2026-11-20 10:00:01`, with or without zone). */
const TEXT_TIME = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:[.,]\d+)?)(Z|[+-]\d{2}:?\d{2})?/;
/** Only the head of a line is looked at: a level word deep in a message is its content, not its level. */
const HEAD_CHARS = 96;

/** The last `max` parsed log lines (tail.jsonl rows) as breadcrumbs, oldest first. */
export function breadcrumbsFrom(jsonl: string, max: number): Breadcrumb[] {
  if (max <= 0) return [];
  const rows = jsonl.split('\n').filter((l) => l.trim() !== '');
  const crumbs: Breadcrumb[] = [];
  for (const row of rows.slice(-max)) {
    let line: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(row);
      line = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      line = undefined;
    }
    if (!line) continue;
    const text = str(line.line) ?? str(line.msg) ?? '';
    const head = text.slice(0, HEAD_CHARS);
    const crumb: Breadcrumb = {
      type: 'default',
      level: LEVELS[str(line.level) ?? ''] ?? levelInText(head) ?? 'info',
      // Relay cuts longer ones (a log line may be 64 KiB); cut here, the marker says so and tail.log has it whole.
      message: capChars(str(line.msg) ?? text, MAX_MESSAGE_CHARS),
      category: capChars(str(line.source) ?? 'log', MAX_BREADCRUMB_CATEGORY_CHARS),
    };
    const time = parseTime(str(line.time)) ?? timeInText(head);
    if (time !== undefined) crumb.timestamp = time / 1000;
    crumbs.push(crumb);
  }
  return crumbs;
}

export function levelInText(text: string): SeverityLevel | undefined {
  if (/thread '.*' panicked/.test(text)) return 'fatal';
  for (const [upper, marked, level] of TEXT_LEVEL_PATTERNS) if (upper.test(text) || marked.test(text)) return level;
  return undefined;
}

/** Epoch ms of the first date-time near the start of a line; a time without a zone is read as UTC. */
export function timeInText(text: string): number | undefined {
  const match = TEXT_TIME.exec(text);
  if (!match) return undefined;
  const zone = match[3] ? (match[3] === 'Z' ? 'Z' : match[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  return parseTime(`${match[1]}T${match[2]!.replace(',', '.')}${zone}`);
}

function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
