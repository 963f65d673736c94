/**
 * How an incident reads in Sentry: its level and a title a person understands. src/incidents owns
 * both (`sentryLevelFor`, the fingerprint's title), loaded on first use; nothing is duplicated here.
 */

export type SentryLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';

/** The fields of an incident this module reads; everything else is carried as context. */
export interface IncidentLike {
  kind?: unknown;
  [key: string]: unknown;
}

/** What the bundle's manifest says about its incident (the builder always writes both). */
export interface ManifestIncidentSummary {
  title?: string;
  kind?: string;
}

export const MANUAL_EXPORT_TITLE = 'Diagnostics bundle exported by hand';

/**
 * Level and title of a bundle's incident; a manual export (no incident) is an info event. An
 * incident its schema refuses (a bundle from another version, a hand-written incident file) keeps
 * the manifest's title, else `<kind> incident`, at level error: it still uploads, readably.
 */
export async function describeIncident(
  incident: IncidentLike | null,
  manifest: ManifestIncidentSummary = {},
): Promise<{ level: SentryLevel; title: string }> {
  if (!incident) return { level: 'info', title: manifest.title ?? MANUAL_EXPORT_TITLE };
  const [{ parseIncident }, { sentryLevelFor }, { fingerprintIncident }] = await Promise.all([
    import('../incidents/parse.js'),
    import('../incidents/sentry-level.js'),
    import('../incidents/fingerprint.js'),
  ]);
  const parsed = parseIncident(incident);
  if (!parsed.ok) {
    const kind = nonEmpty(incident.kind) ?? manifest.kind ?? 'unknown';
    return { level: 'error', title: manifest.title ?? `${kind} incident` };
  }
  return { level: sentryLevelFor(parsed.incident), title: manifest.title ?? fingerprintIncident(parsed.incident).title };
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
