import os from 'node:os';
import type { ManifestNative } from './manifest.js';

/** Who a re-scan looks for besides the redactor's rules (default: this process's user). */
export interface NativeCheckIdentity {
  homedir: string;
  username: string;
}

/**
 * Problems with a bundle's `native/<id>.dmp`: it must read as a minidump, and a scrubbed one must
 * hold nothing the scrubber would still overwrite (scrubbing is idempotent, so a second pass over a
 * scrubbed dump changes nothing). The entry's size and sha256 are checked with every other file.
 */
export async function nativeEntryProblems(native: ManifestNative, data: Buffer, identity?: NativeCheckIdentity): Promise<string[]> {
  const name = native.path ?? 'native entry';
  const [{ tryReadMinidump }, { scrubMinidump }, { createSecretFinder }, { createRedactor }, { redactionContextFrom }] = await Promise.all([
    import('../minidump/read-minidump.js'),
    import('../minidump/scrub.js'),
    import('../minidump/secret-finder.js'),
    import('./redactor.js'),
    import('./redaction-context.js'),
  ]);
  const read = tryReadMinidump(data);
  if (!read.ok) return [`${name}: ${read.error.message}`];
  if (!native.scrubbed) return [];
  const who = identity ?? redactionContextFrom({ homedir: os.homedir(), env: process.env });
  const copy = Buffer.from(data);
  scrubMinidump(copy, createSecretFinder({ redactor: createRedactor(who), ...who }));
  // A secret's rule may match its own stars again (`password=****`): only bytes a second pass changes are left secrets.
  const left = changedSpans(data, copy);
  return left > 0 ? [`${name}: marked scrubbed, but a re-scan finds ${left} secret(s) left`] : [];
}

function changedSpans(before: Uint8Array, after: Uint8Array): number {
  let spans = 0;
  for (let i = 0; i < before.length; i++) if (before[i] !== after[i] && (i === 0 || before[i - 1] === after[i - 1])) spans++;
  return spans;
}
