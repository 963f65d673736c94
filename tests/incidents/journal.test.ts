import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fingerprintIncident } from '../../src/incidents/fingerprint.js';
import { IncidentJournal, type JournalRecord } from '../../src/incidents/journal.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { tempDir } from '../helpers/temp-dir.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await tempDir('codex-diag-journal-');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await fsp.rm(dataDir, { recursive: true, force: true });
});

function record(n: number, extra: Record<string, unknown> = {}): JournalRecord {
  const parsed = parseIncident({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: `app://codex/chat/${n}`, pid: n, ...extra });
  if (!parsed.ok) throw new Error(parsed.error);
  const journal = new IncidentJournal({ dir: '/unused', clock: { now: () => Date.UTC(2026, 10, 21, 0, 0, n) } });
  return journal.recordFor(parsed.incident, fingerprintIncident(parsed.incident), { bundle: n % 2 === 0, suppressedSinceLast: n });
}

async function journalFiles(): Promise<string[]> {
  return (await fsp.readdir(path.join(dataDir, 'journal'))).sort();
}

describe('IncidentJournal', () => {
  it('appends JSON lines under <dataDir>/journal and reads them back in order', async () => {
    const journal = IncidentJournal.inDataDir(dataDir);
    expect(await journal.readAll()).toEqual([]);
    expect(await journal.latest()).toBeUndefined();
    await journal.append(record(1));
    await Promise.all([journal.append(record(2)), journal.append(record(3))]);
    const files = await journalFiles();
    expect(files).toEqual(['incidents-000001.jsonl']);
    const text = await fsp.readFile(path.join(dataDir, 'journal', files[0]!), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const first = JSON.parse(lines[0]!);
    expect(Object.keys(first).sort()).toEqual(['bundled', 'components', 'fingerprint', 'incident', 'occurredAt', 'suppressedSinceLast', 'title']);
    expect(first).toMatchObject({ occurredAt: '2026-11-21T00:00:01.000Z', bundled: false, suppressedSinceLast: 1, title: 'Renderer crashed (SIGSEGV) at /chat/:id' });
    expect((await journal.readAll()).map((r) => r.incident.pid)).toEqual([1, 2, 3]);
    expect((await journal.latest())?.incident.pid).toBe(3);
    if (process.platform !== 'win32') {
      expect((await fsp.stat(path.join(dataDir, 'journal', files[0]!))).mode & 0o777).toBe(0o600);
    }
  });

  it('uses the incident’s own time when it has one', async () => {
    const r = record(1, { occurredAt: 1_700_000_000_000 });
    expect(r.occurredAt).toBe(new Date(1_700_000_000_000).toISOString());
  });

  it('fsyncs every append before it resolves', async () => {
    const journal = IncidentJournal.inDataDir(dataDir);
    await journal.append(record(0)); // creates the directory and the file
    const probe = await fsp.open(path.join(dataDir, 'probe'), 'w');
    const FileHandle = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
    await probe.close();
    const sync = vi.spyOn(FileHandle, 'sync');
    await journal.append(record(1));
    await journal.append(record(2));
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('rotates by size and keeps only the newest files', async () => {
    const one = Buffer.byteLength(`${JSON.stringify(record(10))}\n`);
    const journal = IncidentJournal.inDataDir(dataDir, { maxFileBytes: one * 2 + 10, keepFiles: 3 });
    for (let n = 10; n < 20; n += 1) await journal.append(record(n));
    expect(await journalFiles()).toEqual(['incidents-000003.jsonl', 'incidents-000004.jsonl', 'incidents-000005.jsonl']);
    const pids = (await journal.readAll()).map((r) => r.incident.pid);
    expect(pids).toEqual([14, 15, 16, 17, 18, 19]);
    expect((await journal.latest())?.incident.pid).toBe(19);
    // A new instance (the next app start) continues the numbering instead of overwriting.
    const again = IncidentJournal.inDataDir(dataDir, { maxFileBytes: one * 2 + 10, keepFiles: 3 });
    await again.append(record(20));
    expect(await journalFiles()).toEqual(['incidents-000004.jsonl', 'incidents-000005.jsonl', 'incidents-000006.jsonl']);
  });

  it('reads past a torn last line and starts the next record on a fresh line', async () => {
    const journal = IncidentJournal.inDataDir(dataDir);
    await journal.append(record(1));
    await journal.append(record(2));
    const file = path.join(dataDir, 'journal', 'incidents-000001.jsonl');
    const whole = JSON.stringify(record(3));
    await fsp.appendFile(file, whole.slice(0, Math.floor(whole.length / 2))); // a crash mid-write
    const reader = IncidentJournal.inDataDir(dataDir);
    expect(await reader.read()).toMatchObject({ skippedLines: 1 });
    expect((await reader.readAll()).map((r) => r.incident.pid)).toEqual([1, 2]);
    expect((await reader.latest())?.incident.pid).toBe(2);

    // The next process appends after the torn line without gluing onto it.
    await reader.append(record(4));
    const result = await reader.read();
    expect(result.records.map((r) => r.incident.pid)).toEqual([1, 2, 4]);
    expect(result.skippedLines).toBe(1);
    expect((await reader.latest())?.incident.pid).toBe(4);
  });

  it('skips lines that are JSON but not journal records, and files it does not own', async () => {
    const journal = IncidentJournal.inDataDir(dataDir);
    await journal.append(record(1));
    const dir = path.join(dataDir, 'journal');
    await fsp.appendFile(path.join(dir, 'incidents-000001.jsonl'), '{"hello":"world"}\n\n{"occurredAt":"x","fingerprint":"f","components":[],"title":"t","incident":{"kind":"nope"},"bundled":true,"suppressedSinceLast":0}\n');
    await fsp.writeFile(path.join(dir, 'notes.txt'), 'not a journal');
    const result = await journal.read();
    expect(result.records.map((r) => r.incident.pid)).toEqual([1]);
    expect(result.skippedLines).toBe(2);
  });

  it('finds the latest record in an older file when the newest holds only a torn line', async () => {
    const one = Buffer.byteLength(`${JSON.stringify(record(1))}\n`);
    const journal = IncidentJournal.inDataDir(dataDir, { maxFileBytes: one + 1 });
    await journal.append(record(1));
    await journal.append(record(2));
    await fsp.writeFile(path.join(dataDir, 'journal', 'incidents-000003.jsonl'), '{"occurredAt":"2026');
    expect((await journal.latest())?.incident.pid).toBe(2);
  });

  it('rejects an append it could not write, and the next append recovers', async () => {
    const blocker = path.join(dataDir, 'journal');
    await fsp.writeFile(blocker, 'a file where the directory should be');
    const journal = IncidentJournal.inDataDir(dataDir);
    await expect(journal.append(record(1))).rejects.toThrow();
    await fsp.rm(blocker);
    await journal.append(record(2));
    expect((await journal.readAll()).map((r) => r.incident.pid)).toEqual([2]);
  });
});
