import type { OptionSpec } from './option-spec.js';

/** Option values by commander's attribute name (`--log-dir` → `logDir`): strings, or true for a flag. */
export type PlainOptions = Record<string, string | boolean>;

interface Flag {
  attribute: string;
  takesValue: boolean;
}

// `-x, --name <value>` or `--name`, optionally with `<value>`: the only shapes read here.
const SIMPLE_FLAGS = /^(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)(?: <[^>]+>)?$/;

/**
 * Reads a command's options from argv by hand, for the commands run often enough that start-up
 * time matters (`tail`). Why not commander: loading it (CommonJS, six modules, parsed on every
 * run) costs more than `tail -n 10` itself. Only the plain forms are read: `--name value`,
 * `--name=value`, `-x value`, `-xvalue` and flags. Anything else (help, an unknown option, a
 * missing value or one that starts with `-`, grouped flags, an argument, `--`) gives undefined:
 * commander then parses argv as usual, so its help, errors and exit codes stay the only ones.
 * Gives the same values commander gives for every argv it accepts: defaults first, the last
 * occurrence of an option wins.
 */
export function parsePlainOptions(args: readonly string[], specs: readonly OptionSpec[]): PlainOptions | undefined {
  const flags = new Map<string, Flag>();
  const options: PlainOptions = {};
  for (const spec of specs) {
    const match = SIMPLE_FLAGS.exec(spec.flags);
    // `--no-x`, `[optional]` or variadic values have rules of their own: leave them to commander.
    if (!match || match[2]!.startsWith('--no-')) return undefined;
    const flag = { attribute: camelCase(match[2]!.slice(2)), takesValue: spec.flags.endsWith('>') };
    if (match[1]) flags.set(match[1], flag);
    flags.set(match[2]!, flag);
    if (spec.defaultValue !== undefined) options[flag.attribute] = spec.defaultValue;
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.length < 2 || !arg.startsWith('-') || arg === '--') return undefined;
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const exact = flags.get(equals === -1 ? arg : arg.slice(0, equals));
    if (exact) {
      if (equals !== -1) {
        if (!exact.takesValue) return undefined;
        options[exact.attribute] = arg.slice(equals + 1);
      } else if (exact.takesValue) {
        const value = args[++i];
        if (value === undefined || value.startsWith('-')) return undefined;
        options[exact.attribute] = value;
      } else {
        options[exact.attribute] = true;
      }
      continue;
    }
    // `-n10`: a short option with its value attached.
    const short = arg.startsWith('--') ? undefined : flags.get(arg.slice(0, 2));
    if (!short?.takesValue) return undefined;
    options[short.attribute] = arg.slice(2);
  }
  return options;
}

/** commander's attribute name for a long flag: `log-dir` → `logDir`. */
function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
