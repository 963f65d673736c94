import type { Command } from 'commander';

/**
 * One option of a command, as data: commander registers it from this (help text, defaults), and the
 * plain-options reader (plain-options.ts) reads argv by the same rows, so the two cannot drift apart.
 */
export interface OptionSpec {
  /** commander's flags string: `-n, --lines <n>`, `--redact`. */
  flags: string;
  description: string;
  /** The value used when the option is not given. */
  defaultValue?: string;
}

/** Registers the options of `specs` on a commander command, in order. */
export function addOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    if (spec.defaultValue === undefined) command.option(spec.flags, spec.description);
    else command.option(spec.flags, spec.description, spec.defaultValue);
  }
  return command;
}
