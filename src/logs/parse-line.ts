import type { LogLevel, LogLine, TailLine } from './types.js';

/** Severity order, lowest first; `unknown` is below everything. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level); // -1 for unknown
}

/** Parses a level name as the CLI takes it (`warning` is `warn`); null when it is not one. */
export function parseLevelName(name: string): LogLevel | null {
  const lower = name.trim().toLowerCase();
  if (lower === 'warning') return 'warn';
  return (LOG_LEVELS as readonly string[]).includes(lower) ? (lower as LogLevel) : null;
}

/** pino's numeric levels (10 trace ... 60 fatal); custom levels in between take the level below. */
export function pinoLevelName(value: number): LogLevel {
  if (!Number.isFinite(value) || value < 10) return 'unknown';
  return LOG_LEVELS[Math.min(5, Math.floor(value / 10) - 1)] ?? 'unknown';
}

export interface ParsedLogLine {
  line: LogLine;
  /** A pino record's other fields (without level, time, msg); empty for text lines. */
  fields: Record<string, unknown>;
}

/** Parses one line; never throws. Use parseLogLineWithFields for a pino record's other fields. */
export function parseLogLine(tailLine: TailLine): LogLine {
  return parseLogLineWithFields(tailLine).line;
}

// Codex desktop text layout: `<ISO-8601 timestamp> <trace|debug|info|warning|error> <message>`.
const desktopPattern =
  /^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+(trace|debug|info|warning|warn|error|fatal)\b ?(.*)$/i;

export function parseLogLineWithFields(tailLine: TailLine): ParsedLogLine {
  const text = tailLine.text;
  try {
    if (text.startsWith('{')) {
      const parsed = parsePino(tailLine) ?? parseCutPino(tailLine);
      if (parsed) return parsed;
    }
    const match = desktopPattern.exec(text);
    if (match) {
      return {
        line: {
          time: isoTime(match[1]!),
          level: parseLevelName(match[2]!) ?? 'unknown',
          msg: match[3] ?? '',
          source: tailLine.source,
          line: text,
        },
        fields: {},
      };
    }
  } catch {
    // fall through: a line we cannot read is kept raw
  }
  return { line: { time: null, level: 'unknown', msg: text, source: tailLine.source, line: text }, fields: {} };
}

function parsePino(tailLine: TailLine): ParsedLogLine | null {
  let record: unknown;
  try {
    record = JSON.parse(tailLine.text);
  } catch {
    return null;
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  const { level, time, msg, ...fields } = record as Record<string, unknown>;
  let message: string;
  if (typeof msg === 'string') message = msg;
  else if (typeof fields.message === 'string') message = fields.message;
  else message = msg === undefined ? '' : JSON.stringify(msg);
  return {
    line: { time: isoTime(time), level: recordLevel(level), msg: message, source: tailLine.source, line: tailLine.text },
    fields,
  };
}

const CUT_MARKER_AT_END = /…\[cut \d+ bytes\]$/;
const CUT_LEVEL = /"level":(\d+(?:\.\d+)?|"[A-Za-z]+")[,}]/;
const CUT_TIME = /"time":(\d+(?:\.\d+)?|"[^"\\]*")[,}]/;
const CUT_MSG = /"msg":("(?:[^"\\]|\\.)*")/;

/**
 * A pino record over the line limit was cut (line-cut.ts), so it no longer parses; pino writes
 * level and time first, so its head still says how severe it was and when (a huge error record
 * must not fall out of `--level error`). msg when the head holds it whole, else the raw text.
 */
function parseCutPino(tailLine: TailLine): ParsedLogLine | null {
  const text = tailLine.text;
  if (!CUT_MARKER_AT_END.test(text)) return null;
  const level = CUT_LEVEL.exec(text);
  if (!level) return null;
  const time = CUT_TIME.exec(text);
  const msg = CUT_MSG.exec(text);
  const message = msg ? (JSON.parse(msg[1]!) as string) : text;
  return {
    line: {
      time: time ? isoTime(JSON.parse(time[1]!) as unknown) : null,
      level: recordLevel(JSON.parse(level[1]!) as unknown),
      msg: message,
      source: tailLine.source,
      line: text,
    },
    fields: {},
  };
}

function recordLevel(level: unknown): LogLevel {
  if (typeof level === 'number') return pinoLevelName(level);
  if (typeof level === 'string') return parseLevelName(level) ?? (NUMERIC.test(level) ? pinoLevelName(Number(level)) : 'unknown');
  return 'unknown';
}

const NUMERIC = /^\d+(?:\.\d+)?$/;
/**
 * Epoch values below this are seconds, not milliseconds: pino's stdTimeFunctions.unixTime writes
 * seconds, and as milliseconds they would all fall in the first days of 1973.
 */
const SECONDS_BELOW = 1e11;

/**
 * pino's `time` (epoch ms by default, epoch seconds with stdTimeFunctions.unixTime, an ISO string
 * with stdTimeFunctions.isoTime, or either number written as a string) or a text timestamp, as ISO.
 */
function isoTime(value: unknown): string | null {
  if (typeof value === 'string' && NUMERIC.test(value)) value = Number(value);
  let date: Date;
  if (typeof value === 'number') date = new Date(Math.abs(value) < SECONDS_BELOW ? value * 1000 : value);
  else if (typeof value === 'string' && value.length > 0) date = new Date(value.replace(' ', 'T'));
  else return null;
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
