import { createHash } from 'node:crypto';
import { CRASH_SIGNALS, normaliseExitCode, type NormalisedExitCode } from './exit-codes.js';
import { incidentExitCode } from './incident-exit-code.js';
import { netErrorName } from './net-errors.js';
import { isVolatileSegment, replaceHomeDir, stripAssetHash } from './path-shape.js';
import type {
  ChildProcessGoneIncident,
  DidFailLoadIncident,
  Incident,
  RenderProcessGoneIncident,
  SidecarExitIncident,
  UnresponsiveIncident,
} from './schema.js';
import { representativeStack, topApplicationFrame, type ShapedFrame } from './stack-frames.js';
import { shapeUrl, type UrlShape } from './url-shape.js';

/** Bumped only when grouping changes on purpose; every fingerprint carries it (docs/FINGERPRINT.md). */
export const FINGERPRINT_VERSION = 'fp1';

export interface FingerprintOptions {
  /** The user's home directory, replaced by `~` in paths (the usual home locations always are). */
  homedir?: string;
}

export interface FingerprintResult {
  /** `fp1-` and the first 16 hex digits of sha256(JSON.stringify(components)). */
  fingerprint: string;
  /** Readable grouping keys, in a fixed order; Sentry's event fingerprint. */
  components: string[];
  /** A title a person understands: `Renderer crashed (SIGSEGV) at /chat/:id`. */
  title: string;
}

/** Reasons whose exit code tells one failure from another (for the others it is noise). */
const EXIT_CODE_MEANINGFUL: ReadonlySet<string> = new Set(['crashed', 'abnormal-exit', 'launch-failed']);

/** Keeps untrusted text to one bounded line, so components and titles stay readable. */
function clean(text: string, max = 120): string {
  const oneLine = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max) : oneLine;
}

function hashComponents(components: readonly string[]): string {
  const hex = createHash('sha256').update(JSON.stringify(components), 'utf8').digest('hex');
  return `${FINGERPRINT_VERSION}-${hex.slice(0, 16)}`;
}

function exitFor(reason: string, exitCode: RenderProcessGoneIncident['exitCode']): NormalisedExitCode | undefined {
  if (!EXIT_CODE_MEANINGFUL.has(reason)) return undefined;
  return normaliseExitCode(exitCode, reason === 'launch-failed' ? 'launch' : reason === 'crashed' ? 'crash' : 'exit-status');
}

function locationComponents(shape: UrlShape | undefined): string[] {
  if (!shape) return [];
  return [...(shape.host ? [`host:${shape.host}`] : []), `route:${shape.route}`];
}

/** What happened to a process, as a phrase: `crashed (SIGSEGV)`, `was killed`. */
function gonePhrase(reason: string, exit: NormalisedExitCode | undefined): string {
  const detail = exit ? ` (${exit.label})` : '';
  switch (reason) {
    case 'crashed':
      return `crashed${detail}`;
    case 'oom':
      return 'crashed (oom)';
    case 'killed':
      return 'was killed';
    case 'abnormal-exit':
      return `exited abnormally${detail}`;
    case 'launch-failed':
      return `failed to launch${detail}`;
    case 'integrity-failure':
      return 'failed code integrity checks';
    case 'memory-eviction':
      return 'was evicted to free memory';
    case 'clean-exit':
      return 'exited cleanly';
    default:
      return `gone (${reason})`;
  }
}

function renderProcessGone(incident: RenderProcessGoneIncident, options: FingerprintOptions) {
  const reason = clean(incident.reason, 64);
  const exit = exitFor(reason, incident.exitCode);
  const where = shapeUrl(incident.url, options);
  const components = [
    `kind:${incident.kind}`,
    `reason:${reason}`,
    ...(exit ? [`exit:${exit.canonical}`] : []),
    ...locationComponents(where),
  ];
  const title = `Renderer ${gonePhrase(reason, exit)}${where ? ` at ${where.display}` : ''}`;
  return { components, title };
}

function frameLabel(frame: ShapedFrame): string {
  return `${clean(frame.fn, 80)} (${frame.file})`;
}

function unresponsive(incident: UnresponsiveIncident, options: FingerprintOptions) {
  const where = shapeUrl(incident.url, options);
  const stack = representativeStack(incident.stack, incident.stacks);
  const frame = stack === undefined ? undefined : topApplicationFrame(stack, options);
  const components = [`kind:${incident.kind}`, ...locationComponents(where), ...(frame ? [`frame:${frameLabel(frame)}`] : [])];
  const inFrame = frame ? ` in ${frame.fn === '<anonymous>' ? frame.file : clean(frame.fn, 80)}` : '';
  const title = `Renderer unresponsive${where ? ` at ${where.display}` : ''}${inFrame}`;
  return { components, title };
}

function didFailLoad(incident: DidFailLoadIncident, options: FingerprintOptions) {
  const target = incident.validatedURL.trim() !== '' ? incident.validatedURL : incident.url;
  const where = shapeUrl(target, options);
  const components = [
    `kind:${incident.kind}`,
    `error:${incident.errorCode}`,
    `frame:${incident.isMainFrame ? 'main' : 'sub'}`,
    ...locationComponents(where),
  ];
  const what = incident.isMainFrame ? 'Page' : 'Subframe';
  const title = `${what} failed to load (${netErrorName(incident.errorCode, incident.errorDescription)})${where ? ` ${where.display}` : ''}`;
  return { components, title };
}

function childProcessGone(incident: ChildProcessGoneIncident) {
  const type = clean(incident.type, 64);
  const reason = clean(incident.reason, 64);
  const service = clean(incident.serviceName ?? '', 100) || clean(incident.name ?? '', 100);
  const exit = exitFor(reason, incident.exitCode);
  const components = [
    `kind:${incident.kind}`,
    `type:${type}`,
    ...(service ? [`service:${service}`] : []),
    `reason:${reason}`,
    ...(exit ? [`exit:${exit.canonical}`] : []),
  ];
  const displayName = clean(incident.name ?? '', 100) || service;
  const processName = `${type} process${displayName ? ` '${displayName}'` : ''}`;
  return { components, title: `${processName} ${gonePhrase(reason, exit)}` };
}

/**
 * A sidecar command without volatile detail: the program's base name (no directory, no
 * `.exe`), then its leading sub-command words; arguments from the first option on are dropped
 * (ports, paths, ids). `"/opt/codex/bin/codex" app-server --port 4500` -> `codex app-server`.
 */
export function shapeCommand(command: string, options: FingerprintOptions = {}): string {
  const tokens = command.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const words: string[] = [];
  for (const [i, rawToken] of tokens.entries()) {
    const token = rawToken.replace(/^["']|["']$/g, '');
    if (i > 0 && (token.startsWith('-') || token.includes('=') || words.length >= 4)) break;
    const normalisedPath = replaceHomeDir(token.replace(/\\/g, '/'), options.homedir);
    let word = normalisedPath.includes('/') ? (normalisedPath.split('/').pop() ?? '') : normalisedPath;
    if (i === 0) word = word.replace(/\.(?:exe|cmd|bat|com)$/i, '');
    word = stripAssetHash(word);
    if (word === '' || (i > 0 && isVolatileSegment(word))) continue;
    words.push(clean(word, 64));
  }
  return words.join(' ') || 'unknown';
}

function sidecarExit(incident: SidecarExitIncident, options: FingerprintOptions) {
  const command = shapeCommand(incident.command, options);
  const exit = incidentExitCode(incident);
  const components = [`kind:${incident.kind}`, `command:${command}`, `exit:${exit?.canonical ?? 'unknown'}`];
  let outcome: string;
  if (!exit) outcome = 'exited';
  else if (CRASH_SIGNALS.has(exit.canonical)) outcome = `crashed (${exit.label})`;
  else if (exit.canonical.startsWith('SIG') || exit.canonical.startsWith('signal')) outcome = `killed by ${exit.label}`;
  else if (exit.canonical.startsWith('0x')) outcome = `crashed (${exit.label})`;
  else outcome = `exited with code ${exit.canonical}`;
  return { components, title: `Sidecar '${command}' ${outcome}` };
}

/**
 * The grouping key of an incident (algorithm fp1, docs/FINGERPRINT.md). Pure and
 * deterministic: the same failure gives the same fingerprint on every machine and run.
 * Never throws; a value that slipped past validation gets a fingerprint by kind alone.
 */
export function fingerprintIncident(incident: Incident, options: FingerprintOptions = {}): FingerprintResult {
  let parts: { components: string[]; title: string };
  try {
    switch (incident.kind) {
      case 'render-process-gone':
        parts = renderProcessGone(incident, options);
        break;
      case 'unresponsive':
        parts = unresponsive(incident, options);
        break;
      case 'did-fail-load':
        parts = didFailLoad(incident, options);
        break;
      case 'child-process-gone':
        parts = childProcessGone(incident);
        break;
      case 'sidecar-exit':
        parts = sidecarExit(incident, options);
        break;
      default:
        parts = unknownKind(incident);
    }
  } catch {
    parts = unknownKind(incident);
  }
  const components = [FINGERPRINT_VERSION, ...parts.components];
  return { fingerprint: hashComponents(components), components, title: parts.title };
}

function unknownKind(incident: unknown): { components: string[]; title: string } {
  const kind = typeof incident === 'object' && incident !== null ? (incident as { kind?: unknown }).kind : undefined;
  const name = typeof kind === 'string' ? clean(kind, 64) : 'unknown';
  return { components: [`kind:${name}`, 'unparsed'], title: `Incident (${name})` };
}
