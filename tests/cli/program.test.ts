import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo as io } from '../helpers/cli-io.js';

const commands = ['export', 'tail', 'inspect', 'upload', 'state', 'redact', 'fingerprint', 'demo'];

describe('CLI skeleton', () => {
  it('lists every contract command in --help', async () => {
    const t = io();
    expect(await runCli(['--help'], t)).toBe(0);
    for (const c of commands) expect(t.out()).toContain(c);
  });

  it.each(commands.filter((c) => c !== 'demo'))('gives --help for %s with the common options', async (command) => {
    const t = io();
    expect(await runCli([command, '--help'], t)).toBe(0);
    for (const option of ['--log-dir', '--data-dir', '--state', '--json', '--quiet']) expect(t.out()).toContain(option);
  });

  it('lists for demo only the options it honours (it makes its own log and data dirs)', async () => {
    const t = io();
    expect(await runCli(['demo', '--help'], t)).toBe(0);
    for (const option of ['--dir', '--dsn', '--json', '--quiet']) expect(t.out()).toContain(option);
    for (const option of ['--log-dir', '--data-dir', '--state']) expect(t.out()).not.toContain(option);
    const u = io();
    expect(await runCli(['demo', '--log-dir', '/tmp'], u)).toBe(2);
    expect(u.err()).toContain("unknown option '--log-dir'");
  });

  it('answers an unknown command with exit 2 and a one-line error', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t)).toBe(2);
    expect(t.err().split('\n')[0]).toMatch(/^codex-diag: unknown command 'frobnicate'/);
  });

  it.each([
    [['tial']],
    [['tail', '--no-such-option']],
    [['export', '--lines']],
    [['inspect']],
    [['tail', 'extra', 'args']],
  ])('gives a usage error as exactly one line on stderr: %j', async (argv) => {
    const t = io();
    expect(await runCli(argv, t)).toBe(2);
    expect(t.err()).toMatch(/^codex-diag: [^\n]+\n$/);
    expect(t.out()).toBe('');
  });

  it('folds the "did you mean" hint into the one line', async () => {
    const t = io();
    expect(await runCli(['tial'], t)).toBe(2);
    expect(t.err()).toMatch(/^codex-diag: unknown command 'tial' \(Did you mean tail\?\) \(see 'codex-diag --help'\)\n$/);
  });

  it('--version prints the package version only', async () => {
    for (const flag of ['--version', '-V']) {
      const t = io();
      expect(await runCli([flag], t)).toBe(0);
      expect(t.out()).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    }
  });

  it('answers an unknown option with exit 2', async () => {
    const t = io();
    expect(await runCli(['tail', '--no-such-option'], t)).toBe(2);
    expect(t.err()).toContain("unknown option '--no-such-option'");
  });
});
