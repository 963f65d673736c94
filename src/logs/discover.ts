import { promises as fsp, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { DiagError, errnoCode } from '../errors.js';
import {
  compareDateSegments,
  parseDesktopLogName,
  parsePinoRollName,
  type DesktopLogName,
  type PinoRollName,
} from './file-naming.js';

export type LogFileKind = 'pino-roll' | 'desktop' | 'plain';

/** One log file found in a log dir, with the size and identity seen at discovery. */
export interface LogFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the log dir with `/` separators (what TailLine.source carries). */
  source: string;
  kind: LogFileKind;
  /** Files of one family have an order from their names (one pino-roll logger, the desktop layout). */
  family: string;
  size: number;
  mtimeMs: number;
  /** `dev:ino`, to recognise the same file behind a symlink or after a rename. */
  identity: string;
}

const isLogName = (name: string) => name.endsWith('.log');
const isYear = (name: string) => /^\d{4}$/.test(name);
const isTwoDigits = (name: string) => /^\d{2}$/.test(name);

interface Candidate {
  path: string;
  source: string;
}

/** A log dir's files and the dated subdirs (`YYYY`, `YYYY/MM`, `YYYY/MM/DD`) they were listed from. */
export interface LogTree {
  files: LogFile[];
  /** Absolute paths of the dated subdirs walked (a follower watches them for new files). */
  dirs: string[];
}

/**
 * Lists the log files of `logDir`, oldest to newest (contract: Logs).
 * Missing dir: DiagError NOT_FOUND (exit 2). An empty list is returned as is; callers decide
 * whether that is NO_LOGS.
 */
export async function discoverLogFiles(logDir: string): Promise<LogFile[]> {
  return (await discoverLogTree(logDir)).files;
}

/** discoverLogFiles, also naming the dated subdirs it walked. */
export async function discoverLogTree(logDir: string): Promise<LogTree> {
  let top: Dirent[];
  try {
    top = await fsp.readdir(logDir, { withFileTypes: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') throw new DiagError('NOT_FOUND', `log dir not found: ${logDir}`);
    if (code === 'ENOTDIR') throw new DiagError('BAD_INPUT', `log dir is not a directory: ${logDir}`);
    throw new DiagError('IO', `cannot read log dir ${logDir}: ${(error as Error).message}`, { cause: error });
  }

  const files: Candidate[] = [];
  const links: Candidate[] = [];
  const dirs: string[] = [];
  for (const entry of top) {
    const full = path.join(logDir, entry.name);
    if (entry.isDirectory() && isYear(entry.name)) {
      files.push(...(await listDayTree(full, entry.name, dirs)));
    } else if (isLogName(entry.name)) {
      (entry.isSymbolicLink() ? links : files).push({ path: full, source: entry.name });
    }
  }

  const found = (await Promise.all(files.map((c) => statLogFile(c, 'lstat')))).filter(isPresent);
  const identities = new Set(found.map((f) => f.identity));
  // A symlink (pino-roll's current.log) is never read twice. One that points at a file this listing
  // covers by itself is skipped: its target is listed under its own name, or will be on the next
  // discovery. Taking the target through the link instead would let a file newer than the readdir
  // snapshot in ahead of files created between them, and a follower would read them out of order.
  // A symlink to a file elsewhere is listed under the link's name.
  for (const link of links) {
    const target = await resolveLink(logDir, link);
    if (!target || (target.inside && isCoveredByListing(target.source))) continue;
    const stats = await statLogFile(link, 'stat');
    if (stats && !identities.has(stats.identity)) {
      identities.add(stats.identity);
      found.push(stats);
    }
  }
  return { files: orderLogFiles(found), dirs };
}

/** Where a symlink points: inside the log dir (with its relative `/` path) or elsewhere; null when dangling. */
async function resolveLink(logDir: string, link: Candidate): Promise<{ inside: boolean; source: string } | null> {
  try {
    const [real, realDir] = await Promise.all([fsp.realpath(link.path), fsp.realpath(logDir)]);
    const relative = path.relative(realDir, real);
    const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
    return { inside, source: relative.split(path.sep).join('/') };
  } catch {
    return null;
  }
}

/** True for a path discovery lists on its own: a top-level `*.log`, or a `YYYY/MM/DD/*.log`. */
function isCoveredByListing(source: string): boolean {
  return /^[^/]+\.log$/.test(source) || /^\d{4}\/\d{2}\/\d{2}\/[^/]+\.log$/.test(source);
}

/** `YYYY/MM/DD/*.log` under a year dir (the Codex desktop layout). */
async function listDayTree(yearDir: string, year: string, dirs: string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  dirs.push(yearDir);
  for (const month of await readDirNames(yearDir)) {
    if (!isTwoDigits(month)) continue;
    dirs.push(path.join(yearDir, month));
    for (const day of await readDirNames(path.join(yearDir, month))) {
      if (!isTwoDigits(day)) continue;
      const dayDir = path.join(yearDir, month, day);
      dirs.push(dayDir);
      for (const name of await readDirNames(dayDir)) {
        if (isLogName(name)) out.push({ path: path.join(dayDir, name), source: `${year}/${month}/${day}/${name}` });
      }
    }
  }
  return out;
}

async function readDirNames(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch {
    return []; // not a dir, or removed meanwhile: nothing to read there
  }
}

async function statLogFile(candidate: Candidate, how: 'stat' | 'lstat'): Promise<LogFile | null> {
  let stats: Stats;
  try {
    stats = await (how === 'stat' ? fsp.stat(candidate.path) : fsp.lstat(candidate.path));
  } catch {
    return null; // vanished between listing and stat, or a dangling symlink
  }
  if (!stats.isFile()) return null;
  const kind: LogFileKind = parseDesktopLogName(candidate.source) ? 'desktop' : parsePinoRollName(baseName(candidate.source)) ? 'pino-roll' : 'plain';
  const file = {
    path: candidate.path,
    source: candidate.source,
    kind,
    family: '',
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    identity: `${stats.dev}:${stats.ino}`,
  };
  file.family = familyKey(file);
  return file;
}

function isPresent<T>(value: T | null): value is T {
  return value !== null;
}

function baseName(source: string): string {
  return source.slice(source.lastIndexOf('/') + 1);
}

/**
 * Orders files oldest to newest. Files of one family have a known order from their names
 * (a pino-roll logger: date then N; the desktop layout: day, start time, writer, segment); families
 * are merged by modification time, taking whichever family's next file is older, so each family's
 * order is kept and unrelated files interleave by time.
 */
export function orderLogFiles(files: readonly LogFile[]): LogFile[] {
  const families = new Map<string, Named[]>();
  for (const file of files) {
    // Each name parsed once here, not in every comparison of the sort (a follower orders on every scan).
    const named = nameOf(file);
    const family = families.get(file.family);
    if (family) family.push(named);
    else families.set(file.family, [named]);
  }
  const queues = [...families.values()].map((family) => family.sort(compareWithinFamily).map((n) => n.file));
  const heads = queues.map(() => 0);
  const out: LogFile[] = [];
  for (;;) {
    let best = -1;
    for (let q = 0; q < queues.length; q++) {
      const candidate = queues[q]![heads[q]!];
      if (!candidate) continue;
      const current = best === -1 ? undefined : queues[best]![heads[best]!];
      if (!current || compareByTime(candidate, current) < 0) best = q;
    }
    if (best === -1) return out;
    out.push(queues[best]![heads[best]!]!);
    heads[best]!++;
  }
}

/** A file with its parsed name, for ordering within its family. */
type Named =
  | { file: LogFile; kind: 'pino-roll'; name: PinoRollName }
  | { file: LogFile; kind: 'desktop'; name: DesktopLogName }
  | { file: LogFile; kind: 'plain' };

function nameOf(file: LogFile): Named {
  if (file.kind === 'pino-roll') {
    const name = parsePinoRollName(baseName(file.source));
    if (name) return { file, kind: 'pino-roll', name };
  } else if (file.kind === 'desktop') {
    const name = parseDesktopLogName(file.source);
    if (name) return { file, kind: 'desktop', name };
  }
  return { file, kind: 'plain' };
}

function familyKey(file: Pick<LogFile, 'kind' | 'source'>): string {
  if (file.kind === 'desktop') return 'desktop:';
  if (file.kind === 'pino-roll') {
    const name = parsePinoRollName(baseName(file.source))!;
    const dir = file.source.slice(0, file.source.length - baseName(file.source).length);
    return `pino-roll:${dir}${name.base}\u0000${name.extension}`;
  }
  return `plain:${file.source}`;
}

function compareByTime(a: LogFile, b: LogFile): number {
  return a.mtimeMs - b.mtimeMs || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0);
}

function compareWithinFamily(a: Named, b: Named): number {
  if (a.kind === 'pino-roll' && b.kind === 'pino-roll') return comparePinoRoll(a.name, b.name) || compareByTime(a.file, b.file);
  if (a.kind === 'desktop' && b.kind === 'desktop') return compareDesktop(a.name, b.name) || compareByTime(a.file, b.file);
  return compareByTime(a.file, b.file);
}

function comparePinoRoll(a: PinoRollName, b: PinoRollName): number {
  return compareDateSegments(a.date, b.date) || a.number - b.number;
}

function compareDesktop(a: DesktopLogName, b: DesktopLogName): number {
  const day = (a.day ?? '') < (b.day ?? '') ? -1 : (a.day ?? '') > (b.day ?? '') ? 1 : 0;
  if (day !== 0) return day;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  const writerA = `${a.session}-${a.pid}-${a.thread}-${a.instance}`;
  const writerB = `${b.session}-${b.pid}-${b.thread}-${b.instance}`;
  if (writerA !== writerB) return writerA < writerB ? -1 : 1;
  return a.segment - b.segment;
}
