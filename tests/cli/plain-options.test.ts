import { Command, CommanderError } from 'commander';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addOptions, type OptionSpec } from '../../src/cli/option-spec.js';
import { parsePlainOptions } from '../../src/cli/plain-options.js';
import { quickTail } from '../../src/cli/tail.js';

/** What commander makes of `args` for a command with these options: its values, or the error it raises. */
function commanderParse(args: string[], specs: readonly OptionSpec[]): { options: Record<string, unknown> } | { error: string } {
  let options: Record<string, unknown> = {};
  const command = addOptions(new Command('tail'), specs)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .action((opts: Record<string, unknown>) => {
      options = opts;
    });
  try {
    command.parse(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { error: error.code };
    throw error;
  }
  return { options };
}

const tokens = [
  '-n', '--lines', '-f', '--follow', '--level', '--redact', '--log-dir', '--data-dir', '--state', '--json', '-q', '--quiet',
  '5', '0', 'warn', '/var/log/app', 'relative dir', '-n5', '-n=3', '--lines=7', '--lines=', '--level=error', '--log-dir=/y',
  '-fq', '-qf', '-fn', '--bogus', '-x', 'extra', '-', '--', '--follow=1', '--json=yes', '-5', '', '=', '--help', '-h', '--LINES',
];

describe('reading tail options without commander', () => {
  it('gives the values commander gives for every argv it reads, and reads none commander refuses', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...tokens), { maxLength: 7 }), (args) => {
        const plain = parsePlainOptions(args, quickTail.options);
        if (plain === undefined) return; // commander parses it, as it always did
        expect(commanderParse(args, quickTail.options)).toEqual({ options: plain });
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    [['-n', '3', '--log-dir', '/l'], { lines: '3', logDir: '/l' }],
    [['-n3', '-f', '--level=warn'], { lines: '3', follow: true, level: 'warn' }],
    [['--lines=', '--json', '-q'], { lines: '', json: true, quiet: true }],
    [['-n', '1', '-n', '2'], { lines: '2' }],
    [[], { lines: '10' }],
  ])('reads %j', (args, expected) => {
    expect(parsePlainOptions(args, quickTail.options)).toEqual(expected);
    expect(commanderParse(args, quickTail.options)).toEqual({ options: expected });
  });

  it.each([
    [['--help']],
    [['-h']],
    [['extra']],
    [['-fq']],
    [['-n']],
    [['-n', '-5']],
    [['--follow=1']],
    [['--', '-n', '1']],
    [['--bogus']],
  ])('leaves %j to commander (help, errors and odd forms)', (args) => {
    expect(parsePlainOptions(args, quickTail.options)).toBeUndefined();
  });

  it('leaves a command alone whose options it does not know how to read', () => {
    expect(parsePlainOptions([], [{ flags: '--no-color', description: '' }])).toBeUndefined();
    expect(parsePlainOptions([], [{ flags: '--out [file]', description: '' }])).toBeUndefined();
  });
});
