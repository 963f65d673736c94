/**
 * Log file naming, shared by the writer (createLogger) and the reader (discoverLogFiles) so both agree.
 *
 * pino-roll (node_modules/pino-roll/lib/utils.js `buildFileName`) names files
 * `<name>[.<date>].<N><ext>`: N starts at 1 and counts up on each roll, the optional date is the
 * `dateFormat` rendering of the rotation period (reset to N=1 when the date changes), and a
 * `current.log` symlink in the same dir points at the file being written.
 */

/** The symlink pino-roll keeps pointing at the active file (pino-roll `createSymlinkSync`). */
export const CURRENT_LOG_SYMLINK = 'current.log';

/** Default base name and extension of the files createLogger writes. */
export const DEFAULT_LOG_NAME = 'app';
export const LOG_EXTENSION = '.log';

export interface PinoRollName {
  /** The base name before the optional date and the number. */
  base: string;
  /** The date segment as written (e.g. `2026-11-20`), or null when the files carry none. */
  date: string | null;
  /** The roll number N (1, 2, ...). */
  number: number;
  /** The extension with its dot (`.log`). */
  extension: string;
}

/** The file name pino-roll gives file number `number` (optionally for `date`) of a logger named `name`. */
export function logFileName(name: string, number: number, options: { date?: string | null; extension?: string } = {}): string {
  const date = options.date ? `.${options.date}` : '';
  const extension = options.extension ?? LOG_EXTENSION;
  return `${name}${date}.${number}${extension}`;
}

// A date segment is digits with `-`/`_` separators and at least 4 leading digits, so `app.12.3.log`
// is not mistaken for a dated file while `app.2026-11-20.3.log` and `app.20261120.3.log` are.
const pinoRollPattern = /^(?<base>.+?)(?:\.(?<date>\d{4}(?:[-_]?\d+)*))?\.(?<number>\d+)(?<extension>\.[^.]+)$/;

/** Parses a pino-roll file name; null when the name is not one. */
export function parsePinoRollName(fileName: string): PinoRollName | null {
  if (fileName === CURRENT_LOG_SYMLINK) return null;
  const groups = pinoRollPattern.exec(fileName)?.groups;
  if (!groups?.base || groups.number === undefined || !groups.extension) return null;
  const number = Number(groups.number);
  if (!Number.isSafeInteger(number)) return null;
  return { base: groups.base, date: groups.date ?? null, number, extension: groups.extension };
}

export interface DesktopLogName {
  /** `YYYYMMDD` from the `YYYY/MM/DD` directories, or null when the file is not under them. */
  day: string | null;
  session: string;
  pid: number;
  thread: number;
  instance: number;
  /** `HHMMSS` from the file name. */
  time: string;
  segment: number;
}

// Codex desktop layout: YYYY/MM/DD/codex-desktop-<session>-<pid>-t<thread>-i<instance>-<HHMMSS>-<segment>.log
const desktopPattern =
  /^codex-desktop-(?<session>.+)-(?<pid>\d+)-t(?<thread>\d+)-i(?<instance>\d+)-(?<time>\d{6})-(?<segment>\d+)\.log$/;
const dayDirsPattern = /(?:^|\/)(?<y>\d{4})\/(?<m>\d{2})\/(?<d>\d{2})\/[^/]+$/;

/** Parses a Codex desktop log path (relative, `/`-separated); null when it is not one. */
export function parseDesktopLogName(relativePath: string): DesktopLogName | null {
  const fileName = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  const g = desktopPattern.exec(fileName)?.groups;
  if (!g?.session || !g.pid || !g.thread || !g.instance || !g.time || !g.segment) return null;
  const day = dayDirsPattern.exec(relativePath)?.groups;
  return {
    day: day ? `${day.y}${day.m}${day.d}` : null,
    session: g.session,
    pid: Number(g.pid),
    thread: Number(g.thread),
    instance: Number(g.instance),
    time: g.time,
    segment: Number(g.segment),
  };
}

/** Compares two date segments by their digit groups as numbers, so differing widths still order. */
export function compareDateSegments(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  const ga = a.split(/[-_]/).map(Number);
  const gb = b.split(/[-_]/).map(Number);
  for (let i = 0; i < Math.max(ga.length, gb.length); i++) {
    const d = (ga[i] ?? -1) - (gb[i] ?? -1);
    if (d !== 0) return d;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
