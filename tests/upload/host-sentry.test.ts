import { spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { enqueueBundle } from '../../src/upload/index.js';
import { startLocalIngest, type LocalIngest } from '../../src/upload/local-ingest.js';
import { makeTestBundle } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hostChild = path.join(root, 'tests/fixtures/upload/host-sentry-child.mjs');

let dir: string | undefined;
let ingest: LocalIngest | undefined;
afterEach(async () => {
  await ingest?.close();
  if (dir) await fsp.rm(dir, { recursive: true, force: true });
});

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Not spawnSync: the ingest answering the child lives in this process.
  const child = spawn(process.execPath, [hostChild, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe('a host app running its own Sentry in the same process', () => {
  it('keeps its client, scopes and last event id, and neither side’s data leaks into the other’s events', async () => {
    dir = await tempDir();
    ingest = await startLocalIngest();
    const outboxDir = path.join(dir, 'outbox');
    const { eventId } = await enqueueBundle({ outboxDir, bundlePath: await makeTestBundle(dir, { lines: 120 }) });
    const diagDsn = ingest.dsn; // project 1
    const hostDsn = ingest.dsn.replace(/\/1$/, '/2');

    const child = await runChild([JSON.stringify({ outboxDir, diagDsn, hostDsn })]);
    expect(child.code, child.stderr).toBe(0);
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(report).toMatchObject({ sent: 1, sameClient: true, hostEnabled: true, hostDsnKept: true, flushed: true });
    // The host's last event id is still its own.
    expect(report.lastEventIdAfterDrain).toBe(report.hostEventBefore);
    expect(report.hostCrumbs).toContain('host crumb');

    const byProject = (project: string) =>
      ingest!.envelopes
        .filter((e) => e.project === project)
        .flatMap((e) => e.items.filter(([h]) => h.type === 'event').map(([, payload]) => payload as Record<string, any>));

    const [diagEvent, ...moreDiag] = byProject('1');
    expect(moreDiag).toHaveLength(0);
    expect(diagEvent!.event_id).toBe(eventId);
    expect(diagEvent!.tags).not.toHaveProperty('host.tag');
    expect(diagEvent!.tags).not.toHaveProperty('host.global');
    expect(diagEvent!.user).toBeUndefined();
    expect(diagEvent!.release).toBe('Codex@1.2.3');
    const diagCrumbs = (diagEvent!.breadcrumbs as Array<{ message: string }>).map((b) => b.message);
    expect(diagCrumbs).toHaveLength(100);
    expect(diagCrumbs.every((m) => /^line \d+\b/.test(m))).toBe(true);

    const hostEvents = byProject('2');
    expect(hostEvents.map((e) => e.message)).toEqual(expect.arrayContaining(['host before the drain', 'host after the drain']));
    const hostAfter = hostEvents.find((e) => e.event_id === report.hostEventAfter)!;
    expect(hostAfter).toMatchObject({ release: 'host@1.0.0', tags: { 'host.tag': 'yes', 'host.global': 'yes' }, user: { id: 'host-user' } });
    expect(hostAfter.tags).not.toHaveProperty('diag.kind');
    expect(JSON.stringify(hostAfter.breadcrumbs ?? [])).not.toMatch(/line \d+/);
  }, 30_000);
});
