import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock.js';
import { errnoCode } from '../errors.js';
import { fsyncDirectory } from '../fs/atomic-write.js';
import { dataLayout } from '../paths.js';
import type { AdmitDecision } from './crash-loop-limiter.js';
import type { FingerprintResult } from './fingerprint.js';
import { parseIncident } from './parse.js';
import type { Incident } from './schema.js';
import { readdirOrEmpty } from '../fs/read-dir.js';

/** One journal line: an incident as captured, its fingerprint, and what the limiter decided. */
export interface JournalRecord {
  /** ISO-8601: the incident's own time when it has one, else when it was journaled. */
  occurredAt: string;
  fingerprint: string;
  components: string[];
  title: string;
  incident: Incident;
  /** A bundle was (to be) built for this occurrence. */
  bundled: boolean;
  /** See `AdmitDecision.suppressedSinceLast`. */
  suppressedSinceLast: number;
}

const JournalLine = z.looseObject({
  occurredAt: z.string(),
  fingerprint: z.string().min(1),
  components: z.array(z.string()),
  title: z.string(),
  incident: z.unknown(),
  bundled: z.boolean(),
  suppressedSinceLast: z.number().int().nonnegative(),
});

export interface IncidentJournalOptions {
  /** The journal directory, `<dataDir>/journal` (see `IncidentJournal.inDataDir`). */
  dir: string;
  /** A file is closed and a new one started beyond this size (default 1 MiB). */
  maxFileBytes?: number;
  /** Files kept, the current one included; older ones are deleted (default 5). */
  keepFiles?: number;
  clock?: Pick<Clock, 'now'>;
}

export interface JournalReadResult {
  records: JournalRecord[];
  /** Lines that did not parse or validate (a torn last line after a crash, a foreign edit). */
  skippedLines: number;
}

const FILE_PATTERN = /^incidents-(\d{6,})\.jsonl$/;

function fileName(seq: number): string {
  return `incidents-${String(seq).padStart(6, '0')}.jsonl`;
}

interface ActiveFile {
  seq: number;
  size: number;
  /** False after a torn write: the next record starts on a fresh line. */
  endsWithNewline: boolean;
}

/** The ISO time of an incident's `occurredAt` (ISO text or Unix ms), if it is a valid time. */
function isoTime(value: string | number | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Append-only incident journal: JSON lines in numbered files under `<dataDir>/journal/`.
 * Every append is fsync'd before it resolves. Files are never rewritten or renamed: rotation
 * starts the next number and deletes the oldest beyond `keepFiles`, so a crash at any point
 * leaves at worst one torn last line, which reads skip.
 */
export class IncidentJournal {
  readonly dir: string;
  private readonly maxFileBytes: number;
  private readonly keepFiles: number;
  private readonly clock: Pick<Clock, 'now'>;
  private active: ActiveFile | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: IncidentJournalOptions) {
    this.dir = options.dir;
    this.maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
    this.keepFiles = Math.max(1, options.keepFiles ?? 5);
    this.clock = options.clock ?? systemClock;
  }

  static inDataDir(dataDir: string, options: Omit<IncidentJournalOptions, 'dir'> = {}): IncidentJournal {
    return new IncidentJournal({ ...options, dir: dataLayout(dataDir).journalDir });
  }

  /** Builds the record for an incident from its fingerprint and the limiter's decision. */
  recordFor(incident: Incident, fingerprint: FingerprintResult, decision: AdmitDecision): JournalRecord {
    return {
      occurredAt: isoTime(incident.occurredAt) ?? new Date(this.clock.now()).toISOString(),
      fingerprint: fingerprint.fingerprint,
      components: fingerprint.components,
      title: fingerprint.title,
      incident,
      bundled: decision.bundle,
      suppressedSinceLast: decision.suppressedSinceLast,
    };
  }

  /** Appends one record; resolves once it is on disk. Appends run one at a time, in call order. */
  append(record: JournalRecord): Promise<void> {
    const next = this.queue.catch(() => undefined).then(() => this.appendNow(record));
    this.queue = next;
    return next;
  }

  private async appendNow(record: JournalRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const bytes = Buffer.byteLength(line);
    try {
      let active = this.active ?? (await this.openActive());
      if (active.size > 0 && active.size + bytes > this.maxFileBytes) {
        active = { seq: active.seq + 1, size: 0, endsWithNewline: true };
        await this.deleteOlderThan(active.seq - this.keepFiles + 1);
      }
      const data = active.endsWithNewline ? line : `\n${line}`;
      const filePath = path.join(this.dir, fileName(active.seq));
      const created = active.size === 0;
      const handle = await fsp.open(filePath, 'a', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) await fsyncDirectory(this.dir);
      this.active = { seq: active.seq, size: active.size + Buffer.byteLength(data), endsWithNewline: true };
    } catch (error) {
      // Whatever is on disk now, the next append looks again rather than trusting the cache.
      this.active = undefined;
      throw error;
    }
  }

  private async openActive(): Promise<ActiveFile> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const seqs = await this.sequenceNumbers();
    const seq = seqs.at(-1) ?? 1;
    const filePath = path.join(this.dir, fileName(seq));
    let size = 0;
    let endsWithNewline = true;
    try {
      const stat = await fsp.stat(filePath);
      size = stat.size;
      if (size > 0) {
        const handle = await fsp.open(filePath, 'r');
        try {
          const last = Buffer.alloc(1);
          await handle.read(last, 0, 1, size - 1);
          endsWithNewline = last[0] === 0x0a;
        } finally {
          await handle.close();
        }
      }
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    return { seq, size, endsWithNewline };
  }

  /** Journal file numbers, oldest first. */
  private async sequenceNumbers(): Promise<number[]> {
    const names = await readdirOrEmpty(this.dir);
    return names
      .map((name) => FILE_PATTERN.exec(name)?.[1])
      .filter((seq): seq is string => seq !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  private async deleteOlderThan(firstKept: number): Promise<void> {
    for (const seq of await this.sequenceNumbers()) {
      if (seq >= firstKept) break;
      await fsp.rm(path.join(this.dir, fileName(seq)), { force: true });
    }
  }

  /** Journal file paths, oldest first. */
  async files(): Promise<string[]> {
    return (await this.sequenceNumbers()).map((seq) => path.join(this.dir, fileName(seq)));
  }

  /** Every readable record, oldest first, and how many lines were skipped. */
  async read(): Promise<JournalReadResult> {
    const records: JournalRecord[] = [];
    let skippedLines = 0;
    for (const file of await this.files()) {
      const result = parseJournalText(await readIfExists(file));
      records.push(...result.records);
      skippedLines += result.skippedLines;
    }
    return { records, skippedLines };
  }

  async readAll(): Promise<JournalRecord[]> {
    return (await this.read()).records;
  }

  /** The most recently journaled incident (for `export`), or undefined when there is none. */
  async latest(): Promise<JournalRecord | undefined> {
    const files = await this.files();
    for (const file of files.reverse()) {
      const { records } = parseJournalText(await readIfExists(file));
      const last = records.at(-1);
      if (last) return last;
    }
    return undefined;
  }
}

async function readIfExists(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    // Rotation may delete a file between listing and reading.
    if (errnoCode(error) === 'ENOENT') return '';
    throw error;
  }
}

/** Parses journal text, skipping lines that are torn or invalid. */
export function parseJournalText(text: string): JournalReadResult {
  const records: JournalRecord[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = parseJournalLine(line);
    if (record) records.push(record);
    else skippedLines += 1;
  }
  return { records, skippedLines };
}

function parseJournalLine(line: string): JournalRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const parsed = JournalLine.safeParse(value);
  if (!parsed.success) return undefined;
  const incident = parseIncident(parsed.data.incident);
  if (!incident.ok) return undefined;
  return { ...parsed.data, incident: incident.incident };
}
