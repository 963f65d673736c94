import type { z } from 'zod';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../json-depth.js';
import { INCIDENT_KINDS, Incident } from './schema.js';

export type ParseIncidentResult = { ok: true; incident: Incident } | { ok: false; error: string };

/**
 * Validates an untrusted value (from a renderer, a file, the app) as an incident.
 * Never throws: a bad value yields one line naming the field and what was expected.
 */
export function parseIncident(value: unknown): ParseIncidentResult {
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, error: `expected an incident object, got ${describe(value)}` };
    }
    const kind = (value as { kind?: unknown }).kind;
    if (typeof kind !== 'string' || !(INCIDENT_KINDS as readonly string[]).includes(kind)) {
      const got = kind === undefined ? 'missing' : `got ${describe(kind)}`;
      return { ok: false, error: `kind: expected one of ${INCIDENT_KINDS.join(', ')}; ${got}` };
    }
    // Checked before validation, which (like the redactor) walks values recursively.
    if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
      return { ok: false, error: `nested more than ${MAX_JSON_DEPTH} levels deep (an incident is a flat record)` };
    }
    const result = Incident.safeParse(value);
    if (result.success) return { ok: true, incident: result.data };
    return { ok: false, error: formatIssues(result.error.issues) };
  } catch (error) {
    // Only reachable for exotic host objects (throwing getters, revoked proxies).
    return { ok: false, error: `unreadable incident value: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (!first) return 'invalid incident';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
  return `${formatPath(first.path)}: ${formatMessage(first)}${more}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(incident)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function formatMessage(issue: z.core.$ZodIssue): string {
  const message = issue.message.replace(/^Invalid input: /, '').replace(/[\r\n]+/g, ' ');
  if (issue.code === 'invalid_type' && /received undefined$/.test(message)) {
    return `missing (expected ${issue.expected})`;
  }
  return message;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return typeof value;
}
