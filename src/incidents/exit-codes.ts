import type { ExitCodeValue } from './schema.js';

/**
 * One exit code, whatever notation it came in. `canonical` goes into fingerprints and is
 * frozen for fp1; `label` is for people (titles, tags) and may gain names in later releases.
 */
export interface NormalisedExitCode {
  canonical: string;
  label: string;
}

/**
 * How to read a number:
 * - `crash`: Chromium reports a POSIX crash as the signal number (11) and shells as 128+N (139).
 * - `exit-status`: an exit status; 129..159 is a shell's 128+signal.
 * - `launch`: a platform launch error code; no signal meaning.
 * In every context a Windows NTSTATUS in any notation (-1073741819, 3221225477, 0xC0000005)
 * becomes the 8-digit upper-case hex form.
 */
export type ExitCodeReading = 'crash' | 'exit-status' | 'launch';

/** Signal numbers that mean the same on Linux and macOS (the others differ, e.g. 7, 10). */
const PORTABLE_SIGNALS: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/** NTSTATUS and exception codes seen in Chromium crashes on Windows. */
const WINDOWS_CODE_NAMES: Readonly<Record<string, string>> = {
  '0xC0000005': 'ACCESS_VIOLATION',
  '0xC0000006': 'IN_PAGE_ERROR',
  '0xC0000017': 'NO_MEMORY',
  '0xC000001D': 'ILLEGAL_INSTRUCTION',
  '0xC0000094': 'INTEGER_DIVIDE_BY_ZERO',
  '0xC0000095': 'INTEGER_OVERFLOW',
  '0xC0000096': 'PRIVILEGED_INSTRUCTION',
  '0xC00000FD': 'STACK_OVERFLOW',
  '0xC0000135': 'DLL_NOT_FOUND',
  '0xC0000142': 'DLL_INIT_FAILED',
  '0xC000013A': 'CONTROL_C_EXIT',
  '0xC0000374': 'HEAP_CORRUPTION',
  '0xC0000409': 'STACK_BUFFER_OVERRUN',
  '0xC000041D': 'FATAL_USER_CALLBACK_EXCEPTION',
  '0xC0000420': 'ASSERTION_FAILURE',
  '0xC0000602': 'FAIL_FAST_EXCEPTION',
  '0x80000003': 'BREAKPOINT',
  // Chromium's own exception code for out-of-memory terminations.
  '0xE0000008': 'OUT_OF_MEMORY',
  '0xE06D7363': 'CPP_EXCEPTION',
};

/** The integer an exit code value denotes, or undefined when it is not a safe integer. */
export function exitCodeInteger(value: ExitCodeValue | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  const text = value.trim();
  const n = /^0x/i.test(text) ? Number.parseInt(text.slice(2), 16) : Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function normaliseExitCode(
  value: ExitCodeValue | null | undefined,
  reading: ExitCodeReading,
): NormalisedExitCode | undefined {
  const n = exitCodeInteger(value);
  if (n === undefined) return undefined;
  if (n >= -0x80000000 && n <= 0xffffffff) {
    const unsigned = n >>> 0;
    if (unsigned >= 0x80000000) {
      const hex = `0x${unsigned.toString(16).toUpperCase().padStart(8, '0')}`;
      return { canonical: hex, label: WINDOWS_CODE_NAMES[hex] ?? hex };
    }
  }
  if (reading !== 'launch') {
    const signal = reading === 'crash' && n >= 1 && n <= 31 ? n : n >= 129 && n <= 159 ? n - 128 : undefined;
    if (signal !== undefined) {
      const name = signalName(signal);
      return { canonical: name, label: name };
    }
  }
  return { canonical: String(n), label: `code ${n}` };
}

/** `SIGSEGV` for a portable signal number, else `signal N`. */
function signalName(signal: number): string {
  return PORTABLE_SIGNALS[signal] ?? `signal ${signal}`;
}

/** A signal as Node reports it (`"SIGKILL"`) or as a number in text; undefined when absent. */
export function normaliseSignal(value: string | number | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return signalName(Number(text));
  const upper = text.toUpperCase();
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

/** Windows crash-like codes (the NTSTATUS error range), for severity decisions. */
export function isWindowsErrorStatus(code: NormalisedExitCode | undefined): boolean {
  return code !== undefined && /^0x[C-F]/.test(code.canonical);
}

/** Signals that mean the process crashed rather than being told to stop. */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGABRT', 'SIGFPE', 'SIGTRAP', 'SIGSYS']);
