import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { IncidentJournal } from '../../src/incidents/journal.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { createLogger } from '../../src/logs/logger.js';
import { startLocalIngest } from '../../src/upload/local-ingest.js';
import { rawZip } from './helpers.js';
import { CURRENT_STATE_VERSION } from '../../src/state/schemas.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const HOME = '/home/dana';

const io = (options: { tty?: boolean; stdin?: string } = {}) =>
  cliIo({ env: { USER: 'dana' }, cwd: tmp.dir, homedir: HOME, stdin: options.stdin ?? '', tty: options.tty ?? false });

const SECRETS = ['hunter2', 'sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345', 'dana@example.com', 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789'];
let tmp: ReturnType<typeof makeTempDir>;
let logDir: string;
let dataDir: string;
let fingerprint: string;

beforeAll(async () => {
  tmp = makeTempDir();
  logDir = path.join(tmp.dir, 'logs');
  dataDir = path.join(tmp.dir, 'data');
  // Written by the real pino + pino-roll writer, rotating every 4 KB.
  const log = createLogger({ logDir, name: 'app', size: '4k', frequency: null, limit: 20 });
  for (let i = 0; i < 400; i++) {
    log.logger.info({ i, user: 'dana@example.com', cwd: `${HOME}/work` }, `request ${i} with password=hunter2 via ${SECRETS[1]}`);
    if (i % 50 === 0) log.logger.warn(`push with ${SECRETS[3]}`);
  }
  log.logger.info('last line');
  await log.close({ timeoutMs: 10_000 });

  const parsed = parseIncident({ kind: 'render-process-gone', reason: 'oom', exitCode: 0, url: 'app://codex/chat/1?x=2', occurredAt: Date.UTC(2026, 10, 21), appVersion: '26.1.0' });
  if (!parsed.ok) throw new Error(parsed.error);
  const fp = fingerprintIncident(parsed.incident, { homedir: HOME });
  fingerprint = fp.fingerprint;
  mkdirSync(dataDir, { recursive: true });
  // A v2 state file: the bundle carries it migrated in memory; the file itself is not touched.
  writeFileSync(path.join(dataDir, 'state.json'), JSON.stringify({ version: 2, app_server: { restart_count: 3 }, renderer: { recovery_attempts: 1 }, startup: { renderer_ready_latency_ms: 850 } }));
  const journal = IncidentJournal.inDataDir(dataDir);
  await journal.append(journal.recordFor(parsed.incident, fp, { bundle: true, suppressedSinceLast: 2 } as never));
}, 30_000);
afterAll(() => tmp.cleanup());

describe('codex-diag export', () => {
  it('exports the latest journaled incident with the last N lines from pino-roll files, redacted', async () => {
    const t = io();
    const code = await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '-n', '100', '--json'], t);
    expect(t.err()).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(t.out()) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual(['bundleId', 'bytes', 'fingerprint', 'lines', 'minidump', 'path', 'redactions', 'sha256', 'upload']);
    expect(result.minidump).toBeNull();
    expect(result.fingerprint).toBe(fingerprint);
    expect(result.lines).toBe(100);
    expect(result.upload).toBeNull();
    expect(path.dirname(result.path as string)).toBe(path.join(dataDir, 'bundles'));
    expect(path.basename(result.path as string)).toMatch(new RegExp(`^codex-diag-\\d{8}T\\d{6}-${fingerprint.slice(0, 12)}\\.zip$`));

    const { files } = await readZip(result.path as string);
    const tail = files.get('logs/tail.log')!.toString().trimEnd().split('\n');
    expect(tail).toHaveLength(100);
    expect(JSON.parse(tail[99]!).msg).toBe('last line');
    for (const [name, bytes] of files) {
      for (const secret of [...SECRETS, HOME]) expect(bytes.includes(secret), `${name} holds ${secret}`).toBe(false);
    }
    const manifest = JSON.parse(files.get('manifest.json')!.toString());
    expect(manifest.app).toEqual({ name: 'Codex', version: '26.1.0' });
    expect(manifest.incident).toMatchObject({ kind: 'render-process-gone', fingerprint, suppressedCount: 2, occurredAt: '2026-11-21T00:00:00.000Z' });
    expect(manifest.redaction.secret_field).toBeGreaterThanOrEqual(97);
    expect(manifest.redaction.openai_key).toBeGreaterThanOrEqual(97);

    const inspect = io();
    expect(await runCli(['inspect', result.path as string, '--json'], inspect)).toBe(0);
    expect(JSON.parse(inspect.out())).toMatchObject({ ok: true, problems: [], manifest: { bundleId: result.bundleId } });
    const human = io();
    expect(await runCli(['inspect', result.path as string], human)).toBe(0);
    expect(human.out()).toContain(`fingerprint ${fingerprint}`);
    expect(human.out()).toMatch(/log lines +100 of 100/);
    expect(human.out()).toMatch(/redactions .*secret_field \d+/);
    expect(human.out()).toMatch(/startup +renderer ready in 850 ms/);
    expect(human.out()).toContain('app-server restarts 3, renderer recoveries 1');
    // The bundle carries the state migrated to the current version; the file on disk is left as it was.
    expect(JSON.parse(files.get('state.json')!.toString()).version).toBe(CURRENT_STATE_VERSION);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'state.json'), 'utf8')).version).toBe(2);
  });

  it('makes a manual export with --no-incident into --out, progress only on a TTY', async () => {
    const out = path.join(tmp.dir, 'out');
    mkdirSync(out);
    const plain = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--no-incident', '--out', out, '-n', '5'], plain)).toBe(0);
    expect(plain.out().trim()).toMatch(/codex-diag-\d{8}T\d{6}-manual\.zip$/);
    expect(plain.err()).not.toContain('\r');
    const tty = io({ tty: true });
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--no-incident', '--out', path.join(out, 'x.zip')], tty)).toBe(0);
    expect(tty.err()).toContain('\r');
    expect(tty.out().trim()).toBe(path.join(out, 'x.zip'));
    expect(readdirSync(out)).toHaveLength(2);
  });

  it('exports an incident from --incident FILE and rejects a bad one with exit 2', async () => {
    const good = path.join(tmp.dir, 'incident.json');
    writeFileSync(good, JSON.stringify({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null }));
    const t = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--incident', good, '--json', '-n', '3'], t)).toBe(0);
    expect(JSON.parse(t.out()).fingerprint).toMatch(/^fp1-/);

    const bad = path.join(tmp.dir, 'bad.json');
    writeFileSync(bad, '{"kind": 5');
    const b = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--incident', bad], b)).toBe(2);
    expect(b.err()).toMatch(/^codex-diag: .*bad\.json/);
    const missing = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--incident', 'nope.json'], missing)).toBe(2);
  });

  it('--upload without a DSN writes and queues the bundle, exit 4', async () => {
    const upData = path.join(tmp.dir, 'up-none');
    const t = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', upData, '--no-incident', '--upload', '--json', '-n', '2'], t)).toBe(4);
    const doc = JSON.parse(t.out());
    expect(doc.upload).toEqual(expect.objectContaining({ sent: false, pending: 1 }));
    expect(readdirSync(path.dirname(doc.path))).toContain(path.basename(doc.path));
    expect(readdirSync(path.join(upData, 'outbox')).filter((f) => f.endsWith('.zip'))).toHaveLength(1);
    expect(t.err()).toMatch(/no Sentry DSN/);
  });

  it('--upload sends the bundle over HTTP: exit 0 and the event arrives with the bundle attached', async () => {
    const ingest = await startLocalIngest();
    try {
      const upData = path.join(tmp.dir, 'up-ok');
      const t = io();
      expect(await runCli(['export', '--log-dir', logDir, '--data-dir', upData, '--upload', '--dsn', ingest.dsn, '--json', '-n', '20'], t)).toBe(0);
      const doc = JSON.parse(t.out());
      expect(doc.upload).toEqual(expect.objectContaining({ sent: true, pending: 0, reason: null }));
      const events = ingest.events();
      expect(events.map((e) => e.event_id)).toEqual([doc.upload.eventId]);
      const zip = ingest.envelopes[0]!.items.find(([h]) => h.type === 'attachment' && String(h.filename).endsWith('.zip'))!;
      const bytes = Buffer.from(zip[1] as Uint8Array);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(doc.sha256);
      expect(readdirSync(path.join(upData, 'outbox')).filter((f) => f.endsWith('.zip'))).toEqual([]);
    } finally {
      await ingest.close();
    }
  });

  it('--upload against a failing server keeps the bundle queued, exit 4; a malformed DSN is exit 2 with nothing written', async () => {
    const ingest = await startLocalIngest({ faults: [{ status: 503 }] });
    try {
      const upData = path.join(tmp.dir, 'up-503');
      const t = io();
      expect(await runCli(['export', '--log-dir', logDir, '--data-dir', upData, '--no-incident', '--upload', '--dsn', ingest.dsn, '--json', '-n', '5'], t)).toBe(4);
      const doc = JSON.parse(t.out());
      expect(doc.upload).toEqual(expect.objectContaining({ sent: false, pending: 1 }));
      expect(readdirSync(path.join(upData, 'outbox')).filter((f) => f.endsWith('.zip'))).toHaveLength(1);
    } finally {
      await ingest.close();
    }
    const badDsnData = path.join(tmp.dir, 'up-bad');
    const b = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', badDsnData, '--no-incident', '--upload', '--dsn', 'not a dsn'], b)).toBe(2);
    expect(b.err().split('\n').filter(Boolean)).toHaveLength(1);
    expect(b.err()).toMatch(/DSN/);
    expect(() => readdirSync(badDsnData)).toThrow();
  });

  it('leaves no part of a secret the 64 KiB cut goes through, nor of a PEM block split over two rotated files', async () => {
    const dir = path.join(tmp.dir, 'cut-logs');
    mkdirSync(dir);
    const token = 'ghp_CutCdEfGhIjKlMnOpQrStUvWxYz0123456789';
    const pad = (n: number) => 'x'.repeat(n);
    writeFileSync(
      path.join(dir, 'app.1.log'),
      [
        `${pad(64 * 1024 - 30)} with ${token} after`,
        `${pad(64 * 1024 - 12)} cutmail.person@example.com after`,
        `{"level":30,"msg":"${pad(64 * 1024 - 40)}","token":"cutTokenValue-0123456789"}`,
        'key -----BEGIN RSA PRIVATE KEY-----',
        'MIIEowIBAAKCAQEAfirstFileBody1',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'app.2.log'), 'secondFileBody2222\nsecondFileBody3333\n-----END RSA PRIVATE KEY-----\nafter the key\n');
    const t = io();
    expect(await runCli(['export', '--log-dir', dir, '--data-dir', dataDir, '--no-incident', '--json'], t)).toBe(0);
    const { files } = await readZip(JSON.parse(t.out()).path as string);
    for (const [name, bytes] of files) {
      for (const secret of ['ghp_CutCd', 'cutmail', 'cutTokenV', 'firstFileBody1', 'secondFileBody2222', 'secondFileBody3333']) {
        expect(bytes.includes(secret), `${name} holds ${secret}`).toBe(false);
      }
    }
    const tail = files.get('logs/tail.log')!.toString().split('\n');
    expect(tail[0]).toMatch(/ with …\[cut \d+ bytes\]$/);
    expect(tail.slice(3, 9)).toEqual(['key [REDACTED:private_key]', ...Array<string>(4).fill('[REDACTED:private_key]'), 'after the key']);
  });

  it('refuses an --out that is neither a dir nor a .zip', async () => {
    const bad = io();
    expect(await runCli(['export', '--log-dir', logDir, '--data-dir', dataDir, '--no-incident', '--out', path.join(tmp.dir, 'newdir', 'bundle')], bad)).toBe(2);
    expect(bad.err()).toMatch(/expected a directory or a \.zip path/);
  });

  it('says there are no logs with exit 3', async () => {
    const empty = path.join(tmp.dir, 'empty-logs');
    mkdirSync(empty);
    for (const dir of [empty, path.join(tmp.dir, 'absent')]) {
      const t = io();
      expect(await runCli(['export', '--log-dir', dir, '--data-dir', dataDir, '--no-incident'], t)).toBe(3);
      expect(t.err()).toMatch(/^codex-diag: no log/);
      expect(t.out()).toBe('');
    }
  });
});

describe('codex-diag inspect', () => {
  it('lists every problem on stderr and exits 2', async () => {
    const evil = path.join(tmp.dir, 'evil.zip');
    writeFileSync(evil, rawZip([{ name: '../x', data: Buffer.from('x') }, { name: '/abs', data: Buffer.from('y') }]));
    const t = io();
    expect(await runCli(['inspect', evil], t)).toBe(2);
    const problems = t.err().trim().split('\n');
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('unsafe name (".." path segment)'), expect.stringContaining('unsafe name (absolute path)'), expect.stringContaining('manifest.json: missing')]));
    const j = io();
    expect(await runCli(['inspect', evil, '--json'], j)).toBe(2);
    expect(JSON.parse(j.out()).ok).toBe(false);
    const missing = io();
    expect(await runCli(['inspect', 'nope.zip'], missing)).toBe(2);
    expect(missing.err()).toMatch(/no such bundle/);
  });
});

describe('codex-diag redact', () => {
  it('filters a file or stdin, and --json gives {text, counts}', async () => {
    const file = path.join(tmp.dir, 'share.txt');
    writeFileSync(file, `ok line\n{"password":"hunter2","n":1}\n${HOME}/x dana@example.com`);
    const t = io();
    expect(await runCli(['redact', file], t)).toBe(0);
    expect(t.out()).toBe('ok line\n{"password":"[REDACTED:secret_field]","n":1}\n~/x [REDACTED:email]');
    const s = io({ stdin: 'Authorization: Bearer abcdefgh12345678\n' });
    expect(await runCli(['redact', '--json'], s)).toBe(0);
    const doc = JSON.parse(s.out());
    expect(doc.text).toBe('Authorization: [REDACTED:auth_header]\n');
    expect(doc.counts.auth_header).toBe(1);
    const missing = io();
    expect(await runCli(['redact', 'nope.txt'], missing)).toBe(2);
  });

  it('scrubs what only the JSON as written shows: duplicate keys, escapes, cut lines, a PEM block over JSON records', async () => {
    const file = path.join(tmp.dir, 'hidden.log');
    writeFileSync(
      file,
      [
        '{"msg":"signed in as dup\\u0040example.org","msg":"noisy"}',
        '{"url":"https:\\/\\/bob:dupPw@proxy.internal\\/x","url":"x"}',
        '{"level":30,"msg":"x","token":"cutTok and more',
        '{"msg":"-----BEGIN PRIVATE KEY-----"}',
        '{"msg":"MIIEvQIBADANBgkqhkiG9w0B"}',
        '{"msg":"-----END PRIVATE KEY-----"}',
        '',
      ].join('\n'),
    );
    const t = io();
    expect(await runCli(['redact', file, '--json'], t)).toBe(0);
    const doc = JSON.parse(t.out()) as { text: string; counts: Record<string, number> };
    for (const secret of ['dup\\u0040', 'dupPw', 'cutTok', 'MIIEvQ']) expect(doc.text).not.toContain(secret);
    expect(doc.counts).toMatchObject({ email: 1, url_credentials: 1, secret_field: 1, private_key: 3 });
  });
});
