import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { repoRoot } from './helpers.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeTempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

const cliMain = path.join(repoRoot, 'dist', 'cli', 'main.js');

describe('codex-diag tail exit codes', () => {
  it('exits 3 (nothing found, as export does) naming a missing log dir (with and without -f)', async () => {
    const missing = path.join(tmp.dir, 'nope');
    for (const extra of [[], ['-f']]) {
      const t = cliIo();
      expect(await runCli(['tail', '--log-dir', missing, ...extra], t)).toBe(3);
      expect(t.err()).toBe(`codex-diag: no logs: ${missing} does not exist (set --log-dir or CODEX_DIAG_LOG_DIR)\n`);
      expect(t.out()).toBe('');
    }
  });

  it('exits 3 when the dir holds no logs', async () => {
    writeFileSync(path.join(tmp.dir, 'notes.txt'), 'x\n');
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir], t)).toBe(3);
    expect(t.err()).toContain(`no log files in ${tmp.dir}`);
  });

  it.each([['-1'], ['abc'], ['1.5'], ['']])('exits 2 for -n %j', async (n) => {
    writeFileSync(path.join(tmp.dir, 'a.log'), 'x\n');
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '-n', n], t)).toBe(2);
    expect(t.err()).toContain('-n/--lines');
  });

  it('exits 2 for an unknown --level', async () => {
    writeFileSync(path.join(tmp.dir, 'a.log'), 'x\n');
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--level', 'loud'], t)).toBe(2);
    expect(t.err()).toContain('--level');
  });

  it('takes the log dir from CODEX_DIAG_LOG_DIR and prints lines as they are in the files, oldest first', async () => {
    mkdirSync(path.join(tmp.dir, '2026', '11', '20'), { recursive: true });
    writeFileSync(path.join(tmp.dir, '2026', '11', '20', 'codex-desktop-s-1-t0-i0-080000-1.log'), '2026-11-20T08:00:00Z warning disk slow\r\n');
    writeFileSync(path.join(tmp.dir, 'app.1.log'), '{"level":30,"time":1795222547421,"msg":"started"}\n');
    const t = cliIo();
    t.env.CODEX_DIAG_LOG_DIR = tmp.dir;
    expect(await runCli(['tail', '-n', '5'], t)).toBe(0);
    const lines = t.out().split('\n');
    expect(lines).toHaveLength(3);
    expect(new Set(lines.slice(0, 2))).toEqual(new Set(['2026-11-20T08:00:00Z warning disk slow', '{"level":30,"time":1795222547421,"msg":"started"}']));
    const json = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--json', '--level', 'warn'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual({
      time: '2026-11-20T08:00:00.000Z',
      level: 'warn',
      msg: 'disk slow',
      source: '2026/11/20/codex-desktop-s-1-t0-i0-080000-1.log',
      line: '2026-11-20T08:00:00Z warning disk slow',
    });
  });
});

describe('codex-diag tail output', () => {
  it('--json prints exactly {time, level, msg, source, line} per line, in that order, for every kind of line', async () => {
    writeFileSync(
      path.join(tmp.dir, 'app.1.log'),
      [
        '{"level":40,"time":"1795222547","msg":"pino","pid":7,"hostname":"h"}',
        '{"level":30,"msg":"no time"}',
        '2026-11-20T08:00:00+01:00 error desktop',
        'plain \u00e9',
        '',
      ].join('\r\n'),
    );
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--json', '-n', '10'], t)).toBe(0);
    const records = t.out().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const record of records) expect(Object.keys(record)).toEqual(['time', 'level', 'msg', 'source', 'line']);
    expect(records).toEqual([
      { time: '2026-11-21T00:55:47.000Z', level: 'warn', msg: 'pino', source: 'app.1.log', line: '{"level":40,"time":"1795222547","msg":"pino","pid":7,"hostname":"h"}' },
      { time: null, level: 'info', msg: 'no time', source: 'app.1.log', line: '{"level":30,"msg":"no time"}' },
      { time: '2026-11-20T07:00:00.000Z', level: 'error', msg: 'desktop', source: 'app.1.log', line: '2026-11-20T08:00:00+01:00 error desktop' },
      { time: null, level: 'unknown', msg: 'plain \u00e9', source: 'app.1.log', line: 'plain \u00e9' },
    ]);
  });

  it('--level keeps a pino error record that was cut at 64 KiB, with its level and time', async () => {
    const huge = `{"level":50,"time":1795222547421,"msg":"dump","data":"${'z'.repeat(200_000)}"}`;
    writeFileSync(path.join(tmp.dir, 'app.1.log'), `{"level":30,"msg":"small"}\n${huge}\n{"level":30,"msg":"after"}\n`);
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--json', '--level', 'error'], t)).toBe(0);
    const records = t.out().trimEnd().split('\n').map((l) => JSON.parse(l) as { level: string; time: string; msg: string; line: string });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ level: 'error', time: '2026-11-21T00:55:47.421Z', msg: 'dump' });
    expect(records[0]!.line).toMatch(/…\[cut \d+ bytes\]$/);
  });

  it('-n 0 prints nothing and exits 0 (text and --json)', async () => {
    writeFileSync(path.join(tmp.dir, 'a.log'), 'x\ny\n');
    for (const extra of [[], ['--json']]) {
      const t = cliIo();
      expect(await runCli(['tail', '--log-dir', tmp.dir, '-n', '0', ...extra], t)).toBe(0);
      expect(t.out()).toBe('');
      expect(t.err()).toBe('');
    }
  });
});

describe('codex-diag tail -f (real process)', () => {
  function startTail(args: string[]) {
    const child = spawn(process.execPath, [cliMain, 'tail', '-f', '--log-dir', tmp.dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, out: () => out, err: () => err, exited };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('prints the last lines, follows new ones and exits 0 on %s', async (signal) => {
    const file = path.join(tmp.dir, 'app.1.log');
    writeFileSync(file, 'one\ntwo\nthree\n');
    const tail = startTail(['-n', '2']);
    await waitFor(() => tail.out() === 'two\nthree\n', 'the initial lines', 10_000);
    appendFileSync(file, 'four\n');
    writeFileSync(path.join(tmp.dir, 'app.2.log'), 'five\n');
    await waitFor(() => tail.out() === 'two\nthree\nfour\nfive\n', 'the new lines', 10_000);
    tail.child.kill(signal);
    expect(await tail.exited).toBe(0);
  }, 20_000);

  it('waits on an empty dir and prints lines once a log appears', async () => {
    const tail = startTail(['--json']);
    await waitFor(() => tail.err().includes('waiting'), 'the waiting note', 10_000);
    writeFileSync(path.join(tmp.dir, 'late.log'), 'hello\n');
    await waitFor(() => tail.out().length > 0 && tail.out().endsWith('\n'), 'the first line', 10_000);
    expect(JSON.parse(tail.out())).toEqual({ time: null, level: 'unknown', msg: 'hello', source: 'late.log', line: 'hello' });
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
  }, 20_000);
});
