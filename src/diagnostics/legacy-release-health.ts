import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';
import type { SessionRecord } from '../state/schemas.js';

/**
 * `<data dir>/release-health.json`, where an earlier release kept release health's install id and
 * the open run's session before both moved (the id to `install-id`, the session into the state
 * file). Read once on upgrade so the previous run is still reported if it ended abnormally and the
 * install keeps its id; removed once both are kept in their new homes.
 */
export const LEGACY_RELEASE_HEALTH_FILE = 'release-health.json';

export interface LegacyReleaseHealth {
  installId?: string;
  session?: SessionRecord;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const STATUSES = new Set(['ok', 'exited', 'crashed', 'abnormal']);

export function legacyReleaseHealthFile(dataDir: string): string {
  return path.join(dataDir, LEGACY_RELEASE_HEALTH_FILE);
}

/** What the old file holds, field by field; undefined when there is none or it is not JSON. */
export async function readLegacyReleaseHealth(dataDir: string): Promise<LegacyReleaseHealth | undefined> {
  let doc: unknown;
  try {
    doc = JSON.parse(await fsp.readFile(legacyReleaseHealthFile(dataDir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { install_id: installId, run } = doc as { install_id?: unknown; run?: Record<string, unknown> | null };
  const out: LegacyReleaseHealth = {};
  if (typeof installId === 'string' && UUID.test(installId)) out.installId = installId;
  const session = legacySession(run);
  if (session) out.session = session;
  return out;
}

/** Removes the old file (best effort: a leftover is read again, harmlessly, on the next start). */
export async function removeLegacyReleaseHealth(dataDir: string): Promise<void> {
  await fsp.rm(legacyReleaseHealthFile(dataDir)).catch((error: unknown) => {
    if (errnoCode(error) !== 'ENOENT') throw error;
  });
}

/** The old run record (camelCase) as the state's session marker. */
function legacySession(run: Record<string, unknown> | null | undefined): SessionRecord | undefined {
  if (!run || typeof run !== 'object') return undefined;
  const { sid, startedAtMs, release, environment, errors, status } = run;
  if (typeof sid !== 'string' || !UUID.test(sid)) return undefined;
  if (typeof startedAtMs !== 'number' || !Number.isSafeInteger(startedAtMs) || startedAtMs < 0) return undefined;
  if (typeof release !== 'string' || release === '' || typeof status !== 'string' || !STATUSES.has(status)) return undefined;
  return {
    sid,
    seq: 0,
    started_at_ms: startedAtMs,
    status: status as SessionRecord['status'],
    errors: typeof errors === 'number' && Number.isSafeInteger(errors) && errors >= 0 ? errors : 0,
    release,
    environment: typeof environment === 'string' ? environment : null,
  };
}
