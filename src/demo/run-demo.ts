import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BundleEvent, Diagnostics, IncidentEvent } from '../diagnostics/index.js';
import { createDiagnostics } from '../diagnostics/index.js';
import { attachToApp, attachToWindow } from '../electron/index.js';
import type { MetricsReport } from '../runtime/rolling-metrics.js';
import { SimulatedApp, SimulatedWebContents, SimulatedWindow } from './simulated-electron.js';
import { waitFor } from './wait-for.js';

export interface DemoOptions {
  /** Root of the demo's files; default a new temp dir (kept, so the user can look). */
  dir?: string;
  /** Progress, one line at a time (the CLI sends it to stderr). */
  say?: (line: string) => void;
  /** Also deliver bundles to this DSN (e.g. a Spotlight sidecar) instead of the built-in ingest. */
  dsn?: string;
}

export interface DemoSentryEvent {
  eventId: string;
  title: string;
  level: string;
  fingerprint: string[];
  tags: Record<string, string>;
  breadcrumbs: number;
  attachments: Array<{ filename: string; bytes: number }>;
}

export interface DemoSummary {
  dir: string;
  logDir: string;
  dataDir: string;
  incidents: Array<{ fingerprint: string; title: string; bundled: boolean }>;
  bundles: Array<Pick<BundleEvent, 'path' | 'bytes' | 'sha256' | 'fingerprint' | 'title' | 'lines'>>;
  /** `sent`: event ids the server answered 2xx for; `events`: what the built-in ingest decoded. */
  sentry: { dsn: string; builtIn: boolean; sent: string[]; events: DemoSentryEvent[] };
  rendererReloads: number;
  startup: { rendererReadyLatencyMs: number | null };
  metrics: MetricsReport;
  inspected: { path: string; ok: boolean; problems: string[] } | null;
  /** The data dir's HTML report (every bundle by fingerprint, outbox, state); each bundle carries its own report.html too. */
  report: { path: string; bytes: number } | null;
}

/** Secrets an app really logs by accident: the demo shows none of them reaches a bundle or Sentry. */
const LEAKY_LINES = [
  { msg: 'request failed', headers: { authorization: 'Bearer sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c' }, status: 401 },
  { msg: 'signed in as ada.lovelace@example.com', plan: 'pro' },
  { msg: 'spawned helper with env OPENAI_API_KEY=sk-live-demo-not-a-real-key-1234567890' },
  { msg: 'clone https://ada:hunter2@github.com/openai/codex.git failed' },
];

/**
 * Runs a simulated desktop session end to end with real parts: the real logger rotating real files,
 * a real sidecar child process that serves requests and crashes, a renderer crash on a stand-in
 * window, bundles written and verified, and uploads over real HTTP to a local Sentry-compatible
 * ingest started here. Everything it started is stopped before it returns.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const say = options.say ?? (() => undefined);
  const dir = options.dir ? path.resolve(options.dir) : mkdtempSync(path.join(os.tmpdir(), 'codex-diag-demo-'));
  const logDir = path.join(dir, 'logs');
  const dataDir = path.join(dir, 'data');
  mkdirSync(logDir, { recursive: true });
  mkdirSync(dataDir, { recursive: true });

  const { startLocalIngest } = await import('../upload/local-ingest.js');
  const { createLogger } = await import('../logs/logger.js');
  const ingest = options.dsn ? undefined : await startLocalIngest({ dir: path.join(dir, 'ingest') });
  const dsn = options.dsn ?? ingest!.dsn;
  say(`demo: files in ${dir}`);
  say(ingest ? `demo: local Sentry-compatible ingest at ${ingest.url}` : `demo: sending to ${dsn}`);

  // The app's own log, rotating every 16 KiB so the tail spans several real pino-roll files.
  const appLog = createLogger({ logDir, name: 'app', size: '16k', frequency: null, limit: 50, base: null });
  let diag: Diagnostics | undefined;
  const stops: Array<() => unknown> = [];
  try {
    diag = await createDiagnostics({
      logDir,
      dataDir,
      app: { name: 'Codex', version: '26.1.0-demo' },
      // Keeps a demo run out of the production environment in whatever Sentry project it reaches.
      environment: 'demo',
      dsn,
      recovery: { maxReloads: 3, baseDelayMs: 200, maxDelayMs: 2000 },
      upload: { startDelayMs: 0 },
      env: {},
    });
    const d = diag;
    const incidents: IncidentEvent[] = [];
    const bundles: BundleEvent[] = [];
    const queued: string[] = [];
    d.on('incident', (i) => {
      incidents.push(i);
      say(`incident: ${i.title} [${i.fingerprint}]${i.bundled ? '' : ' (crash loop: counted, no new bundle)'}`);
    });
    d.on('bundle', (b) => {
      bundles.push(b);
      say(`bundle:   ${b.path} (${b.bytes} bytes, ${b.lines} lines)`);
    });
    const sentIds = new Set<string>();
    d.on('upload', (u) => {
      if (u.type === 'queued') queued.push(u.eventId);
      else for (const r of u.results) if (r.outcome === 'sent') sentIds.add(r.eventId);
    });

    d.recordAppStarted();
    say('app: started; writing a session of logs through pino-roll');
    for (let i = 0; i < 400; i++) {
      appLog.logger.info({ turn: Math.floor(i / 10), input_tokens: 1200 + i, thread: `8f3a1b2c-${String(1000 + i).padStart(4, '0')}-4e5f-a6b7-c8d9e0f1a2b3` }, 'turn item streamed');
      if (i % 97 === 0) {
        // The message is pino's second argument: a `msg` in the object too would write the key twice.
        const { msg, ...fields } = LEAKY_LINES[(i / 97) % LEAKY_LINES.length]!;
        appLog.logger.warn(fields, msg);
      }
    }
    appLog.logger.error('renderer: list render exceeded frame budget');
    appLog.logger.info('demo: session warmed up');
    const { readLastLines } = await import('../logs/read-last-lines.js');
    // The writer is a worker thread: wait until the last app line is on disk (other logs may interleave).
    await waitFor(
      'the app log to reach disk',
      async () => (await readLastLines({ logDir, count: 200 }).catch(() => undefined))?.lines.some((l) => l.text.includes('session warmed up')),
      15_000,
    );

    // A window whose renderer becomes ready, then crashes.
    const webContents = new SimulatedWebContents(1);
    const win = new SimulatedWindow(1, webContents);
    const app = new SimulatedApp();
    stops.push(attachToWindow(d, win), attachToApp(d, app));
    webContents.on('demo:reload', () => setImmediate(() => webContents.navigate(webContents.getURL())));
    webContents.navigate('app://codex/chat/3f2c9a1e-8b7d-4c6a-9e5f-0a1b2c3d4e5f?tab=2');
    const latency = d.markRendererReady(webContents.id);
    say(`renderer: ready after ${latency ?? '?'} ms`);

    // The app-server sidecar: real child process, its requests measured, then a panic (exit 101).
    const serverScript = fileURLToPath(new URL('./fake-app-server.js', import.meta.url));
    const sidecarExited = new Promise<void>((resolve) => {
      d.on('sidecar', (e) => {
        if (e.type === 'exit') say(`sidecar:  exited with code ${e.exitCode} (${e.reason})`);
        if (e.type === 'paused') resolve();
      });
    });
    const handle = d.startSidecar({
      command: process.execPath,
      args: [serverScript],
      logStreams: ['stderr'],
      restart: { maxRestarts: 0 },
    });
    stops.push(() => handle.stop());
    if (handle.child?.stdout) {
      // stdout carries the server's protocol: here one JSON line per answered request.
      for await (const line of createInterface({ input: handle.child.stdout })) {
        const request = safeJson(line) as { method?: string; durationMs?: number; ok?: boolean } | undefined;
        if (request?.method && typeof request.durationMs === 'number') d.metrics.record(request.method, request.durationMs, request.ok !== false);
      }
    }
    await sidecarExited;
    await waitFor('the sidecar bundle', () => bundles.length >= 1, 15_000);

    // The renderer crashes; codex-diag bundles it and reloads the window with backoff.
    say('renderer: crashing (SIGSEGV)');
    webContents.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    await waitFor('the renderer bundle', () => bundles.length >= 2, 15_000);
    await waitFor('the renderer reload', () => webContents.reloads >= 1, 10_000);
    say(`renderer: reloaded (attempt ${webContents.reloads})`);
    // The same crash again: the crash-loop limiter counts it instead of writing another bundle.
    webContents.fire('render-process-gone', { reason: 'crashed', exitCode: 11 });
    await waitFor('the repeated incident', () => incidents.length >= 3, 10_000);

    let events: DemoSentryEvent[] = [];
    const allSent = () => queued.length >= bundles.length && queued.every((id) => sentIds.has(id));
    if (ingest) {
      await waitFor('Sentry to receive every bundle', allSent, 20_000);
      events = ingest.events().map(describeEvent(ingest));
    } else {
      await waitFor('the uploads', allSent, 20_000).catch(() => say(`demo: not every bundle was sent; the rest stay queued in ${path.join(dataDir, 'outbox')}`));
    }
    const closed = await d.close({ timeoutMs: 3000 });
    diag = undefined;
    if (!closed.completed) say('demo: diagnostics did not flush within its budget');

    const { inspectBundle } = await import('../bundle/inspect.js');
    const renderer = bundles.find((b) => b.title.startsWith('Renderer')) ?? bundles[0];
    const inspected = renderer ? await inspectBundle(renderer.path) : undefined;
    const report = await writeDemoReport(dataDir).catch((error: unknown) => {
      say(`demo: could not write the report: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    return {
      dir,
      logDir,
      dataDir,
      incidents: incidents.map((i) => ({ fingerprint: i.fingerprint, title: i.title, bundled: i.bundled })),
      bundles: bundles.map(({ path: p, bytes, sha256, fingerprint, title, lines }) => ({ path: p, bytes, sha256, fingerprint, title, lines })),
      sentry: { dsn, builtIn: ingest !== undefined, sent: [...sentIds], events },
      rendererReloads: webContents.reloads,
      startup: { rendererReadyLatencyMs: latency },
      metrics: d.metrics.report(),
      inspected: inspected && renderer ? { path: renderer.path, ok: inspected.ok, problems: inspected.problems } : null,
      report,
    };
  } finally {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    if (diag) await diag.close({ timeoutMs: 2000 }).catch(() => undefined);
    await appLog.close({ timeoutMs: 2000 }).catch(() => undefined);
    await ingest?.close();
  }
}

/** The data dir's report, through the same redactor as bundles (the demo's home dir and user name). */
async function writeDemoReport(dataDir: string): Promise<{ path: string; bytes: number }> {
  const { writeDataDirReport } = await import('../report/write-report.js');
  const { createRedactor } = await import('../bundle/redactor.js');
  const { redactionContextFrom } = await import('../bundle/redaction-context.js');
  return writeDataDirReport({ dataDir, redactor: createRedactor(redactionContextFrom({ homedir: os.homedir(), env: process.env })) });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeEvent(ingest: { envelopes: Array<{ headers: Record<string, unknown>; items: Array<[Record<string, unknown>, unknown]> }> }) {
  return (event: Record<string, unknown>): DemoSentryEvent => {
    const eventId = String(event.event_id ?? '');
    const envelope = ingest.envelopes.find((e) => e.headers.event_id === eventId);
    const attachments = (envelope?.items ?? [])
      .filter(([header]) => header.type === 'attachment')
      .map(([header, payload]) => ({ filename: String(header.filename ?? ''), bytes: payload instanceof Uint8Array ? payload.byteLength : String(payload ?? '').length }));
    const message = event.message as { formatted?: string } | string | undefined;
    const exception = (event.exception as { values?: Array<{ type?: string; value?: string }> } | undefined)?.values?.[0];
    const title = typeof message === 'string' ? message : (message?.formatted ?? (exception ? `${exception.type}: ${exception.value}` : ''));
    const breadcrumbs = event.breadcrumbs as { values?: unknown[] } | unknown[] | undefined;
    return {
      eventId,
      title,
      level: String(event.level ?? ''),
      fingerprint: (event.fingerprint as string[] | undefined) ?? [],
      tags: (event.tags as Record<string, string> | undefined) ?? {},
      breadcrumbs: Array.isArray(breadcrumbs) ? breadcrumbs.length : (breadcrumbs?.values?.length ?? 0),
      attachments,
    };
  };
}
