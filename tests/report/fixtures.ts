import path from 'node:path';
import { buildBundle, type BuiltBundle } from '../../src/bundle/builder.js';
import { EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';
import type { TailLine } from '../../src/logs/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { TEST_SYSTEM } from '../bundle/helpers.js';

/**
 * Log text that would run if any of it reached the page as markup or code: each one sets
 * window.__pwned. The report must show every one as text.
 */
export const HOSTILE_TEXTS = [
  '<img src=x onerror="window.__pwned=1">',
  '</script><script>window.__pwned=2</script>',
  'open javascript:window.__pwned=3 now',
  '{{constructor.constructor("window.__pwned=4")()}}',
  '${window.__pwned=5}',
  '<svg onload="window.__pwned=6"></svg><!--',
  'line\u2028separator</script>\u2029paragraph',
];

export const SEARCH_NEEDLE = 'needle-7f3a';

export const redactor = createRedactor(EXAMPLE_CONTEXT);

const levelNumber: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

function pino(time: number, level: string, msg: string, extra: Record<string, unknown> = {}): TailLine {
  return { source: 'app.1.log', text: JSON.stringify({ level: levelNumber[level], time, pid: 7, msg, ...extra }) };
}

/** What the story below puts on the timeline (the bundle's own incident included). */
export const EXPECTED_EVENTS = { incident: 2, suppressed: 2, recovery: 3, 'sidecar-restart': 2 } as const;
/** Launches in the state's startup history, and those whose renderer reported ready. */
export const LAUNCHES = [900, 1200, null, 1500, 1100, null, 2400];
export const METHODS = ['model/list', 'thread/start', '<b onclick="window.__pwned=8">turn/start</b>', 'thread/resume'];

export interface StoryOptions {
  /** Start of the story (ms). */
  start: number;
  outDir: string;
  /** The crash's route id; different ids keep one fingerprint. */
  chatId?: string;
  incident?: Record<string, unknown>;
  lines?: TailLine[];
}

/** The lines of a session that ends in a renderer crash: work, repeats, recoveries, restarts and hostile text. */
export function storyLines(start: number): TailLine[] {
  const lines: TailLine[] = [];
  let t = start;
  const at = () => (t += 1000);
  for (let i = 0; i < 30; i++) lines.push(pino(at(), i % 3 === 0 ? 'debug' : 'info', `turn ${i} streamed`, { turn: i }));
  lines.push(pino(at(), 'error', 'GPU process crashed (ACCESS_VIOLATION)', { fingerprint: 'fp1-187f681c40dc2977', kind: 'child-process-gone', bundled: true }));
  for (let i = 0; i < 2; i++) {
    lines.push(pino(at(), 'warn', 'Renderer crashed (SIGSEGV) at /chat/:id', { fingerprint: 'fp1-3327f7b9825d49ae', kind: 'render-process-gone', bundled: false }));
  }
  for (let attempt = 1; attempt <= 3; attempt++) lines.push(pino(at(), 'warn', 'renderer reload', { attempt, delayMs: 500 * attempt }));
  for (let attempt = 1; attempt <= 2; attempt++) lines.push(pino(at(), 'warn', 'sidecar restart', { attempt, pid: 100 + attempt, delayMs: 250 }));
  for (const text of HOSTILE_TEXTS) lines.push(pino(at(), 'warn', text));
  lines.push(pino(at(), 'info', `found the ${SEARCH_NEEDLE} in the haystack`));
  lines.push(pino(at(), 'error', `second ${SEARCH_NEEDLE.toUpperCase()} (search is case-insensitive)`));
  lines.push({ source: 'desktop/2026/11/30/codex-desktop-1.log', text: 'plain text line without a time <b>bold?</b>' });
  for (let i = 0; i < 8; i++) lines.push(pino(at(), 'info', `request ${i} ok`, { method: 'turn/start' }));
  lines.push(pino(at(), 'fatal', 'renderer gone'));
  return lines;
}

export async function buildStoryBundle(options: StoryOptions): Promise<BuiltBundle> {
  const start = options.start;
  const raw = options.incident ?? {
    kind: 'render-process-gone',
    reason: 'crashed',
    exitCode: 139,
    url: `app://codex/chat/${options.chatId ?? '8f3a9b2c7d'}?tab=2#m"><script>window.__pwned=9</script>`,
    pid: 4242,
    webContentsId: 3,
    occurredAt: start + 70_000,
  };
  const parsed = parseIncident(raw);
  if (!parsed.ok) throw new Error(parsed.error);
  const fingerprint = fingerprintIncident(parsed.incident);
  return buildBundle(
    {
      incident: raw,
      fingerprint,
      lines: options.lines ?? storyLines(start),
      state: {
        version: 3,
        app_server: { restart_count: 2, last_restart_at: start + 40_000, last_disconnect_reason: '<i>closed</i>' },
        renderer: { recovery_attempts: 3, last_recovery_at: start + 38_000, last_ready_at: null, last_heartbeat_at: null },
        startup: {
          app_started_at_ms: start,
          renderer_ready_latency_ms: LAUNCHES.at(-1),
          history: LAUNCHES.map((latency, i) => ({ started_at_ms: start - (LAUNCHES.length - i) * 3_600_000, renderer_ready_latency_ms: latency })),
        },
        incidents: {},
      },
      metrics: {
        windowMs: 60_000,
        methods: Object.fromEntries(METHODS.map((m, i) => [m, { count: 10 + i, errorRate: i / 10, p50: 20 + i * 10, p95: 80 + i * 30, p99: 120 + i * 50, max: 130 + i * 50 }])),
        overflowRecords: 0,
      },
      app: { name: 'Codex', version: '26.1.0' },
      system: { ...TEST_SYSTEM, app: { name: 'Codex', version: '26.1.0' }, appVersion: '26.1.0' },
      suppressedCount: 2,
    },
    { outDir: options.outDir, redactor, clock: new ManualClock(start + 71_000) },
  );
}

export function fileIn(dir: string, name: string): string {
  return path.join(dir, name);
}
