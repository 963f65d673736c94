import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Event } from '@sentry/core';
import type { Redactor, RedactionSession } from '../bundle/redactor.js';
import { buildBundleUpload, type BundleEventOptions, type BundleUpload, type UploadAttachment } from './bundle-event.js';
import { isMinidumpAttachment, pacedMinidumpScrubber, rescrubMinidump, type MinidumpScrubber, type ScrubIdentity } from './minidump-attachment.js';

/**
 * Re-redaction on the way out: what leaves for Sentry passes the current redactor when it is sent, not
 * only when the bundle was built. A bundle queued by an older rule set, or edited after it was built
 * (checksums updated, so inspect passes it), is re-redacted and re-packed before its event is built
 * from it; then every string of the event and every text attachment passes the redactor once more.
 */

export interface OutboundOptions extends BundleEventOptions {
  /** The redactor to apply; by default one for this process's user (home directory, login name). */
  redactor?: Redactor;
  /**
   * How the default redactor is had when `redactor` is not given (default: made for this call). An
   * uploader passes one that makes it once: compiling the rules holds the host's thread for a while.
   */
  defaultRedactor?: () => Promise<Redactor>;
  /** Whose home dir and user name a minidump is scrubbed of (default: this process's user). */
  identity?: ScrubIdentity;
  /**
   * Where the minidump's re-scrub runs (embedded: the service's bundle worker). Without it, or with
   * a `redactor` of one's own (which cannot cross to a worker), it runs here, paced.
   */
  scrubMinidump?: MinidumpScrubber;
}

/** Attachments that are text (a zip is re-packed before; a minidump is scrubbed by its own module). */
const TEXT_ATTACHMENT = /\.(?:log|jsonl?|txt|html)$/;

/** buildBundleUpload for a bundle as it is sent: re-packed when the current rules find anything, then redacted. */
export async function buildOutboundUpload(zipPath: string, options: OutboundOptions): Promise<BundleUpload> {
  const redactor = options.redactor ?? (await (options.defaultRedactor ?? defaultOutboundRedactor)());
  const { reredactBundle } = await import('../bundle/redact-bundle.js');
  // Outside the outbox, so a copy left by a crash is never taken for a queued bundle.
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'codex-diag-outbound-'));
  try {
    const repackedPath = path.join(dir, path.basename(zipPath));
    const { repacked } = await reredactBundle(zipPath, repackedPath, redactor);
    const upload = redactUpload(await buildBundleUpload(repacked ? repackedPath : zipPath, options), redactor);
    return await rescrubMinidumps(upload, options.redactor ? { redactor } : { redactor, scrubber: options.scrubMinidump }, options.identity);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** Every string of the event and every text attachment through the redactor (a no-op on clean input). */
export function redactUpload(upload: BundleUpload, redactor: Redactor): BundleUpload {
  const session = redactor.session();
  const event = session.value(upload.event) as Event;
  const attachments = upload.attachments.map((attachment) => redactAttachment(attachment, session));
  return { ...upload, event, attachments };
}

function redactAttachment(attachment: UploadAttachment, session: RedactionSession): UploadAttachment {
  if (!TEXT_ATTACHMENT.test(attachment.filename) && !attachment.contentType.startsWith('text/')) return attachment;
  const text = Buffer.from(attachment.data).toString('utf8');
  const redacted = text
    .split('\n')
    .map((line) => session.line(line))
    .join('\n');
  session.endOfSource();
  return redacted === text ? attachment : { ...attachment, data: Buffer.from(redacted) };
}

async function rescrubMinidumps(upload: BundleUpload, by: { redactor: Redactor; scrubber?: MinidumpScrubber | undefined }, identity: OutboundOptions['identity']): Promise<BundleUpload> {
  if (!upload.attachments.some(isMinidumpAttachment)) return upload;
  const { redactionContextFrom } = await import('../bundle/redaction-context.js');
  const who = identity ?? redactionContextFrom({ homedir: os.homedir(), env: process.env });
  const scrub = by.scrubber ? (bytes: Uint8Array) => by.scrubber!(bytes, who) : pacedMinidumpScrubber((await import('../minidump/secret-finder.js')).createSecretFinder({ redactor: by.redactor, ...who }));
  const attachments: UploadAttachment[] = [];
  for (const attachment of upload.attachments) {
    if (!isMinidumpAttachment(attachment)) attachments.push(attachment);
    else {
      const scrubbed = await rescrubMinidump(attachment, scrub);
      if (scrubbed) attachments.push(scrubbed);
    }
  }
  return { ...upload, attachments };
}

/** A redactor for this process's user (home directory, login name). */
export async function defaultOutboundRedactor(): Promise<Redactor> {
  const [{ createRedactor }, { redactionContextFrom }] = await Promise.all([import('../bundle/redactor.js'), import('../bundle/redaction-context.js')]);
  // On the host's main thread, for one event and a bundle's lines: the scan kernel's build would cost more than it saves.
  return createRedactor({ ...redactionContextFrom({ homedir: os.homedir(), env: process.env }), scanKernel: false });
}
