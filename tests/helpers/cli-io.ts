import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/context.js';

export interface CliIoOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  homedir?: string;
  /** Text stdin yields before it ends; left out, stdin stays open and empty. */
  stdin?: string;
  /** Whether stderr claims to be a terminal (commands print progress only there). */
  tty?: boolean;
}

export type CapturedCliIo = CliIo & { out: () => string; err: () => string };

/** A `CliIo` for `runCli` in-process: stdout and stderr are collected, read back with `out()` / `err()`. */
export function cliIo(options: CliIoOptions = {}): CapturedCliIo {
  const stdout = new PassThrough();
  const stderr = options.tty === undefined ? new PassThrough() : Object.assign(new PassThrough(), { isTTY: options.tty });
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += String(c)));
  stderr.on('data', (c) => (err += String(c)));
  return {
    stdout,
    stderr,
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    platform: 'linux',
    homedir: options.homedir ?? '/home/nobody',
    out: () => out,
    err: () => err,
  };
}
