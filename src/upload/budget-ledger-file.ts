import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { emptyLedger, type BudgetLedger, type FingerprintLedger } from './budget-policy.js';
import { validHeldBack, type HoldReason } from './held-back.js';

/** One line of `held-back.jsonl`: an occurrence the budget did not send, and why. */
export interface HeldBackRecord {
  at: number;
  fingerprint: string;
  kind: string;
  level: string;
  reason: HoldReason;
}

/** The journal is kept under this size; past it the file moves to `held-back.jsonl.1` (one kept). */
const MAX_JOURNAL_BYTES = 1024 * 1024;

export type LedgerRead =
  | { ok: true; ledger: BudgetLedger }
  /** A file from a newer version: used read-only, never overwritten. */
  | { ok: 'newer'; ledger: BudgetLedger; version: number }
  /** Damaged: moved aside to `movedTo`, the budget starts from an empty ledger. */
  | { ok: false; ledger: BudgetLedger; problem: string; movedTo: string | null };

/**
 * The budget's ledger on disk (`<data dir>/delivery-budget.json`), its own small file rather than the
 * state file: the state's migration chain belongs to the app's state, and the budget must not wait
 * on it. Written atomically (temp, fsync, rename), one write at a time; a write asked for while one
 * runs is folded into the next.
 */
export class BudgetLedgerFile {
  private readonly writer = new AtomicWriter();
  private writing: Promise<void> | null = null;
  private dirty: BudgetLedger | null = null;

  constructor(
    readonly file: string,
    readonly journalFile: string,
  ) {}

  static inDataDir(dataDir: string): BudgetLedgerFile {
    return new BudgetLedgerFile(path.join(dataDir, 'delivery-budget.json'), path.join(dataDir, 'held-back.jsonl'));
  }

  /** The ledger; a damaged one is moved aside unless `readOnly` (a view must change nothing). */
  async read(now: number, readOnly = false): Promise<LedgerRead> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return { ok: true, ledger: emptyLedger() };
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return this.moveAside(now, `not valid JSON (${(error as Error).message})`, readOnly);
    }
    const version = (parsed as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && version > 1) return { ok: 'newer', ledger: decodeLedger(parsed) ?? emptyLedger(), version };
    const ledger = decodeLedger(parsed);
    if (!ledger) return this.moveAside(now, 'expected {"version":1,"fingerprints":{...}}', readOnly);
    return { ok: true, ledger };
  }

  /** Saves a copy of the ledger; resolves when it (or a later save that replaced it) is on disk. */
  save(ledger: BudgetLedger): Promise<void> {
    this.dirty = structuredClone(ledger);
    this.writing ??= this.flush().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async flush(): Promise<void> {
    while (this.dirty) {
      const next = this.dirty;
      this.dirty = null;
      await this.writer.write(this.file, `${JSON.stringify(next)}\n`);
    }
  }

  async journal(record: HeldBackRecord): Promise<void> {
    const size = await fsp.stat(this.journalFile).then((s) => s.size, () => 0);
    if (size > MAX_JOURNAL_BYTES) await fsp.rename(this.journalFile, `${this.journalFile}.1`).catch(() => undefined);
    await fsp.appendFile(this.journalFile, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  async idle(): Promise<void> {
    await this.writing;
    await this.writer.idle();
  }

  private async moveAside(now: number, problem: string, readOnly: boolean): Promise<LedgerRead> {
    if (readOnly) return { ok: false, ledger: emptyLedger(), problem: `${this.file}: ${problem}`, movedTo: null };
    const movedTo = path.join(path.dirname(this.file), `delivery-budget.corrupt-${now}.json`);
    const moved = await fsp.rename(this.file, movedTo).then(() => true, () => false);
    return { ok: false, ledger: emptyLedger(), problem: `${this.file}: ${problem}`, movedTo: moved ? movedTo : null };
  }
}

/** A ledger from parsed JSON, keeping only sound entries; null when the shape is wrong. */
export function decodeLedger(value: unknown): BudgetLedger | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const v = value as { version?: unknown; fingerprints?: unknown };
  if (v.version !== undefined && typeof v.version !== 'number') return null;
  if (typeof v.fingerprints !== 'object' || v.fingerprints === null || Array.isArray(v.fingerprints)) return null;
  const ledger = emptyLedger();
  for (const [name, raw] of Object.entries(v.fingerprints as Record<string, unknown>)) {
    const entry = decodeEntry(raw);
    if (entry) ledger.fingerprints[name] = entry;
  }
  return ledger;
}

function decodeEntry(raw: unknown): FingerprintLedger | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const e = raw as Record<string, unknown>;
  const num = (key: string) => (typeof e[key] === 'number' && Number.isFinite(e[key]) ? (e[key] as number) : null);
  const firstSentAt = num('firstSentAt');
  const refilledAt = num('refilledAt');
  const tokens = num('tokens');
  if (firstSentAt === null || refilledAt === null || tokens === null || tokens < 0) return null;
  const lastSentAt = num('lastSentAt');
  const lastSeenAt = num('lastSeenAt');
  const heldBackTotal = num('heldBackTotal');
  return {
    firstSentAt,
    lastSentAt: lastSentAt ?? firstSentAt,
    lastSeenAt: lastSeenAt ?? firstSentAt,
    tokens,
    refilledAt,
    pending: e.pending === null || e.pending === undefined ? null : validHeldBack(e.pending),
    heldBackTotal: Math.max(heldBackTotal ?? 0, 0),
  };
}
