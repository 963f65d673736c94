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

/**
 * The minidump scrubbed once more with the current rules as it leaves (scrubbing is idempotent, so a
 * dump scrubbed by the same rules comes out the same), paced so the host's event loop keeps its turns.
 * A raw dump (the app's explicit choice, recorded in the manifest) goes as it is. One that no longer
 * reads is left out: an unscrubbable dump never leaves.
 */
export async function rescrubMinidump(attachment: UploadAttachment, finder: import('../minidump/secret-finder.js').SecretFinder): Promise<UploadAttachment | null> {
  if (attachment.scrubbed === false) return attachment;
  const [{ scrubMinidumpPaced }, { timeSlicePacer }] = await Promise.all([import('../minidump/scrub.js'), import('../runtime/time-slice.js')]);
  const copy = Buffer.from(attachment.data);
  try {
    await scrubMinidumpPaced(copy, finder, timeSlicePacer());
  } catch {
    return null;
  }
  return { ...attachment, data: copy };
}
