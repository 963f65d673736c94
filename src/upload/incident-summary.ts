/**
 * How an incident reads in Sentry: its level and a title a person understands.
 * src/incidents owns both (`sentryLevelFor`, the fingerprint's title); they are loaded on first use.
 * The small tables below are the fallback for an incident its schema does not accept (a bundle
 * from another version, a hand-written incident file), so such a bundle still uploads readably.
 */

/** Level and title of a bundle's incident; a manual export (no incident) is an info event. */
export async function describeIncident(
  incident: IncidentLike | null,
  manifestTitle?: string,
): Promise<{ level: SentryLevel; title: string }> {
  if (!incident) return { level: 'info', title: manifestTitle ?? titleForIncident(null) };
  const [{ parseIncident }, { sentryLevelFor }, { fingerprintIncident }] = await Promise.all([
    import('../incidents/parse.js'),
    import('../incidents/sentry-level.js'),
    import('../incidents/fingerprint.js'),
  ]);
  const parsed = parseIncident(incident);
  if (!parsed.ok) return { level: levelForIncident(incident), title: manifestTitle ?? titleForIncident(incident) };
  return { level: sentryLevelFor(parsed.incident), title: manifestTitle ?? fingerprintIncident(parsed.incident).title };
}

export type SentryLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

/** The fields of an incident this module reads; everything else is carried as context. */
export interface IncidentLike {
  kind?: unknown;
  reason?: unknown;
  exitCode?: unknown;
  url?: unknown;
  validatedURL?: unknown;
  errorCode?: unknown;
  errorDescription?: unknown;
  isMainFrame?: unknown;
  type?: unknown;
  serviceName?: unknown;
  name?: unknown;
  command?: unknown;
  signal?: unknown;
  [key: string]: unknown;
}

const FATAL_REASONS = new Set(['crashed', 'oom', 'launch-failed', 'integrity-failure']);
const WARNING_REASONS = new Set(['abnormal-exit', 'killed']);

export function levelForIncident(incident: IncidentLike | null): SentryLevel {
  if (!incident) return 'info';
  const kind = str(incident.kind);
  const reason = str(incident.reason);
  if (kind === 'unresponsive') return 'warning';
  if (kind === 'did-fail-load') return 'error';
  if (reason && FATAL_REASONS.has(reason)) return 'fatal';
  if (reason && WARNING_REASONS.has(reason)) return 'warning';
  if (reason === 'clean-exit') return 'info';
  if (kind === 'sidecar-exit') return str(incident.signal) ? 'warning' : 'error';
  return 'error';
}

export function titleForIncident(incident: IncidentLike | null): string {
  if (!incident) return 'Diagnostics bundle exported by hand';
  const kind = str(incident.kind) ?? 'incident';
  const reason = str(incident.reason);
  switch (kind) {
    case 'render-process-gone':
      return `Renderer ${goneVerb(reason, incident.exitCode)}${at(routeOf(incident.url))}`;
    case 'unresponsive':
      return `Renderer unresponsive${at(routeOf(incident.url))}`;
    case 'did-fail-load': {
      const what = [str(incident.errorDescription), num(incident.errorCode) !== undefined ? `(${num(incident.errorCode)})` : undefined]
        .filter(Boolean)
        .join(' ');
      const frame = incident.isMainFrame === false ? 'Sub-frame' : 'Page';
      const target = hostAndRoute(incident.validatedURL ?? incident.url);
      return `${frame} failed to load${what ? `: ${what}` : ''}${target ? ` for ${target}` : ''}`;
    }
    case 'child-process-gone': {
      const who = str(incident.serviceName) || str(incident.name) || str(incident.type) || 'Child';
      return `${who} process ${goneVerb(reason, incident.exitCode)}`;
    }
    case 'sidecar-exit': {
      const command = str(incident.command) ?? 'sidecar';
      const signal = str(incident.signal);
      if (signal) return `${command} killed by ${signal}`;
      const code = num(incident.exitCode);
      return code === undefined ? `${command} exited` : `${command} exited with code ${code}`;
    }
    default:
      return reason ? `${kind} (${reason})` : kind;
  }
}

function goneVerb(reason: string | undefined, exitCode: unknown): string {
  const code = num(exitCode);
  const withCode = code === undefined || code === 0 ? '' : ` (exit code ${code})`;
  switch (reason) {
    case 'crashed':
      return `crashed${withCode}`;
    case 'oom':
      return 'crashed (oom)';
    case 'killed':
      return 'killed';
    case 'clean-exit':
      return 'exited';
    case 'abnormal-exit':
      return `exited abnormally${withCode}`;
    case 'launch-failed':
      return `failed to launch${withCode}`;
    case 'integrity-failure':
      return 'failed its code integrity check';
    case undefined:
      return `gone${withCode}`;
    default:
      return `gone (${reason})`;
  }
}

/** A route without its volatile parts, so titles read the same across events of one issue. */
export function routeOf(url: unknown): string | undefined {
  const text = str(url);
  if (!text) return undefined;
  let pathname: string;
  try {
    pathname = new URL(text).pathname;
  } catch {
    pathname = text.split(/[?#]/)[0] ?? text;
  }
  const route = pathname
    .split('/')
    .map((segment) => (/^(\d+|[0-9a-f]{8,}|[0-9a-f-]{32,36})$/i.test(segment) || /^[0-9a-f]{4,}\.{3}$/i.test(segment) ? ':id' : segment))
    .join('/');
  return route || '/';
}

function hostAndRoute(url: unknown): string | undefined {
  const text = str(url);
  if (!text) return undefined;
  try {
    const parsed = new URL(text);
    return `${parsed.host}${routeOf(text) ?? ''}`;
  } catch {
    return routeOf(text);
  }
}

function at(route: string | undefined): string {
  return route ? ` at ${route}` : '';
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function num(value: unknown): number | string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}
