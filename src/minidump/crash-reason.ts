import { Platform } from './format.js';
import type { ExceptionInfo } from './types.js';

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  24: 'SIGXCPU', 25: 'SIGXFSZ', 31: 'SIGSYS',
};

/** `si_code` names of the fault signals (the exception flags on Linux), as Breakpad prints them. */
const SIGNAL_CODES: Record<number, readonly string[]> = {
  4: ['', 'ILL_ILLOPC', 'ILL_ILLOPN', 'ILL_ILLADR', 'ILL_ILLTRP', 'ILL_PRVOPC', 'ILL_PRVREG', 'ILL_COPROC', 'ILL_BADSTK'],
  7: ['', 'BUS_ADRALN', 'BUS_ADRERR', 'BUS_OBJERR', 'BUS_MCEERR_AR', 'BUS_MCEERR_AO'],
  8: ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV', 'FPE_FLTSUB'],
  11: ['', 'SEGV_MAPERR', 'SEGV_ACCERR', 'SEGV_BNDERR', 'SEGV_PKUERR'],
};

const WINDOWS_CODES: Record<number, string> = {
  0xc0000005: 'EXCEPTION_ACCESS_VIOLATION',
  0xc0000006: 'EXCEPTION_IN_PAGE_ERROR',
  0x80000003: 'EXCEPTION_BREAKPOINT',
  0xc000001d: 'EXCEPTION_ILLEGAL_INSTRUCTION',
  0xc0000094: 'EXCEPTION_INT_DIVIDE_BY_ZERO',
  0xc00000fd: 'EXCEPTION_STACK_OVERFLOW',
  0xc0000374: 'STATUS_HEAP_CORRUPTION',
  0xc0000409: 'STATUS_STACK_BUFFER_OVERRUN',
  0xc0000420: 'STATUS_ASSERTION_FAILURE',
  0xe06d7363: 'Unhandled C++ exception',
  0x4000001f: 'STATUS_WX86_BREAKPOINT',
};

const MAC_EXCEPTIONS: Record<number, string> = {
  1: 'EXC_BAD_ACCESS', 2: 'EXC_BAD_INSTRUCTION', 3: 'EXC_ARITHMETIC', 4: 'EXC_EMULATION', 5: 'EXC_SOFTWARE',
  6: 'EXC_BREAKPOINT', 10: 'EXC_CRASH', 11: 'EXC_RESOURCE', 12: 'EXC_GUARD',
};

/** The crash reason as a person reads it (`SIGSEGV`, `EXCEPTION_ACCESS_VIOLATION`, `EXC_BAD_ACCESS`). */
export function crashReason(exception: ExceptionInfo, platformId: number | null): string {
  const code = exception.code >>> 0;
  const hex = `0x${code.toString(16).padStart(8, '0')}`;
  switch (platformId) {
    case Platform.windows:
      return WINDOWS_CODES[code] ?? hex;
    case Platform.macos:
    case Platform.ios:
      return MAC_EXCEPTIONS[code] ?? hex;
    case Platform.linux:
    case Platform.android:
    case Platform.fuchsia:
      return signalReason(code, exception.flags);
    default:
      return SIGNALS[code] ?? hex;
  }
}

function signalReason(signal: number, siCode: number): string {
  const name = SIGNALS[signal] ?? `signal ${signal}`;
  const detail = SIGNAL_CODES[signal]?.[siCode];
  return detail ? `${name} / ${detail}` : name;
}
