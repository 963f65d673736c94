/**
 * Typed errors with stable codes. The CLI maps `exitCode` to the process exit status;
 * the library surfaces `code` so callers can branch without parsing messages.
 */

/** Exit codes documented in docs/CLI.md (contract). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  badInput: 2,
  nothingFound: 3,
  uploadIncomplete: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type DiagErrorCode =
  | 'BAD_USAGE'
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'NO_LOGS'
  | 'NO_INCIDENT'
  | 'NO_STATE'
  | 'STATE_CORRUPT'
  | 'STATE_FROM_NEWER_VERSION'
  | 'STATE_UNWRITABLE'
  | 'BAD_DSN'
  | 'BUNDLE_INVALID'
  | 'MINIDUMP_INVALID'
  | 'UPLOAD_INCOMPLETE'
  | 'IO'
  | 'INTERNAL';

const exitCodeFor: Record<DiagErrorCode, ExitCode> = {
  BAD_USAGE: ExitCode.badInput,
  BAD_INPUT: ExitCode.badInput,
  NOT_FOUND: ExitCode.badInput,
  NO_LOGS: ExitCode.nothingFound,
  NO_INCIDENT: ExitCode.nothingFound,
  NO_STATE: ExitCode.nothingFound,
  STATE_CORRUPT: ExitCode.badInput,
  STATE_FROM_NEWER_VERSION: ExitCode.badInput,
  STATE_UNWRITABLE: ExitCode.failure,
  BAD_DSN: ExitCode.badInput,
  BUNDLE_INVALID: ExitCode.badInput,
  MINIDUMP_INVALID: ExitCode.badInput,
  UPLOAD_INCOMPLETE: ExitCode.uploadIncomplete,
  IO: ExitCode.failure,
  INTERNAL: ExitCode.failure,
};

export class DiagError extends Error {
  readonly code: DiagErrorCode;
  readonly exitCode: ExitCode;

  constructor(code: DiagErrorCode, message: string, options?: { cause?: unknown; exitCode?: ExitCode }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DiagError';
    this.code = code;
    this.exitCode = options?.exitCode ?? exitCodeFor[code];
  }
}

export function isDiagError(value: unknown): value is DiagError {
  return value instanceof DiagError;
}

/** The errno code of a Node system error, if there is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

/** One line, for stderr: the first line of the message, never a stack. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? '';
}

/** What errno codes a person can act on mean, in words (the rest are shown as Node words them). */
const SYSTEM_REASONS: Record<string, string> = {
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOENT: 'no such file or directory',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many levels of symbolic links',
  EIO: 'input/output error',
};

/**
 * A Node system error a person can act on (disk full, read-only, permissions, a file where a
 * directory should be) as one line naming the path and the reason, e.g.
 * `cannot mkdir /data/bundles: read-only file system (EROFS)`; undefined for any other error.
 */
export function systemErrorLine(error: unknown): string | undefined {
  const code = errnoCode(error);
  const reason = code === undefined ? undefined : SYSTEM_REASONS[code];
  if (code === undefined || reason === undefined) return undefined;
  const { path: file, syscall } = error as { path?: unknown; syscall?: unknown };
  const op = typeof syscall === 'string' ? syscall : 'use';
  return typeof file === 'string' ? `cannot ${op} ${file}: ${reason} (${code})` : `${op} failed: ${reason} (${code})`;
}

/** systemErrorLine, or the error's first line. */
export function describeSystemError(error: unknown): string {
  return systemErrorLine(error) ?? oneLine(error);
}
