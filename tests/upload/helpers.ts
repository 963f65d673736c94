import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { Clock } from '../../src/clock.js';

export interface TestBundleOptions {
  lines?: number;
  incident?: Record<string, unknown> | null;
  /** Extra bytes per log line, to make big bundles. */
  lineBytes?: number;
  name?: string;
  components?: string[];
  fingerprint?: string;
}

export const CRASH_INCIDENT = {
  kind: 'render-process-gone',
  reason: 'oom',
  exitCode: 11,
  url: 'app://codex/chat/8f3a2b1c9d?tab=2',
  occurredAt: '2026-11-20T10:00:00.000Z',
  appVersion: '1.2.3',
};

/**
 * A bundle in format v1 (DESIGN.md "Crash bundle"), built here until src/bundle's builder lands.
 * Log lines are numbered so tests can tell which ones arrived.
 */
export async function makeTestBundle(dir: string, options: TestBundleOptions = {}): Promise<string> {
  const lineCount = options.lines ?? 150;
  const incident = options.incident === undefined ? CRASH_INCIDENT : options.incident;
  const pad = options.lineBytes ? ` ${randomText(options.lineBytes)}` : '';
  const logLines = Array.from({ length: lineCount }, (_, i) => ({
    time: new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + i * 1000).toISOString(),
    level: i % 10 === 9 ? 'error' : i % 5 === 4 ? 'warn' : 'info',
    msg: `line ${i + 1}${pad}`,
    source: i % 2 === 0 ? 'app.1.log' : '2026/11/20/codex-desktop-a-1-t1-i1-090000-0.log',
  }));
  const tailLog = logLines.map((l) => `${l.time} ${l.level} ${l.msg}`).join('\n') + (lineCount > 0 ? '\n' : '');
  const tailJsonl = logLines.map((l) => JSON.stringify({ ...l, line: `${l.time} ${l.level} ${l.msg}` })).join('\n') + (lineCount > 0 ? '\n' : '');
  const files: Record<string, Buffer> = {
    'incident.json': Buffer.from(JSON.stringify(incident ?? {})),
    'logs/tail.log': Buffer.from(tailLog),
    'logs/tail.jsonl': Buffer.from(tailJsonl),
    'state.json': Buffer.from(
      JSON.stringify({ version: 3, startup: { app_started_at_ms: 1763629200000, renderer_ready_latency_ms: 840, history: [] }, incidents: {} }),
    ),
    'system.json': Buffer.from(JSON.stringify({ os: 'linux', arch: 'x64', release: '6.8.0', appVersion: '1.2.3', node: '20.20.0' })),
  };
  if (incident === null) delete files['incident.json'];
  const fingerprint = options.fingerprint ?? 'fp1-3f2a9c0d1e2b';
  const manifest = {
    formatVersion: 1,
    bundleId: randomUUID(),
    createdAt: '2026-11-20T10:00:05.000Z',
    app: { name: 'Codex', version: '1.2.3' },
    platform: 'linux',
    incident: incident
      ? {
          kind: incident.kind,
          fingerprint,
          components: options.components ?? ['render-process-gone', 'oom', '/chat/:id'],
          occurredAt: incident.occurredAt ?? null,
        }
      : null,
    files: Object.entries(files).map(([p, data]) => ({ path: p, bytes: data.length, sha256: sha256(data) })),
    redaction: {},
    truncation: { lines: false },
  };
  const out = path.join(dir, options.name ?? `codex-diag-20261120T100005-${fingerprint.slice(4, 12)}-${randomUUID().slice(0, 6)}.zip`);
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const done = pipeline(archive, createWriteStream(out, { mode: 0o600 }));
  archive.append(Buffer.from(JSON.stringify(manifest, null, 2)), { name: 'manifest.json' });
  for (const [name, data] of Object.entries(files)) archive.append(data, { name });
  await archive.finalize();
  await done;
  return out;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Incompressible text, so size tests are about bytes on the wire. */
function randomText(bytes: number): string {
  let out = '';
  while (out.length < bytes) out += Math.random().toString(36).slice(2);
  return out.slice(0, bytes);
}

export async function tempDir(prefix = 'codex-diag-upload-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** A clock the test moves by hand. Timers fire on `advance`. */
export class ManualClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;
  constructor(public current = Date.UTC(2026, 10, 20, 12, 0, 0)) {}
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  advance(ms: number): void {
    this.current += ms;
    for (const [id, t] of [...this.timers].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= this.current) {
        this.timers.delete(id);
        t.fn();
      }
    }
  }
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
