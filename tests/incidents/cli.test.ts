import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/temp-dir.js';

const io = (stdinText = '') => cliIo({ cwd: dir, stdin: stdinText });

let dir: string;
beforeAll(async () => {
  dir = await tempDir('codex-diag-fp-cli-');
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const crash = { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/8f3a...?tab=2' };
const gpu = { kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, serviceName: '', name: '' };

describe('codex-diag fingerprint', () => {
  it('prints `<fingerprint>  <title>` per JSON line, in order, from a file', async () => {
    await fsp.writeFile(path.join(dir, 'two.jsonl'), `${JSON.stringify(crash)}\n\n${JSON.stringify(gpu)}\n`);
    const t = io();
    expect(await runCli(['fingerprint', 'two.jsonl'], t)).toBe(0);
    expect(t.out()).toBe('fp1-3327f7b9825d49ae  Renderer crashed (SIGSEGV) at /chat/:id\nfp1-187f681c40dc2977  GPU process crashed (ACCESS_VIOLATION)\n');
    expect(t.err()).toBe('');
  });

  it('prints JSON lines {fingerprint, components, title} with --json, from stdin', async () => {
    for (const args of [['fingerprint', '--json'], ['fingerprint', '-', '--json']]) {
      const t = io(`${JSON.stringify(gpu)}\r\n${JSON.stringify(crash)}`);
      expect(await runCli(args, t)).toBe(0);
      const lines = t.out().trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(lines).toEqual([
        { fingerprint: 'fp1-187f681c40dc2977', components: ['fp1', 'kind:child-process-gone', 'type:GPU', 'reason:crashed', 'exit:0xC0000005'], title: 'GPU process crashed (ACCESS_VIOLATION)' },
        expect.objectContaining({ fingerprint: 'fp1-3327f7b9825d49ae' }),
      ]);
    }
  });

  it('reads one pretty-printed incident object', async () => {
    const t = io(JSON.stringify(crash, null, 2));
    expect(await runCli(['fingerprint'], t)).toBe(0);
    expect(t.out()).toBe('fp1-3327f7b9825d49ae  Renderer crashed (SIGSEGV) at /chat/:id\n');
  });

  it('reports each bad line as `codex-diag: <input>: line N: <reason>`, still prints the good ones, and exits 2', async () => {
    const input = [JSON.stringify(crash), '{"kind":"render-process-gone"', JSON.stringify({ kind: 'did-fail-load', errorCode: -105, validatedURL: 'https://x', isMainFrame: 'yes' }), '', JSON.stringify(gpu)].join('\n');
    const t = io(input);
    expect(await runCli(['fingerprint'], t)).toBe(2);
    expect(t.out().trimEnd().split('\n')).toHaveLength(2);
    const errors = t.err().trimEnd().split('\n');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^codex-diag: .*: line 2: not valid JSON/);
    expect(errors[1]).toBe('codex-diag: standard input: line 3: isMainFrame: expected boolean, received string');
  });

  it('reports a broken pretty-printed document once', async () => {
    const t = io('{\n  "kind": "render-process-gone",\n  "reason": \n}\n');
    expect(await runCli(['fingerprint'], t)).toBe(2);
    expect(t.err().trimEnd().split('\n')).toHaveLength(1);
    expect(t.err()).toMatch(/^codex-diag: standard input: line 1: not valid JSON/);
  });

  it('exits 2 naming a missing file, 3 for input without incidents', async () => {
    const missing = io();
    expect(await runCli(['fingerprint', 'nope.jsonl'], missing)).toBe(2);
    expect(missing.err()).toContain('nope.jsonl');
    const empty = io('\n  \n');
    expect(await runCli(['fingerprint'], empty)).toBe(3);
    expect(empty.err()).toMatch(/no incident/);
    expect(empty.out()).toBe('');
  });
});
