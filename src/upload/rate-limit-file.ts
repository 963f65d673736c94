import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { AtomicWriter } from '../fs/atomic-write.js';
import type { ParsedDsn } from './dsn.js';
import { mergeRateLimits, sanitizeStoredLimits, type RateLimits, type RateLimitWarn } from './rate-limits.js';

export const RATE_LIMITS_FILE = 'rate-limits.json';

/** Limits recorded by an earlier format, before they were kept per DSN: they hold for every DSN until they pass. */
const ANY_DSN = '*';

/**
 * `rate-limits.json`: `{version: 2, byDsn: {<dsn>: {<category>: <until epoch ms>}}}`. Sentry's
 * spec tracks limits per DSN (a limit for one project says nothing of another). The key is the
 * DSN without any secret: the public key identifies the client key a `key`-scoped limit is for,
 * and Sentry treats it as public (it ships in browser bundles).
 */
export function rateLimitKey(dsn: ParsedDsn): string {
  const port = dsn.port ? `:${dsn.port}` : '';
  return `${dsn.protocol}://${dsn.publicKey}@${dsn.host}${port}/${dsn.path ? `${dsn.path}/` : ''}${dsn.projectId}`;
}

interface RateLimitFile {
  version: 2;
  byDsn: Record<string, Record<string, unknown>>;
}

async function readFile(dir: string): Promise<RateLimitFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(path.join(dir, RATE_LIMITS_FILE), 'utf8'));
  } catch {
    return { version: 2, byDsn: {} };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { version: 2, byDsn: {} };
  const record = parsed as Record<string, unknown>;
  if (record.version === 2 && typeof record.byDsn === 'object' && record.byDsn !== null && !Array.isArray(record.byDsn)) {
    return { version: 2, byDsn: record.byDsn as Record<string, Record<string, unknown>> };
  }
  // The first format: one flat {category: until} map for whatever DSN was in use.
  return { version: 2, byDsn: { [ANY_DSN]: record } };
}

/** The limits in force for this DSN (sanitised: capped, nonsense ignored with a warning). */
export async function readRateLimits(dir: string, dsnKey: string, now: number, warn?: RateLimitWarn): Promise<RateLimits> {
  const file = await readFile(dir);
  return mergeRateLimits(sanitizeStoredLimits(file.byDsn[ANY_DSN], now, warn), sanitizeStoredLimits(file.byDsn[dsnKey], now, warn));
}

/** Replaces this DSN's limits, keeping the other DSNs' limits that are still in force. */
export async function writeRateLimits(dir: string, writer: AtomicWriter, dsnKey: string, limits: RateLimits, now: number): Promise<void> {
  const file = await readFile(dir);
  const byDsn: Record<string, RateLimits> = {};
  for (const [key, value] of Object.entries(file.byDsn)) {
    if (key === dsnKey) continue;
    const kept = sanitizeStoredLimits(value, now);
    if (Object.keys(kept).length > 0) byDsn[key] = kept;
  }
  const own = Object.fromEntries(Object.entries(limits).filter(([, until]) => until > now));
  if (Object.keys(own).length > 0) byDsn[dsnKey] = own;
  const next: RateLimitFile = { version: 2, byDsn };
  await writer.write(path.join(dir, RATE_LIMITS_FILE), `${JSON.stringify(next)}\n`, { mode: 0o600 });
}
