import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { readMinidump } from '../../src/minidump/index.js';
import { PLANTED } from '../helpers/chromium-crash.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FIXTURES } from './helpers.js';

/** The fake home dir the committed renderer fixture's profile lived under. */
function fixtureHome(): string {
  const flag = readMinidump(readFileSync(FIXTURES.renderer)).crashpad!.annotations.find((a) => a.value.startsWith('--user-data-dir='))!;
  return flag.value.slice('--user-data-dir='.length).split(`/${PLANTED.switchToken}`)[0]!;
}

describe('codex-diag minidump', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = makeTempDir()));
  afterEach(() => cleanup());

  it('--json prints the contract shape', async () => {
    const io = cliIo();
    expect(await runCli(['minidump', FIXTURES.renderer, '--json'], io)).toBe(0);
    const out = JSON.parse(io.out());
    expect(Object.keys(out).sort()).toEqual(['annotations', 'crashAddress', 'crashReason', 'crashingModule', 'modules', 'processType', 'threads']);
    expect(out).toMatchObject({ processType: 'renderer', crashReason: 'SIGTRAP', crashAddress: '0x0' });
    expect(out.crashingModule).toMatch(/chromium$/);
    expect(out.modules).toBeGreaterThan(20);
    expect(out.annotations.ptype).toBe('renderer');
  });

  it('prints a summary for people without --json', async () => {
    const io = cliIo();
    expect(await runCli(['minidump', FIXTURES.gpu], io)).toBe(0);
    expect(io.out()).toMatch(/process: +gpu-process \(pid \d+\)/);
    expect(io.out()).toMatch(/crash: +SIGSEGV/);
  });

  it('--scrub --out writes a scrubbed copy of the same size and leaves the input alone', async () => {
    const home = fixtureHome();
    const out = path.join(dir, 'scrubbed.dmp');
    const before = await fsp.readFile(FIXTURES.renderer);
    const io = cliIo({ homedir: home, env: { USER: path.basename(home) } });
    expect(await runCli(['minidump', FIXTURES.renderer, '--scrub', '--out', out, '--json'], io)).toBe(0);
    const json = JSON.parse(io.out());
    expect(json.scrub).toMatchObject({ out });
    expect(json.scrub.matches).toBeGreaterThan(0);
    expect(json.scrub.regions).toBeGreaterThan(0);
    expect(json.scrub.bytesScanned).toBeGreaterThan(0);
    const scrubbed = await fsp.readFile(out);
    expect(scrubbed.length).toBe(before.length);
    expect((await fsp.stat(out)).mode & 0o777).toBe(0o600);
    expect(await fsp.readFile(FIXTURES.renderer)).toEqual(before);
    expect(scrubbed.includes(PLANTED.memoryToken)).toBe(false);
    expect(JSON.stringify(json.annotations)).not.toContain(home);
    expect(JSON.stringify(json.annotations)).not.toContain(PLANTED.switchToken);
  });

  it('bad input: one line, exit 2, nothing written', async () => {
    const notDump = path.join(dir, 'notes.txt');
    await fsp.writeFile(notDump, 'hello, this is a text file and not a minidump at all');
    const truncated = path.join(dir, 'cut.dmp');
    await fsp.writeFile(truncated, (await fsp.readFile(FIXTURES.renderer)).subarray(0, 3000));
    const cases: [string[], RegExp][] = [
      [['minidump', notDump], /notes\.txt: not a readable minidump: bad signature/],
      [['minidump', truncated], /cut\.dmp: not a readable minidump: .* lies outside the file/],
      [['minidump', path.join(dir, 'missing.dmp')], /missing\.dmp: no such minidump file/],
      [['minidump', dir], /is a directory/],
      [['minidump', FIXTURES.gpu, '--scrub'], /--scrub needs --out/],
      [['minidump', FIXTURES.gpu, '--out', path.join(dir, 'x.dmp')], /--out is only for --scrub/],
      [['minidump', truncated, '--scrub', '--out', truncated], /is the input itself/],
      [['minidump', truncated, '--scrub', '--out', path.join(dir, 'x.dmp')], /cut\.dmp: not a readable minidump/],
    ];
    for (const [argv, message] of cases) {
      const io = cliIo();
      expect(await runCli(argv, io), argv.join(' ')).toBe(2);
      expect(io.err()).toMatch(message);
      expect(io.err().trim().split('\n')).toHaveLength(1);
    }
    expect((await fsp.readdir(dir)).sort()).toEqual(['cut.dmp', 'notes.txt']);
  });
});
