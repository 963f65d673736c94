import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { onceUntilFailure } from '../runtime/once-until-failure.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The file name under the data dir. */
export const INSTALL_ID_FILE = 'install-id';

export interface InstallIdOptions {
  newId?: () => string;
  /**
   * An id an earlier release kept elsewhere (release health's `did`): when it is a UUID it becomes
   * the install id, so Sentry keeps counting the same user and sampling the same install.
   */
  adopt?: () => Promise<string | undefined>;
}

/**
 * The install's id: a random UUID kept in `<data dir>/install-id`, made on first use. It holds no
 * personal data (no host name, user, or hardware id); it makes per-install sampling stable across
 * runs and is Sentry's `did` for crash-free users. A damaged file is replaced by a new id (the old
 * text kept beside it).
 */
export async function readOrCreateInstallId(file: string, options: InstallIdOptions = {}): Promise<string> {
  let text: string | undefined;
  try {
    text = (await fsp.readFile(file, 'utf8')).trim();
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const adopted = await options.adopt?.().catch(() => undefined);
  const earlier = adopted !== undefined && UUID.test(adopted) ? adopted : undefined;
  if (text !== undefined && UUID.test(text) && (earlier === undefined || earlier === text)) return text;
  if (text !== undefined && !UUID.test(text)) await fsp.rename(file, `${file}.corrupt-${Date.now()}`).catch(() => undefined);
  const id = earlier ?? (options.newId ?? randomUUID)();
  await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await new AtomicWriter().write(file, `${id}\n`);
  return id;
}

/**
 * The one install id of a data dir, read (or made) once on first use and shared by everything that
 * needs it: the delivery budget and release health. A failed read is tried again on the next use.
 */
export class InstallIdSource {
  private readonly readOnce = onceUntilFailure(() => readOrCreateInstallId(this.file, this.options));

  constructor(
    readonly file: string,
    private readonly options: InstallIdOptions = {},
  ) {}

  static inDataDir(dataDir: string, options: InstallIdOptions = {}): InstallIdSource {
    return new InstallIdSource(path.join(dataDir, INSTALL_ID_FILE), options);
  }

  get(): Promise<string> {
    return this.readOnce();
  }
}
