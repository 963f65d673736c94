import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../clock.js';
import { readdirOrEmpty } from '../fs/read-dir.js';
import { errnoCode, oneLine } from '../errors.js';
import { AtomicWriter, fsyncDirectory, renameWithRetry, tempPathFor } from '../fs/atomic-write.js';
import type { EvictionRank } from './eviction-policy.js';
import { validHeldBack, type HeldBackCount } from './held-back.js';
import { readRateLimits, writeRateLimits } from './rate-limit-file.js';
import type { RateLimits, RateLimitWarn } from './rate-limits.js';

/** The metadata kept beside each queued bundle (`<itemId>.json` next to `<itemId>.zip`). */
export interface OutboxItem {
  version: 1;
  itemId: string;
  /** Fixed when the bundle entered the outbox: every retry sends the same event. */
  eventId: string;
  /** Epoch ms. */
  createdAt: number;
  attempts: number;
  /** Epoch ms before which no automatic drain tries it (a manual `upload` may). */
  nextAttemptAt: number;
  /** HTTP status of the last attempt, or the network error code. */
  lastStatus: number | string | null;
  lastError: string | null;
  /** Size of the zip in the outbox. */
  bytes: number;
  /** How often a 413 made it re-pack the bundle smaller. */
  repacks: number;
  /** Where the bundle was enqueued from (for people; the outbox copy is what is sent). */
  source: string;
  /** The incident's fingerprint, when known: the bounds keep the first and latest of each. */
  fingerprint?: string;
  /** Occurrences of this fingerprint not sent on their own, carried into this event (see held-back.ts). */
  heldBack?: HeldBackCount | null;
}

/** What an enqueue may say about the item beyond its bundle. */
export interface OutboxItemMeta {
  fingerprint?: string;
  heldBack?: HeldBackCount | null;
}

/** A record kept in `failed/` beside the zip. */
export interface FailedItem extends OutboxItem {
  failedAt: number;
  failedStatus: number | string | null;
  failedReason: string;
}

/** One line of `evictions.jsonl`: every item that left the outbox without a 2xx. */
export interface EvictionRecord {
  at: number;
  itemId: string;
  eventId: string;
  reason: string;
  /** Where it went: `failed/` or deleted (only from `failed/` itself, when that is over its bound). */
  action: 'moved-to-failed' | 'deleted';
  fingerprint?: string;
  /** What it was to its fingerprint when the bounds evicted it (eviction-policy.ts). */
  rank?: EvictionRank;
  /** The queued item of the same fingerprint that carries its count on. */
  carriedTo?: string;
}

export type OutboxLog = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

const ITEM_ID = /^(\d{13})-([0-9a-f]{32})$/;
const ORPHAN_GRACE_MS = 60_000;

/**
 * The outbox on disk. Each item is its zip plus a JSON record, both written atomically with mode
 * 0600, the zip first: a zip without its record (a crash in between) is recovered from its name,
 * which carries the creation time and the event id. Items leave only after a 2xx (deleted) or
 * into `failed/` with the status and reason.
 */
export class OutboxStore {
  readonly dir: string;
  readonly failedDir: string;
  private readonly writer = new AtomicWriter();

  constructor(
    dir: string,
    private readonly clock: Clock,
    private readonly log: OutboxLog = () => undefined,
  ) {
    this.dir = dir;
    this.failedDir = path.join(dir, 'failed');
  }

  zipPath(itemId: string, failed = false): string {
    return path.join(failed ? this.failedDir : this.dir, `${itemId}.zip`);
  }

  metaPath(itemId: string, failed = false): string {
    return path.join(failed ? this.failedDir : this.dir, `${itemId}.json`);
  }

  async ensureDirs(): Promise<void> {
    await fsp.mkdir(this.failedDir, { recursive: true, mode: 0o700 });
  }

  /** Copies the bundle in (atomic, 0600) and writes its record; no network I/O happens here. */
  async add(bundlePath: string, eventId: string = newEventId(), meta: OutboxItemMeta = {}): Promise<OutboxItem> {
    await this.ensureDirs();
    const createdAt = this.clock.now();
    const itemId = `${String(createdAt).padStart(13, '0')}-${eventId}`;
    const bytes = await copyAtomically(bundlePath, this.zipPath(itemId));
    const item: OutboxItem = {
      version: 1,
      itemId,
      eventId,
      createdAt,
      attempts: 0,
      nextAttemptAt: createdAt,
      lastStatus: null,
      lastError: null,
      bytes,
      repacks: 0,
      source: path.resolve(bundlePath),
      ...(meta.fingerprint ? { fingerprint: meta.fingerprint } : {}),
      ...(meta.heldBack && meta.heldBack.total > 0 ? { heldBack: meta.heldBack } : {}),
    };
    await this.save(item);
    return item;
  }

  async save(item: OutboxItem): Promise<void> {
    await this.writer.write(this.metaPath(item.itemId), `${JSON.stringify(item, null, 2)}\n`);
  }

  /** Pending items, oldest first, after finishing any half-done step a crash left behind. */
  async list(): Promise<OutboxItem[]> {
    const names = await readdirOrEmpty(this.dir);
    const ids = new Set<string>();
    for (const name of names) {
      const match = /^(.*)\.(zip|json)$/.exec(name);
      if (match?.[1] && ITEM_ID.test(match[1])) ids.add(match[1]);
    }
    const items: OutboxItem[] = [];
    for (const itemId of [...ids].sort()) {
      const item = await this.recover(itemId, names.includes(`${itemId}.zip`), names.includes(`${itemId}.json`));
      if (item) items.push(item);
    }
    return items;
  }

  private async recover(itemId: string, hasZip: boolean, hasMeta: boolean): Promise<OutboxItem | null> {
    let corrupt = false;
    if (hasZip && hasMeta) {
      const item = await this.readMeta(itemId);
      if (item) return item;
      // Records are written atomically, so one that is there but unreadable is no write in
      // progress: it is damaged, and is rebuilt now rather than leaving its bundle unseen.
      corrupt = await exists(this.metaPath(itemId));
    }
    if (hasZip) {
      // The record is missing: rebuild it from the name, unless an enqueue may still be writing it.
      const stat = await fsp.stat(this.zipPath(itemId)).catch(() => null);
      if (!stat || (!corrupt && Date.now() - stat.mtimeMs < ORPHAN_GRACE_MS)) return null;
      const [, created, eventId] = ITEM_ID.exec(itemId) ?? [];
      const item: OutboxItem = {
        version: 1,
        itemId,
        eventId: eventId ?? newEventId(),
        createdAt: Number(created),
        attempts: 0,
        nextAttemptAt: 0,
        lastStatus: null,
        lastError: corrupt ? 'record rebuilt: it was unreadable' : 'record rebuilt after an interrupted write',
        bytes: stat.size,
        repacks: 0,
        source: this.zipPath(itemId),
      };
      this.log(
        'warn',
        corrupt
          ? `outbox: the record ${this.metaPath(itemId)} was unreadable (not a valid item record); rebuilt from its file name, the bundle is kept and sent`
          : `outbox: the record of ${this.zipPath(itemId)} was missing (interrupted write); rebuilt from its file name`,
        { itemId },
      );
      await this.save(item);
      return item;
    }
    // A record without its zip: a move to failed/ or a delete after a 2xx was interrupted; finish it.
    if (await exists(this.zipPath(itemId, true))) {
      if (!(await exists(this.metaPath(itemId, true)))) {
        const item = await this.readMeta(itemId);
        if (item) await this.writeFailedRecord(item, null, 'moved to failed/ (interrupted move completed)');
      }
    }
    await fsp.rm(this.metaPath(itemId), { force: true });
    return null;
  }

  /** The item's record, or null when it is missing or not a valid record for this item. */
  async readMeta(itemId: string, failed = false): Promise<OutboxItem | null> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fsp.readFile(this.metaPath(itemId, failed), 'utf8'));
    } catch {
      return null;
    }
    return validRecord(parsed, itemId);
  }

  /** True while the item is still queued (another drainer may have finished it meanwhile). */
  async isPending(itemId: string): Promise<boolean> {
    return (await exists(this.zipPath(itemId))) && (await exists(this.metaPath(itemId)));
  }

  /** After a 2xx: zip first, then the record (a record alone is cleaned up by `list`). */
  async remove(itemId: string): Promise<void> {
    await fsp.rm(this.zipPath(itemId), { force: true });
    await fsp.rm(this.metaPath(itemId), { force: true });
    await fsyncDirectory(this.dir).catch(() => undefined);
  }

  /** Moves an item to `failed/` with why; recorded in evictions.jsonl and logged. */
  async moveToFailed(item: OutboxItem, status: number | string | null, reason: string, detail: Pick<EvictionRecord, 'rank' | 'carriedTo'> = {}): Promise<EvictionRecord> {
    await this.ensureDirs();
    await renameWithRetry(this.zipPath(item.itemId), this.zipPath(item.itemId, true));
    await this.writeFailedRecord(item, status, reason);
    await fsp.rm(this.metaPath(item.itemId), { force: true });
    const record: EvictionRecord = {
      at: this.clock.now(),
      itemId: item.itemId,
      eventId: item.eventId,
      reason,
      action: 'moved-to-failed',
      ...(item.fingerprint ? { fingerprint: item.fingerprint } : {}),
      ...detail,
    };
    await this.recordEviction(record);
    this.log('warn', `outbox: item moved to failed/: ${reason}`, { itemId: item.itemId, eventId: item.eventId, status, movedToFailed: true });
    return record;
  }

  private async writeFailedRecord(item: OutboxItem, status: number | string | null, reason: string): Promise<void> {
    const failed: FailedItem = { ...item, failedAt: this.clock.now(), failedStatus: status, failedReason: reason };
    await this.writer.write(this.metaPath(item.itemId, true), `${JSON.stringify(failed, null, 2)}\n`);
  }

  /**
   * Removes temp files a crash left mid-copy or mid-write (`.<name>.<pid>.<hex>.tmp`). Only old
   * ones: a young one may belong to an enqueue still running in another process.
   */
  async sweepTempFiles(olderThanMs = 60 * 60 * 1000): Promise<number> {
    let removed = 0;
    for (const dir of [this.dir, this.failedDir]) {
      const names = await fsp.readdir(dir).catch(() => [] as string[]);
      for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
        const file = path.join(dir, name);
        const stat = await fsp.stat(file).catch(() => null);
        if (stat && Date.now() - stat.mtimeMs > olderThanMs) {
          await fsp.rm(file, { force: true });
          this.log('info', 'outbox: removed a temp file left by an interrupted write', { file });
          removed++;
        }
      }
    }
    return removed;
  }

  /** Items in `failed/`, oldest first. */
  async listFailed(): Promise<FailedItem[]> {
    const names = await readdirOrEmpty(this.failedDir);
    const out: FailedItem[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const item = (await this.readMeta(name.slice(0, -5), true)) as FailedItem | null;
      if (item) out.push(item);
    }
    return out;
  }

  /** Deletes a failed item (its bound was exceeded), with a record. */
  async deleteFailed(item: FailedItem, reason: string): Promise<EvictionRecord> {
    await fsp.rm(this.zipPath(item.itemId, true), { force: true });
    await fsp.rm(this.metaPath(item.itemId, true), { force: true });
    const record: EvictionRecord = {
      at: this.clock.now(),
      itemId: item.itemId,
      eventId: item.eventId,
      reason,
      action: 'deleted',
      ...(item.fingerprint ? { fingerprint: item.fingerprint } : {}),
    };
    await this.recordEviction(record);
    this.log('warn', `outbox: failed item deleted: ${reason}`, { itemId: item.itemId, eventId: item.eventId });
    return record;
  }

  /** Best effort: the move or delete is done, and a full disk must not stop the drain here; the log still says it. */
  private async recordEviction(record: EvictionRecord): Promise<void> {
    try {
      await fsp.appendFile(path.join(this.dir, 'evictions.jsonl'), `${JSON.stringify(record)}\n`, { mode: 0o600 });
    } catch (error) {
      this.log('error', `outbox: could not record an eviction in evictions.jsonl: ${oneLine(error)}`, { ...record });
    }
  }

  async evictions(): Promise<EvictionRecord[]> {
    try {
      const text = await fsp.readFile(path.join(this.dir, 'evictions.jsonl'), 'utf8');
      // A line torn by a crash mid-append is skipped, not a reason to lose the others.
      return text.split('\n').flatMap((line) => {
        try {
          return line.trim() === '' ? [] : [JSON.parse(line) as EvictionRecord];
        } catch {
          return [];
        }
      });
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return [];
      throw error;
    }
  }

  /** Swaps in a re-packed zip (after a 413) atomically. */
  async replaceZip(item: OutboxItem, newZip: string): Promise<OutboxItem> {
    await renameWithRetry(newZip, this.zipPath(item.itemId));
    await fsyncDirectory(this.dir).catch(() => undefined);
    const stat = await fsp.stat(this.zipPath(item.itemId));
    const updated = { ...item, bytes: stat.size, repacks: item.repacks + 1 };
    await this.save(updated);
    return updated;
  }

  /** A temp path in the outbox for a re-packed zip (same file system, so the rename is atomic). */
  tempZipPath(itemId: string): string {
    return tempPathFor(this.zipPath(itemId));
  }

  /** The rate limits in force for one DSN (see rate-limit-file.ts). */
  async readRateLimits(dsnKey: string, warn?: RateLimitWarn): Promise<RateLimits> {
    return readRateLimits(this.dir, dsnKey, this.clock.now(), warn);
  }

  async writeRateLimits(dsnKey: string, limits: RateLimits): Promise<void> {
    await this.ensureDirs();
    await writeRateLimits(this.dir, this.writer, dsnKey, limits, this.clock.now());
  }

  async idle(): Promise<void> {
    await this.writer.idle();
  }
}

/** Sentry event ids are 32 lowercase hex digits. */
export function newEventId(): string {
  return randomUUID().replace(/-/g, '');
}

async function copyAtomically(from: string, to: string): Promise<number> {
  const tmp = tempPathFor(to);
  try {
    await fsp.copyFile(from, tmp);
    await fsp.chmod(tmp, 0o600);
    const handle = await fsp.open(tmp, 'r+');
    let size: number;
    try {
      await handle.sync();
      size = (await handle.stat()).size;
    } finally {
      await handle.close();
    }
    await renameWithRetry(tmp, to);
    await fsyncDirectory(path.dirname(to)).catch(() => undefined);
    return size;
  } catch (error) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * A record is used only when the fields the drain computes with are sound: a hand-edited or
 * damaged one (NaN attempts, a missing schedule, another item's event id) would otherwise send the
 * wrong event or retry with no backoff. The event id must be the one in the item's name.
 */
function validRecord(value: unknown, itemId: string): OutboxItem | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Partial<OutboxItem>;
  const idEventId = ITEM_ID.exec(itemId)?.[2];
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (record.itemId !== itemId || record.eventId !== idEventId) return null;
  if (![record.attempts, record.createdAt, record.bytes, record.repacks].every(count) || typeof record.nextAttemptAt !== 'number' || !Number.isFinite(record.nextAttemptAt)) return null;
  // The optional fields only inform the policy and the event: a damaged one is dropped, not the item.
  const item = { ...record } as OutboxItem;
  if (item.fingerprint !== undefined && typeof item.fingerprint !== 'string') delete item.fingerprint;
  if (item.heldBack !== undefined) {
    const heldBack = validHeldBack(item.heldBack);
    if (heldBack) item.heldBack = heldBack;
    else delete item.heldBack;
  }
  return item;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}
