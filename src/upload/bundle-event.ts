import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Event } from '@sentry/core';
import { DiagError } from '../errors.js';
import { breadcrumbsFrom } from './breadcrumbs.js';
import { sentryContexts } from './event-contexts.js';
import { describeIncident, type IncidentLike } from './incident-summary.js';
import { ingestableContext } from './ingest-context.js';
import { capChars, distName, ingestableTags, ingestableTimestamp, MAX_MESSAGE_CHARS, releaseName, resolveEnvironment } from './ingest-limits.js';
import { incidentException } from './js-stacktrace.js';
import { minidumpAttachment } from './minidump-attachment.js';
import { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from './size-limits.js';

/** One attachment as it goes into the envelope. */
export interface UploadAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
  /** Sentry's attachment type: `event.minidump` makes Sentry process it as the event's native crash. */
  attachmentType?: 'event.minidump';
  /** A minidump the bundle recorded as scrubbed (re-scrubbed on the way out); false for a raw one sent by explicit choice. */
  scrubbed?: boolean;
}

/** What the uploader sends for one bundle: the event and its attachments. */
export interface BundleUpload {
  event: Event;
  attachments: UploadAttachment[];
  bundle: { id: string; sha256: string; bytes: number; lines: number };
}

export interface BundleEventOptions {
  eventId: string;
  /** Breadcrumbs taken from the end of logs/tail.jsonl (default 100). */
  maxBreadcrumbs?: number;
  /** The bundle's own file name for the attachment (an outbox copy is named after its item). */
  fileName?: string;
  /** When the event is sent (epoch ms): its timestamp is kept inside Sentry's window from then (default: now). */
  now?: number;
}

export const DEFAULT_BREADCRUMBS = 100;

/**
 * Builds the Sentry event for a bundle from the zip alone, so an outbox item needs nothing else.
 * Mapping (docs/SENTRY.md, field by field): fingerprint = the incident's components, a readable
 * title, level by reason, diag.* tags capped to what Sentry keeps, Sentry's own contexts (os,
 * device, runtime, app, gpu) plus incident/startup/bundle, an exception with frames when there is
 * a JS stack, release `name@version`, environment and dist, the last log lines as breadcrumbs.
 */
export async function buildBundleUpload(bundlePath: string, options: BundleEventOptions): Promise<BundleUpload> {
  const zipBytes = await fsp.readFile(bundlePath);
  // Loaded on first use: importing the uploader costs the host app nothing.
  const { readZip } = await import('../bundle/zip-reader.js');
  const { files } = await readZip(bundlePath);
  const manifest = asRecord(parseJson(files, 'manifest.json', bundlePath));
  if (!manifest) throw new DiagError('BUNDLE_INVALID', `${bundlePath}: manifest.json is missing or not a JSON object`);
  const incident = asRecord(files.has('incident.json') ? parseJson(files, 'incident.json', bundlePath) : null) as IncidentLike | null;
  const state = asRecord(files.has('state.json') ? parseJson(files, 'state.json', bundlePath) : null);
  const system = asRecord(files.has('system.json') ? parseJson(files, 'system.json', bundlePath) : null);
  const tailLog = files.get('logs/tail.log') ?? Buffer.alloc(0);
  const tailJsonl = files.get('logs/tail.jsonl')?.toString('utf8') ?? '';

  const manifestIncident = asRecord(manifest.incident);
  const app = asRecord(manifest.app) ?? {};
  const systemApp = asRecord(system?.app);
  const appName = str(app.name) ?? str(systemApp?.name) ?? 'Codex';
  const appVersion = str(app.version) ?? str(system?.appVersion) ?? 'unknown';
  const fingerprint = str(manifestIncident?.fingerprint);
  const components = Array.isArray(manifestIncident?.components)
    ? (manifestIncident.components as unknown[]).map((c) => String(c))
    : undefined;
  const startup = asRecord(state?.startup);
  const contexts = sentryContexts(system, asRecord(manifest.platform), { name: appName, version: appVersion }, startup);
  const lines = countLines(tailLog);
  const bundle = {
    id: str(manifest.bundleId) ?? path.basename(bundlePath, '.zip'),
    sha256: createHash('sha256').update(zipBytes).digest('hex'),
    bytes: zipBytes.length,
    lines,
  };
  const { level, title } = await describeIncident(incident, { title: str(manifestIncident?.title), kind: str(manifestIncident?.kind) });
  const exitCode = incident?.exitCode;
  const tags = ingestableTags({
    'diag.kind': str(incident?.kind) ?? str(manifestIncident?.kind) ?? 'manual',
    'diag.reason': str(incident?.reason),
    'diag.exit_code': typeof exitCode === 'number' || (typeof exitCode === 'string' && exitCode !== '') ? String(exitCode) : undefined,
    'diag.fingerprint': fingerprint,
    'app.version': appVersion,
    os: [contexts.os.name, contexts.os.version].filter((part) => typeof part === 'string').join(' '),
  });

  const eventContexts: Record<string, Record<string, unknown>> = {
    ...contexts,
    bundle: { ...bundle, created_at: manifest.createdAt, format_version: manifest.formatVersion, truncation: manifest.truncation },
  };
  if (incident) eventContexts.incident = { ...incident };
  if (startup) eventContexts.startup = { ...startup };

  const event: Event = {
    event_id: options.eventId,
    level,
    platform: 'node',
    logger: 'codex-diag',
    message: capChars(title, MAX_MESSAGE_CHARS),
    fingerprint: components && components.length > 0 ? components : fingerprint ? [fingerprint] : ['codex-diag', 'manual-export'],
    release: releaseName(appName, appVersion),
    environment: resolveEnvironment(str(systemApp?.environment), typeof system?.packaged === 'boolean' ? system.packaged : undefined),
    tags,
    contexts: eventContexts,
    breadcrumbs: breadcrumbsFrom(tailJsonl, options.maxBreadcrumbs ?? DEFAULT_BREADCRUMBS),
  };
  const dist = distName(str(systemApp?.dist));
  if (dist) event.dist = dist;
  const exception = incidentException(incident, title);
  if (exception) event.exception = { values: [exception] };

  const occurredAt = str(manifestIncident?.occurredAt) ?? str(incident?.occurredAt as unknown) ?? str(manifest.createdAt);
  const occurredAtMs = occurredAt ? Date.parse(occurredAt) : Number.NaN;
  if (!Number.isNaN(occurredAtMs)) {
    const { timestampMs, clamped } = ingestableTimestamp(occurredAtMs, options.now ?? Date.now());
    event.timestamp = timestampMs / 1000;
    // Sentry would re-date an event outside its window and flag it; the real time stays readable here.
    if (clamped) eventContexts.incident = { ...(eventContexts.incident ?? {}), occurred_at: new Date(occurredAtMs).toISOString(), timestamp_clamped: true };
  }
  // Each context within what Relay keeps of it (ingest-context.ts); the zip carries everything whole.
  for (const [name, context] of Object.entries(eventContexts)) eventContexts[name] = ingestableContext(context);

  const attachments = bundleAttachments(zipBytes, options.fileName ?? path.basename(bundlePath), tailLog);
  const minidump = minidumpAttachment(asRecord(manifest.native), files, MAX_REQUEST_BYTES - MAX_EVENT_BYTES - attachments.reduce((n, a) => n + a.data.length, 0));
  if (minidump.attachment) attachments.push(minidump.attachment);
  if (minidump.omitted) eventContexts.bundle = { ...eventContexts.bundle, minidump_omitted: minidump.omitted };
  return { event, attachments, bundle };
}

/**
 * What goes with the event: the bundle zip, and `tail.log` so Sentry previews the text. The one
 * place attachments are assembled.
 */
export function bundleAttachments(zipBytes: Uint8Array, zipName: string, tailLog: Uint8Array): UploadAttachment[] {
  return [
    { filename: zipName, contentType: 'application/zip', data: zipBytes },
    // A bundle without log lines has an empty tail.log: an envelope item of length 0 is read by
    // @sentry/core's parseEnvelope (and so the local ingest and Spotlight) as a JSON item and refused.
    ...(tailLog.length > 0 ? [{ filename: 'tail.log', contentType: 'text/plain', data: tailLog }] : []),
  ];
}

function countLines(text: Buffer): number {
  if (text.length === 0) return 0;
  let count = 0;
  for (const byte of text) if (byte === 0x0a) count++;
  return text[text.length - 1] === 0x0a ? count : count + 1;
}

function parseJson(files: Map<string, Buffer>, name: string, bundlePath: string): unknown {
  const bytes = files.get(name);
  if (!bytes) return null;
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new DiagError('BUNDLE_INVALID', `${bundlePath}: ${name} is not valid JSON (${(error as Error).message})`);
  }
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
