/**
 * An incident's JavaScript stack as Sentry's `exception` interface
 * (https://develop.sentry.dev/sdk/data-model/event-payloads/exception/ and .../stacktrace/):
 * frames oldest first (V8 prints the newest first), each with `function`, `abs_path` (the URL or
 * file as written), `filename` (its path), `lineno`, `colno` and `in_app` (false for Node,
 * Electron, native code, node_modules and vendor chunks: src/incidents' own rules). Sentry then
 * shows the frames, applies source maps by `abs_path`, and can group by them.
 */
import { isLibraryLocation, parseStackText, representativeStack } from '../incidents/stack-frames.js';
import type { SampledStack } from '../incidents/schema.js';
import { capChars, MAX_MESSAGE_CHARS, MAX_PATH_CHARS, MAX_SYMBOL_CHARS } from './ingest-limits.js';

export interface SentryFrame {
  function?: string;
  abs_path?: string;
  filename?: string;
  lineno?: number;
  colno?: number;
  in_app: boolean;
}

export interface SentryException {
  type: string;
  value: string;
  stacktrace?: { frames: SentryFrame[] };
  mechanism: { type: string; handled: boolean; data?: Record<string, string> };
}

/** Sentry trims long stacks anyway; the newest frames are the ones that say where it hung. */
export const MAX_FRAMES = 100;

/** The frames of a Chromium (V8) or Gecko/WebKit stack text, oldest first, at most MAX_FRAMES (the newest). */
export function sentryFrames(stack: string): SentryFrame[] {
  const frames = parseStackText(stack)
    .slice(0, MAX_FRAMES)
    .map(({ fn, location }) => toFrame(fn, location));
  return frames.reverse();
}

function toFrame(fn: string, rawLocation: string): SentryFrame {
  // `eval at render (app://codex/x.js:1:2), <anonymous>:1:5`: the evaluating frame's location is what can be found.
  const location = /^eval at .*?\((.*?)\)(?:,|$)/.exec(rawLocation.trim())?.[1] ?? rawLocation.trim();
  const frame: SentryFrame = { in_app: !isLibraryLocation(location) };
  // Relay's limits (ingest-limits.ts): a data: URL or a minified name would be cut on ingest anyway.
  if (fn !== '<anonymous>') frame.function = capChars(fn, MAX_SYMBOL_CHARS);
  const match = /^(.*?)(?::(\d+))?(?::(\d+))?$/.exec(location);
  const file = match?.[1] ?? location;
  if (file !== '' && file !== '<anonymous>' && file !== 'native') {
    frame.abs_path = capChars(file, MAX_PATH_CHARS);
    frame.filename = capChars(pathOf(file), MAX_PATH_CHARS);
  }
  if (match?.[2]) frame.lineno = Number(match[2]);
  if (match?.[3]) frame.colno = Number(match[3]);
  return frame;
}

/** The path part of a URL (`app://codex/assets/index.js` -> `/assets/index.js`); a file path as it is. */
function pathOf(file: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) return file;
  try {
    return new URL(file).pathname || file;
  } catch {
    return file;
  }
}

interface IncidentStackFields {
  kind?: unknown;
  stack?: unknown;
  stacks?: unknown;
  durationMs?: unknown;
}

/**
 * The exception for an incident: always for an unresponsive renderer (Sentry's ANR shape, as the
 * Electron SDK sends it: type ApplicationNotResponding, mechanism ANR), and for any other incident
 * that carries a JS stack. `value` is the incident's title. Undefined when there is nothing to show.
 */
export function incidentException(incident: IncidentStackFields | null, title: string): SentryException | undefined {
  if (!incident) return undefined;
  const kind = typeof incident.kind === 'string' ? incident.kind : 'unknown';
  const stack = representativeStack(typeof incident.stack === 'string' ? incident.stack : undefined, sampledStacks(incident.stacks));
  const frames = stack ? sentryFrames(stack) : [];
  if (kind !== 'unresponsive' && frames.length === 0) return undefined;
  const exception: SentryException =
    kind === 'unresponsive'
      ? { type: 'ApplicationNotResponding', value: capChars(title, MAX_MESSAGE_CHARS), mechanism: { type: 'ANR', handled: false } }
      : { type: capChars(pascalCase(kind), MAX_SYMBOL_CHARS), value: capChars(title, MAX_MESSAGE_CHARS), mechanism: { type: `codex-diag.${kind}`, handled: false } };
  if (typeof incident.durationMs === 'number' && Number.isFinite(incident.durationMs)) exception.mechanism.data = { duration_ms: String(incident.durationMs) };
  if (frames.length > 0) exception.stacktrace = { frames };
  return exception;
}

function sampledStacks(value: unknown): SampledStack[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((s): s is SampledStack => typeof s === 'object' && s !== null && typeof (s as SampledStack).stack === 'string' && typeof (s as SampledStack).count === 'number');
}

function pascalCase(kind: string): string {
  const name = kind
    .split(/[^a-zA-Z0-9]+/)
    .filter((part) => part !== '')
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return name === '' ? 'Incident' : name;
}
