import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MainThreadBundleRunner, type BundleRunner } from '../../src/bundle/bundle-runner.js';
import { WorkerBundleRunner } from '../../src/bundle/bundle-worker-runner.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { createSecretFinder, scrubMinidump } from '../../src/minidump/index.js';
import { withMemory64 } from '../../bench/minidump-grow.mjs';
import { FIXTURES } from '../minidump/helpers.js';

const redaction = { homedir: '/home/carol', username: 'carol' };
const runners: BundleRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
});

function track<R extends BundleRunner>(runner: R): R {
  runners.push(runner);
  return runner;
}

/** A real dump grown with regions holding secrets (ASCII, UTF-16LE, environment). */
function dumpWithSecrets(): Buffer {
  const ascii = Buffer.from('\0\x01Authorization: Bearer AbCdEf0123456789xyzAbCd\0\xff');
  const wide = Buffer.from('\u0101OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz012345\0', 'utf16le');
  const env = Buffer.from('HOME=/home/carol\0USER=carol\0GITHUB_TOKEN=tok987654321\0');
  return withMemory64(readFileSync(FIXTURES.renderer), [ascii, wide, env, Buffer.alloc(300_000, 0x41)]);
}

/** What scrubbing in one go in-process gives: the reference every runner must match. */
function reference(dump: Buffer): Buffer {
  const copy = Buffer.from(dump);
  scrubMinidump(copy, createSecretFinder({ redactor: createRedactor(redaction), ...redaction }));
  return copy;
}

/** A copy whose bytes own their whole ArrayBuffer, as a dump read from a zip does. */
function own(dump: Buffer): Uint8Array {
  return new Uint8Array(dump);
}

describe('the outgoing minidump scrub in the bundle runners', () => {
  it('the worker and the paced main-thread fallback give the same bytes as scrubbing in one go', async () => {
    const dump = dumpWithSecrets();
    const expected = reference(dump);
    expect(expected.equals(dump)).toBe(false);

    const worker = track(new WorkerBundleRunner());
    const sent = own(dump);
    const viaWorker = await worker.scrubMinidump({ bytes: sent, redaction });
    expect(worker.fellBack).toBe(false);
    expect(worker.startedCount).toBe(1);
    // Transferred to the worker, not copied on the host's thread: the buffer handed over is detached.
    expect(sent.byteLength).toBe(0);
    expect(Buffer.from(viaWorker.bytes).equals(expected)).toBe(true);
    expect(viaWorker.stats.matches).toBeGreaterThan(0);

    // A zero slice yields before every piece: pacing must not change a byte.
    const main = track(new MainThreadBundleRunner(0));
    const viaMain = await main.scrubMinidump({ bytes: own(dump), redaction });
    expect(Buffer.from(viaMain.bytes).equals(expected)).toBe(true);
    expect(viaMain.stats).toEqual(viaWorker.stats);
  });

  it('a worker that never starts leaves the bytes whole for the fallback, which gives the same bytes', async () => {
    const dump = dumpWithSecrets();
    const fellBack: unknown[] = [];
    const runner = track(new WorkerBundleRunner({ entry: pathToFileURL(path.resolve('no-such-worker.js')), onFallback: (e) => fellBack.push(e) }));
    const result = await runner.scrubMinidump({ bytes: own(dump), redaction });
    expect(runner.fellBack).toBe(true);
    expect(fellBack).toHaveLength(1);
    expect(Buffer.from(result.bytes).equals(reference(dump))).toBe(true);
  });

  it('bytes that share their buffer are copied before the transfer: what shares it stays intact', async () => {
    const dump = dumpWithSecrets();
    const shared = Buffer.concat([Buffer.from('keep me'), dump]);
    const runner = track(new WorkerBundleRunner());
    const result = await runner.scrubMinidump({ bytes: shared.subarray(7), redaction });
    expect(shared.byteLength).toBe(7 + dump.length);
    expect(shared.subarray(0, 7).toString()).toBe('keep me');
    expect(Buffer.from(result.bytes).equals(reference(dump))).toBe(true);
  });

  it('a dump that does not read is a failed job, not a dead worker', async () => {
    const runner = track(new WorkerBundleRunner());
    await expect(runner.scrubMinidump({ bytes: own(Buffer.from('MDMP but not really')), redaction })).rejects.toMatchObject({ code: 'MINIDUMP_INVALID' });
    const ok = await runner.scrubMinidump({ bytes: own(dumpWithSecrets()), redaction });
    expect(ok.stats.matches).toBeGreaterThan(0);
    expect(runner.startedCount).toBe(1);
  });
});
