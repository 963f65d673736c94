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

  it.each(commands)('gives --help for %s with the common options', async (command) => {
    const t = io();
    expect(await runCli([command, '--help'], t)).toBe(0);
    for (const option of ['--log-dir', '--data-dir', '--state', '--json', '--quiet']) expect(t.out()).toContain(option);
  });

  it('answers an unknown command with exit 2 and a one-line error', async () => {
    const t = io();
    expect(await runCli(['frobnicate'], t)).toBe(2);
    expect(t.err().split('\n')[0]).toMatch(/^codex-diag: unknown command 'frobnicate'/);
  });

  it('answers an unknown option with exit 2', async () => {
    const t = io();
    expect(await runCli(['tail', '--no-such-option'], t)).toBe(2);
    expect(t.err()).toContain("unknown option '--no-such-option'");
  });
});
