/**
 * One install id per data dir (`<data dir>/install-id`): the delivery budget samples by it and
 * release health sends it as Sentry's `did`. An id release health kept in an earlier release
 * (release-health.json) is adopted, so the install keeps counting as the same user in Sentry.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstallIdSource, readOrCreateInstallId } from '../../src/upload/install-id.js';
import { tempDir } from '../helpers/temp-dir.js';

const DID = '3b8f2a61-5c4d-4e7f-9a0b-1c2d3e4f5a6b';
const OTHER = '0a0a0a0a-0a0a-4a0a-8a0a-0a0a0a0a0a0a';

describe('install id', () => {
  it('made once and read back unchanged', async () => {
    const file = path.join(await tempDir(), 'install-id');
    const first = await readOrCreateInstallId(file);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await readOrCreateInstallId(file)).toBe(first);
    expect(await fsp.readFile(file, 'utf8')).toBe(`${first}\n`);
  });

  it('adopts an earlier release-health did, over a missing or a different id, and keeps it', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'install-id');
    expect(await readOrCreateInstallId(file, { adopt: async () => DID })).toBe(DID);
    await fsp.writeFile(file, `${OTHER}\n`);
    expect(await readOrCreateInstallId(file, { adopt: async () => DID })).toBe(DID);
    expect(await fsp.readFile(file, 'utf8')).toBe(`${DID}\n`);
    // Nothing to adopt (the old file is gone), or something that is not an id: the file's id stays.
    expect(await readOrCreateInstallId(file)).toBe(DID);
    expect(await readOrCreateInstallId(file, { adopt: async () => 'not-an-id' })).toBe(DID);
    expect(await readOrCreateInstallId(file, { adopt: () => Promise.reject(new Error('unreadable')) })).toBe(DID);
  });

  it('a damaged file is kept aside and replaced', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'install-id');
    await fsp.writeFile(file, 'garbage');
    const id = await readOrCreateInstallId(file, { newId: () => OTHER });
    expect(id).toBe(OTHER);
    const aside = (await fsp.readdir(dir)).filter((n) => n.startsWith('install-id.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await fsp.readFile(path.join(dir, aside[0]!), 'utf8')).toBe('garbage');
  });

  it('InstallIdSource reads the file once for every user, and tries again after a failure', async () => {
    const dir = await tempDir();
    let adoptCalls = 0;
    const source = InstallIdSource.inDataDir(dir, {
      adopt: async () => {
        adoptCalls++;
        return undefined;
      },
    });
    const ids = await Promise.all([source.get(), source.get(), source.get()]);
    expect(new Set(ids).size).toBe(1);
    expect(adoptCalls).toBe(1);
    expect(await fsp.readFile(source.file, 'utf8')).toBe(`${ids[0]}\n`);

    const blocked = new InstallIdSource(path.join(dir, 'install-id', 'nested'));
    await expect(blocked.get()).rejects.toThrow();
    await fsp.rm(path.join(dir, 'install-id'));
    await fsp.mkdir(path.join(dir, 'install-id'));
    expect(await blocked.get()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
