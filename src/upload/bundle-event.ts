import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Breadcrumb, Event, SeverityLevel } from '@sentry/core';
import { DiagError } from '../errors.js';
import { describeIncident, type IncidentLike } from './incident-summary.js';

/** One attachment as it goes into the envelope. */
export interface UploadAttachment {
  filename: string;
  contentType: string;
  data: Uint8Array;
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
}

export const DEFAULT_BREADCRUMBS = 100;

/**
 * Builds the Sentry event for a bundle from the zip alone, so an outbox item needs nothing else.
 * Mapping (DESIGN.md "Sentry"): fingerprint = the incident's components, a readable title,
 * level by reason, diag.* tags, incident/startup/bundle contexts, the last log lines as breadcrumbs.
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
  const appVersion = str(app.version) ?? str(system?.appVersion) ?? 'unknown';
  const fingerprint = str(manifestIncident?.fingerprint);
  const components = Array.isArray(manifestIncident?.components)
    ? (manifestIncident.components as unknown[]).map((c) => String(c))
    : undefined;
  const platform = asRecord(manifest.platform);
  const osName = str(system?.os) ?? str(platform?.os) ?? str(manifest.platform) ?? 'unknown';
  const osRelease = str(system?.release) ?? str(platform?.release);
  const lines = countLines(tailLog);
  const bundle = {
    id: str(manifest.bundleId) ?? path.basename(bundlePath, '.zip'),
    sha256: createHash('sha256').update(zipBytes).digest('hex'),
    bytes: zipBytes.length,
    lines,
  };
  const occurredAt = str(manifestIncident?.occurredAt) ?? str(incident?.occurredAt as unknown) ?? str(manifest.createdAt);
  const timestamp = occurredAt && !Number.isNaN(Date.parse(occurredAt)) ? Date.parse(occurredAt) / 1000 : undefined;
  const { level, title } = await describeIncident(incident, { title: str(manifestIncident?.title), kind: str(manifestIncident?.kind) });
  const exitCode = incident?.exitCode;
  const tags: Record<string, string> = {
    'diag.kind': str(incident?.kind) ?? str(manifestIncident?.kind) ?? 'manual',
    'app.version': appVersion,
    os: osRelease ? `${osName} ${osRelease}` : osName,
  };
  if (str(incident?.reason)) tags['diag.reason'] = String(incident?.reason);
  if (typeof exitCode === 'number' || (typeof exitCode === 'string' && exitCode !== '')) tags['diag.exit_code'] = String(exitCode);
  if (fingerprint) tags['diag.fingerprint'] = fingerprint;

  const contexts: Record<string, Record<string, unknown>> = {
    bundle: { ...bundle, created_at: manifest.createdAt, format_version: manifest.formatVersion, truncation: manifest.truncation },
    os: { name: osName, ...(osRelease ? { version: osRelease } : {}) },
    app: { app_name: str(app.name) ?? 'Codex', app_version: appVersion },
  };
  if (incident) contexts.incident = { ...incident };
  const startup = asRecord(state?.startup);
  if (startup) contexts.startup = { ...startup };

  const event: Event = {
    event_id: options.eventId,
    level,
    platform: 'node',
    logger: 'codex-diag',
    message: title,
    fingerprint: components && components.length > 0 ? components : fingerprint ? [fingerprint] : ['codex-diag', 'manual-export'],
    release: appVersion === 'unknown' ? undefined : appVersion,
    tags,
    contexts,
    breadcrumbs: breadcrumbsFrom(tailJsonl, options.maxBreadcrumbs ?? DEFAULT_BREADCRUMBS),
  };
  if (timestamp !== undefined) event.timestamp = timestamp;

  return {
    event,
    attachments: [
      { filename: options.fileName ?? path.basename(bundlePath), contentType: 'application/zip', data: zipBytes },
      // A bundle without log lines has an empty tail.log: an envelope item of length 0 is read by
      // @sentry/core's parseEnvelope (and so the local ingest and Spotlight) as a JSON item and refused.
      ...(tailLog.length > 0 ? [{ filename: 'tail.log', contentType: 'text/plain', data: tailLog }] : []),
    ],
    bundle,
  };
}

const LEVELS: Record<string, SeverityLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warning',
  warning: 'warning',
  error: 'error',
  fatal: 'fatal',
};

/** The last `max` parsed log lines as breadcrumbs, oldest first (Sentry shows them as the story). */
export function breadcrumbsFrom(jsonl: string, max: number): Breadcrumb[] {
  if (max <= 0) return [];
  const rows = jsonl.split('\n').filter((l) => l.trim() !== '');
  const crumbs: Breadcrumb[] = [];
  for (const row of rows.slice(-max)) {
    let line: Record<string, unknown> | undefined;
    try {
      line = asRecord(JSON.parse(row)) ?? undefined;
    } catch {
      line = undefined;
    }
    if (!line) continue;
    const time = str(line.time);
    const parsed = time ? Date.parse(time) : Number.NaN;
    const crumb: Breadcrumb = {
      type: 'default',
      level: LEVELS[str(line.level) ?? ''] ?? 'log',
      message: str(line.msg) ?? str(line.line) ?? '',
      category: str(line.source) ?? 'log',
    };
    if (!Number.isNaN(parsed)) crumb.timestamp = parsed / 1000;
    crumbs.push(crumb);
  }
  return crumbs;
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
