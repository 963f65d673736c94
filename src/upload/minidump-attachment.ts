import path from 'node:path';
import type { UploadAttachment } from './bundle-event.js';

/** Sentry's attachment type for a native crash report: it symbolicates the stack and shows it on the event. */
export const MINIDUMP_ATTACHMENT_TYPE = 'event.minidump' as const;

/**
 * The bundle's `native/<id>.dmp` as an `event.minidump` attachment beside the zip, so Sentry
 * processes the native stack while the event keeps codex-diag's fingerprint, tags and contexts.
 * Left out (with the reason, for the event's bundle context) when it would take the request past
 * Sentry's size limit: the zip, which carries it too, still goes.
 */
export function minidumpAttachment(native: Record<string, unknown> | null, files: ReadonlyMap<string, Buffer>, roomBytes: number): { attachment?: UploadAttachment; omitted?: string } {
  const entry = typeof native?.path === 'string' ? native.path : null;
  if (entry === null) return {};
  const data = files.get(entry);
  if (!data) return { omitted: `${entry} is listed but not in the bundle` };
  if (data.length > roomBytes) return { omitted: `${entry} (${data.length} bytes) would pass Sentry's request size limit; it is in the bundle zip` };
  return { attachment: { filename: path.posix.basename(entry), contentType: 'application/octet-stream', data, attachmentType: MINIDUMP_ATTACHMENT_TYPE, scrubbed: native?.scrubbed !== false } };
}

/** The envelope attachment that is the bundle's minidump. */
export function isMinidumpAttachment(attachment: UploadAttachment): boolean {
  return attachment.attachmentType === MINIDUMP_ATTACHMENT_TYPE;
}

/** Whose home dir and user name a minidump is scrubbed of, beside the redactor's detectors. */
export interface ScrubIdentity {
  homedir: string;
  username: string;
}

/**
 * Scrubs a dump's bytes with the default redactor for `identity` and resolves to the scrubbed bytes
 * (the ones given may be handed to another thread and so detached). Embedded, the service passes
 * one that runs in its bundle worker, off the host's main thread.
 */
export type MinidumpScrubber = (bytes: Uint8Array, identity: ScrubIdentity) => Promise<Uint8Array>;

/**
 * The in-process scrub: in place, paced so the event loop keeps its turns. What the CLI uses (no
 * host to keep responsive there), the fallback where no worker can start, and the one to use with
 * a redactor of one's own.
 */
export function pacedMinidumpScrubber(finder: import('../minidump/secret-finder.js').SecretFinder): (bytes: Uint8Array) => Promise<Uint8Array> {
  return async (bytes) => {
    const [{ scrubMinidumpPaced }, { timeSlicePacer }] = await Promise.all([import('../minidump/scrub.js'), import('../runtime/time-slice.js')]);
    await scrubMinidumpPaced(bytes, finder, timeSlicePacer());
    return bytes;
  };
}

/**
 * The minidump scrubbed once more with the current rules as it leaves (scrubbing is idempotent, so a
 * dump scrubbed by the same rules comes out the same), by `scrub`, in place: its bytes were read
 * from the zip for this upload alone, and copying 50 MB would itself hold the thread for tens of ms.
 * A raw dump (the app's explicit choice, recorded in the manifest) goes as it is. One that no longer
 * reads, or whose scrub failed, is left out: an unscrubbed dump never leaves.
 */
export async function rescrubMinidump(attachment: UploadAttachment, scrub: (bytes: Uint8Array) => Promise<Uint8Array>): Promise<UploadAttachment | null> {
  if (attachment.scrubbed === false) return attachment;
  try {
    const scrubbed = await scrub(attachment.data);
    return { ...attachment, data: Buffer.from(scrubbed.buffer, scrubbed.byteOffset, scrubbed.byteLength) };
  } catch {
    return null;
  }
}
