import type { Incident } from './schema.js';
import { parseIncident } from './parse.js';

/** One incident read from text, or why the line at `line` (1-based) is not one. */
export type IncidentReadItem = { line: number; ok: true; incident: Incident } | { line: number; ok: false; error: string };

/**
 * Reads incidents from text (docs/FINGERPRINT.md): one JSON object, possibly
 * pretty-printed over many lines, or JSON lines, or the lines of the app's incident journal
 * (each holds its incident under `incident`). Blank lines are skipped; every other line
 * yields an item, in order, so one bad line never hides the good ones.
 */
export function readIncidents(text: string): IncidentReadItem[] {
  const body = text.replace(/^\uFEFF/, '');
  const lines = body.split('\n');
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (firstIndex < 0) return [];
  const firstLine = firstIndex + 1;
  const nonBlank = lines.filter((l) => l.trim() !== '').length;

  if (nonBlank > 1) {
    // A pretty-printed document: the whole text is one JSON value.
    const whole = tryJson(body);
    if (whole.ok && isPlainObject(whole.value)) return [item(firstLine, whole.value)];
    const opening = lines[firstIndex]?.trim();
    if (opening === '{' || opening === '[') {
      const reason = whole.ok ? 'expected one incident object or JSON lines' : `not valid JSON (${whole.error})`;
      return [{ line: firstLine, ok: false, error: reason }];
    }
  }

  const items: IncidentReadItem[] = [];
  lines.forEach((raw, index) => {
    if (raw.trim() === '') return;
    const parsed = tryJson(raw);
    items.push(parsed.ok ? item(index + 1, parsed.value) : { line: index + 1, ok: false, error: `not valid JSON (${parsed.error})` });
  });
  return items;
}

function item(line: number, value: unknown): IncidentReadItem {
  const result = parseIncident(journaledIncident(value) ?? value);
  return result.ok ? { line, ok: true, incident: result.incident } : { line, ok: false, error: result.error };
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'parse error' };
  }
}

/** A line of the incident journal ({occurredAt, fingerprint, incident, ...}) stands for its incident. */
function journaledIncident(value: unknown): unknown {
  if (!isPlainObject(value)) return undefined;
  const record = value as { incident?: unknown; fingerprint?: unknown };
  return isPlainObject(record.incident) && typeof record.fingerprint === 'string' ? record.incident : undefined;
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
