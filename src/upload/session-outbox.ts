import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { NO_COUNTS, type SessionCounts } from './session-counts.js';
import { isTerminal, type SessionUpdate } from './session-update.js';
import { readdirOrEmpty } from '../fs/read-dir.js';

/**
 * Session updates waiting to be sent, in `<outbox>/sessions/`, one file per update
 * (`<sid>.<queued at>.<random>.json`), never rewritten: a writer only adds files and a drain only
 * removes the files it sent, so neither can lose the other's work. Each update carries the whole
 * session (the spec's "the most recent event holds the entire session state"), so a drain sends
 * one per session: the latest (a terminal one wins a tie), marked `init` when any pending update
 * of that session is, so the first update Sentry receives for a session is the one marked `init`
 * however many were queued while offline.
 *
 * `<sid>.delivered.json` records the counts of that session Sentry may already have (see
 * session-counts.ts): written before a request that carries them, kept when no answer came.
 */
export interface PendingSession {
  /** The files this update stands for (the session's pending updates). */
  files: string[];
  /** Epoch ms the latest of them was queued. */
  queuedAt: number;
  update: SessionUpdate;
}

const SID = /^[0-9a-f-]{32,36}$/;
const FILE = /^([0-9a-f-]{32,36})\.(\d{13})\.([0-9a-f]{8})\.json$/;
const DELIVERED = /^([0-9a-f-]{32,36})\.delivered\.json$/;

export class SessionOutbox {
  readonly dir: string;
  private readonly writer = new AtomicWriter();

  constructor(outboxDir: string) {
    this.dir = path.join(outboxDir, 'sessions');
  }

  /** Queues one update (atomic, 0600); no network I/O. */
  async put(update: SessionUpdate, nowMs: number): Promise<void> {
    if (!SID.test(update.sid)) throw new Error(`not a session id: ${update.sid}`);
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    const name = `${update.sid}.${String(Math.max(0, Math.floor(nowMs))).padStart(13, '0')}.${randomBytes(4).toString('hex')}.json`;
    await this.writer.write(path.join(this.dir, name), `${JSON.stringify(update)}\n`);
  }

  /** One merged update per session with pending files, oldest session first. Unreadable files are skipped (and kept). */
  async list(): Promise<PendingSession[]> {
    const names = await readdirOrEmpty(this.dir);
    const bySid = new Map<string, Array<{ file: string; queuedAt: number; update: SessionUpdate }>>();
    for (const name of names) {
      const match = FILE.exec(name);
      if (!match) continue;
      const update = await readUpdate(path.join(this.dir, name));
      if (!update || update.sid !== match[1]) continue;
      const list = bySid.get(update.sid) ?? [];
      list.push({ file: name, queuedAt: Number(match[2]), update });
      bySid.set(update.sid, list);
    }
    const out: PendingSession[] = [];
    for (const updates of bySid.values()) {
      updates.sort((a, b) => a.queuedAt - b.queuedAt || Number(isTerminal(a.update.status)) - Number(isTerminal(b.update.status)));
      const latest = updates[updates.length - 1]!;
      out.push({
        files: updates.map((u) => u.file),
        queuedAt: latest.queuedAt,
        update: { ...latest.update, init: updates.some((u) => u.update.init) },
      });
    }
    return out.sort((a, b) => a.queuedAt - b.queuedAt);
  }

  /** After a 2xx, or when given up: removes exactly the files that update stood for. */
  async remove(pending: PendingSession): Promise<void> {
    for (const file of pending.files) await fsp.rm(path.join(this.dir, file), { force: true });
  }

  /** The counts of this session Sentry may already have (none when there is no readable marker). */
  async delivered(sid: string): Promise<SessionCounts> {
    try {
      const doc = JSON.parse(await fsp.readFile(this.deliveredFile(sid), 'utf8')) as Partial<SessionCounts>;
      return { init: doc.init === true, fatal: doc.fatal === 'crashed' || doc.fatal === 'abnormal' ? doc.fatal : null };
    } catch {
      return { ...NO_COUNTS };
    }
  }

  async markDelivered(sid: string, counts: SessionCounts): Promise<void> {
    if (!SID.test(sid)) throw new Error(`not a session id: ${sid}`);
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await this.writer.write(this.deliveredFile(sid), `${JSON.stringify(counts)}\n`);
  }

  async forgetDelivered(sid: string): Promise<void> {
    await fsp.rm(this.deliveredFile(sid), { force: true });
  }

  /**
   * Removes the delivered markers of sessions with nothing pending (the drain's, under its lock). A
   * marker outlives its session's updates only after a crash between the two removals, and no later
   * update of that session can carry counts again (init is the first, a fatal status the last).
   */
  async forgetSettled(pending: readonly PendingSession[]): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return;
    }
    const open = new Set(pending.map((p) => p.update.sid));
    for (const name of names) {
      const sid = DELIVERED.exec(name)?.[1];
      if (sid && !open.has(sid)) await this.forgetDelivered(sid).catch(() => undefined);
    }
  }

  private deliveredFile(sid: string): string {
    return path.join(this.dir, `${sid}.delivered.json`);
  }

  async idle(): Promise<void> {
    await this.writer.idle();
  }
}

async function readUpdate(file: string): Promise<SessionUpdate | null> {
  try {
    const parsed = JSON.parse(await fsp.readFile(file, 'utf8')) as SessionUpdate;
    return typeof parsed === 'object' && parsed !== null && typeof parsed.sid === 'string' && typeof parsed.started === 'string' && typeof parsed.status === 'string' ? parsed : null;
  } catch {
    return null;
  }
}
