import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { IncidentJournal } from '../../src/incidents/journal.js';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { cliIo, type CliIoOptions } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
let logDir: string;
let dataDir: string;
beforeEach(() => {
  tmp = makeTempDir('codex-diag-cli-consistency-');
  logDir = path.join(tmp.dir, 'logs');
  dataDir = path.join(tmp.dir, 'data');
  mkdirSync(logDir);
  writeFileSync(path.join(logDir, 'main.log'), Array.from({ length: 30 }, (_, i) => `{"level":30,"time":${i},"msg":"line ${i}"}\n`).join(''));
});
afterEach(() => tmp.cleanup());

const io = (options: CliIoOptions = {}) => cliIo({ cwd: tmp.dir, homedir: '/home/nobody', ...options });
const oneLine = (text: string) => expect(text).toMatch(/^codex-diag: [^\n]+\n$/);

describe('the commands agree with each other', () => {
  it('a missing log dir is "nothing found" (exit 3) for tail and export alike, in one line naming it', async () => {
    const missing = path.join(tmp.dir, 'no-such-logs');
    for (const argv of [
      ['tail', '--log-dir', missing],
      ['tail', '-n', '0', '--log-dir', missing],
      ['export', '--no-incident', '--log-dir', missing, '--data-dir', dataDir],
      ['export', '-n', '0', '--no-incident', '--log-dir', missing, '--data-dir', dataDir],
    ]) {
      const t = io();
      expect(await runCli(argv, t), argv.join(' ')).toBe(3);
      oneLine(t.err());
      expect(t.err()).toContain(missing);
    }
  });

  it('-n 0 is accepted by tail and export alike: no lines, exit 0', async () => {
    const tail = io();
    expect(await runCli(['tail', '-n', '0', '--log-dir', logDir], tail)).toBe(0);
    expect(tail.out()).toBe('');
    const exp = io();
    expect(await runCli(['export', '-n', '0', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir, '--json'], exp)).toBe(0);
    expect(JSON.parse(exp.out())).toMatchObject({ lines: 0 });
  });

  it('refuses --incident FILE together with --no-incident, in either order (exit 2, one line)', async () => {
    writeFileSync(path.join(tmp.dir, 'i.json'), JSON.stringify({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11 }));
    for (const argv of [
      ['export', '--incident', 'i.json', '--no-incident'],
      ['export', '--no-incident', '--incident', 'i.json'],
      ['export', '--incident=i.json', '--no-incident'],
    ]) {
      const t = io();
      expect(await runCli([...argv, '--log-dir', logDir, '--data-dir', dataDir], t), argv.join(' ')).toBe(2);
      oneLine(t.err());
      expect(t.err()).toMatch(/--incident.*--no-incident|--no-incident.*--incident/);
    }
    expect(readdirSync(tmp.dir)).not.toContain('data'); // nothing was built
  });

  it('-q silences warnings as well as notes; errors still print', async () => {
    mkdirSync(dataDir);
    writeFileSync(path.join(dataDir, 'state.json'), '{ not json');
    const loud = io();
    expect(await runCli(['export', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], loud)).toBe(0);
    expect(loud.err()).toMatch(/warning: state left out/);
    const quiet = io();
    expect(await runCli(['export', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir, '-q'], quiet)).toBe(0);
    expect(quiet.err()).toBe('');
    const failing = io();
    expect(await runCli(['export', '-q', '--log-dir', path.join(tmp.dir, 'none'), '--data-dir', dataDir], failing)).toBe(3);
    oneLine(failing.err());
  });

  it('draws no progress escape codes unless stderr is a terminal that is not TERM=dumb', async () => {
    const run = async (options: CliIoOptions) => {
      const t = io(options);
      expect(await runCli(['export', '--no-incident', '--log-dir', logDir, '--data-dir', dataDir], t)).toBe(0);
      return t.err();
    };
    expect(await run({ tty: true, env: { TERM: 'xterm-256color' } })).toContain('\u001b['); // the progress line, for contrast
    expect(await run({ tty: true, env: { TERM: 'dumb' } })).not.toContain('\u001b');
    expect(await run({ tty: false, env: { TERM: 'xterm-256color' } })).not.toContain('\u001b');
  });
});

describe('DSNs in messages', () => {
  const KEY = 'f00dfacecafe4b1d8e5c0ffee1234567';
  it.each([
    ['CODEX_DIAG_DSN', { CODEX_DIAG_DSN: `https://${KEY}@sentry.example.com/not-a-number` }, [] as string[]],
    ['SENTRY_DSN', { SENTRY_DSN: `https://${KEY}@sentry.example.com/` }, []],
    ['--dsn', {}, ['--dsn', `ftp://${KEY}@sentry.example.com/1`]],
  ])('a bad DSN from %s names where it came from and never shows its key', async (source, env, extra) => {
    for (const argv of [['upload'], ['export', '--no-incident', '--upload', '--log-dir', logDir]]) {
      const t = io({ env });
      expect(await runCli([...argv, ...extra, '--data-dir', dataDir], t), argv.join(' ')).toBe(2);
      oneLine(t.err());
      expect(t.err()).toContain(source);
      expect(t.err() + t.out()).not.toContain(KEY);
    }
  });

  it('masks the key of a good DSN in what upload says when the server cannot be reached', async () => {
    const t = io({ env: { SENTRY_DSN: `http://${KEY}@127.0.0.1:9/42` } });
    const code = await runCli(['export', '--no-incident', '--upload', '--log-dir', logDir, '--data-dir', dataDir], t);
    expect(code).toBe(4);
    expect(t.err()).toContain('***@127.0.0.1:9');
    expect(t.err() + t.out()).not.toContain(KEY);
    const u = io({ env: { SENTRY_DSN: `http://${KEY}@127.0.0.1:9/42` } });
    expect(await runCli(['upload', '--data-dir', dataDir], u)).toBe(4);
    expect(u.err() + u.out()).not.toContain(KEY);
  });
});

describe('text from incidents and logs cannot drive the terminal', () => {
  const HOSTILE = 'evil\u001b[2J\u001b]0;pwned\u0007\u009b31m';
  const hasControl = (text: string) => /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(text);

  it('fingerprint, export and tail print escape sequences as visible text', async () => {
    const incident = { kind: 'child-process-gone', type: 'Utility', reason: 'crashed', exitCode: 1, serviceName: HOSTILE, name: HOSTILE };
    writeFileSync(path.join(tmp.dir, 'hostile.json'), JSON.stringify(incident));
    const fp = io();
    expect(await runCli(['fingerprint', 'hostile.json'], fp)).toBe(0);
    expect(fp.out()).toContain('evil');
    expect(hasControl(fp.out().replace(/\n/g, ''))).toBe(false);

    const exp = io();
    expect(await runCli(['export', '--incident', 'hostile.json', '--log-dir', logDir, '--data-dir', dataDir], exp)).toBe(0);
    expect(hasControl(exp.err().replace(/\n/g, '') + exp.out().replace(/\n/g, ''))).toBe(false);

    writeFileSync(path.join(logDir, 'main.log'), `{"level":50,"msg":"${JSON.stringify(HOSTILE).slice(1, -1)}"}\nplain ${HOSTILE}\n`);
    const tail = io();
    expect(await runCli(['tail', '--log-dir', logDir], tail)).toBe(0);
    expect(tail.out()).toContain('plain evil');
    expect(hasControl(tail.out().replace(/\n/g, ''))).toBe(false);
  });
});

describe('fingerprint reads what the app journals', () => {
  it('takes journal lines ({occurredAt, fingerprint, incident, ...}) and gives the journaled fingerprint', async () => {
    const journal = IncidentJournal.inDataDir(dataDir);
    const expected: string[] = [];
    for (const raw of [
      { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/1' },
      { kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, serviceName: '', name: '' },
    ]) {
      const parsed = parseIncident(raw);
      if (!parsed.ok) throw new Error(parsed.error);
      const fp = fingerprintIncident(parsed.incident, { homedir: '/home/nobody' });
      expected.push(`${fp.fingerprint}  ${fp.title}`);
      await journal.append(journal.recordFor(parsed.incident, fp, { bundle: true, suppressedSinceLast: 0 } as never));
    }
    const [file] = readdirSync(journal.dir);
    const t = io();
    expect(await runCli(['fingerprint', path.join(journal.dir, file!)], t)).toBe(0);
    expect(t.out()).toBe(`${expected.join('\n')}\n`);
    expect(t.err()).toBe('');
  });
});
