import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { buildBundle, createRedactor, type SystemInfo } from '../../src/bundle/index.js';
import { fingerprintIncident, parseIncident } from '../../src/incidents/index.js';

export interface TestBundleOptions {
  lines?: number;
  incident?: Record<string, unknown> | null;
  /** Extra bytes per log line, to make big bundles. */
  lineBytes?: number;
  /** Fields of system.json to set (an Electron app on macOS, a GPU, ...). */
  system?: Partial<SystemInfo>;
  /** Log lines as written (default: numbered desktop text lines). */
  rawLines?: Array<{ source: string; text: string }>;
  /** The app as the builder records it. */
  app?: { name: string; version: string; dist?: string; environment?: string };
}

export const CRASH_INCIDENT = {
  kind: 'render-process-gone',
  reason: 'oom',
  exitCode: 11,
  url: 'app://codex/chat/8f3a2b1c9d?tab=2',
  occurredAt: '2026-11-20T10:00:00.000Z',
  appVersion: '1.2.3',
};

const SYSTEM: SystemInfo = {
  os: 'linux',
  osType: 'Linux',
  release: '6.8.0',
  arch: 'x64',
  totalMemoryBytes: 8 * 1024 ** 3,
  freeMemoryBytes: 2 * 1024 ** 3,
  cpuCount: 2,
  node: '20.20.0',
  app: { name: 'Codex', version: '1.2.3' },
  appVersion: '1.2.3',
};

/**
 * A real format v1 bundle from src/bundle's builder. Log lines are Codex desktop text lines
 * numbered "line N", so tests can tell which ones arrived; sources alternate between two files.
 */
export async function makeTestBundle(dir: string, options: TestBundleOptions = {}): Promise<string> {
  const lineCount = options.lines ?? 150;
  const incident = options.incident === undefined ? CRASH_INCIDENT : options.incident;
  const pad = options.lineBytes ? ` ${randomText(options.lineBytes)}` : '';
  const lines = options.rawLines ?? Array.from({ length: lineCount }, (_, i) => {
    const time = new Date(Date.UTC(2026, 10, 20, 9, 0, 0) + i * 1000).toISOString();
    const level = i % 10 === 9 ? 'error' : i % 5 === 4 ? 'warning' : 'info';
    return { source: i % 2 === 0 ? 'app.log' : '2026/11/20/codex-desktop-a-1-t1-i1-090000-0.log', text: `${time} ${level} line ${i + 1}${pad}` };
  });
  let fingerprint = null;
  if (incident) {
    const parsed = parseIncident(incident);
    if (!parsed.ok) throw new Error(parsed.error);
    fingerprint = fingerprintIncident(parsed.incident);
  }
  const built = await buildBundle(
    {
      incident,
      fingerprint,
      lines,
      state: { version: 3, startup: { app_started_at_ms: 1763629200000, renderer_ready_latency_ms: 840, history: [] }, incidents: {} },
      app: options.app ?? { name: 'Codex', version: '1.2.3' },
      system: { ...SYSTEM, ...(options.app ? { app: options.app } : {}), ...options.system },
    },
    { outPath: path.join(dir, `codex-diag-test-${randomUUID()}.zip`), redactor: createRedactor({ homedir: '/home/tester', username: 'tester' }) },
  );
  return built.path;
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
