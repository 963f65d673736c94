import type { ExplainedComponent } from './report-data.js';

/**
 * Explains an fp1 fingerprint component by component for people: what each component stands for,
 * which field of the incident it came from, and which volatile detail the algorithm
 * (src/incidents/fingerprint.ts, docs/FINGERPRINT.md) normalised away. It reads the components and
 * the redacted incident only; it never recomputes the fingerprint, so it explains what the bundle
 * says even for a version of the algorithm it does not know.
 */

type IncidentFields = Record<string, unknown>;

interface ComponentRule {
  meaning: (value: string, incident: IncidentFields) => string;
  /** The incident fields the component is made from (they are not "context"). */
  fields: (incident: IncidentFields) => string[];
  normalised: (value: string, incident: IncidentFields) => string[];
}

const TEXT_CLEANUP = 'trimmed, control characters removed, at most 64 characters';

const RULES: Record<string, ComponentRule> = {
  kind: {
    meaning: (v) => `the kind of failure: ${KIND_MEANING[v] ?? 'an incident kind this report does not describe'}`,
    fields: () => ['kind'],
    normalised: () => [],
  },
  reason: {
    meaning: (v) => `why the process went away, as Electron reported it (${v}); a different reason is a different failure`,
    fields: () => ['reason'],
    normalised: (v, i) => (typeof i.reason === 'string' && i.reason !== v ? [TEXT_CLEANUP] : []),
  },
  exit: {
    meaning: () => 'the exit code or signal, in one notation; kept only where the reason makes it meaningful (crashed, abnormal-exit, launch-failed) and for sidecars',
    fields: () => ['exitCode', 'signal'],
    normalised: (v, i) => exitNotes(v, i),
  },
  host: {
    meaning: () => 'the host of the page or request URL (lower case)',
    fields: (i) => [urlField(i)],
    normalised: (_v, i) => urlNotes(i[urlField(i)], 'host'),
  },
  route: {
    meaning: () => 'the static route of the URL: path segments that name an object (ids, UUIDs, hashes) become :id',
    fields: (i) => [urlField(i)],
    normalised: (_v, i) => urlNotes(i[urlField(i)], 'route'),
  },
  error: {
    meaning: () => 'the Chromium net error code of the failed load',
    fields: () => ['errorCode'],
    normalised: (_v, i) => (i.errorDescription !== undefined ? ['errorDescription (the same code in words) is context'] : []),
  },
  frame: {
    meaning: (v) =>
      v === 'main' || v === 'sub'
        ? 'whether the main frame or a sub-frame failed to load'
        : "the top application frame of the renderer's stack: function and file",
    fields: (i) => (i.kind === 'did-fail-load' ? ['isMainFrame'] : ['stack', 'stacks']),
    normalised: (v) =>
      v === 'main' || v === 'sub'
        ? []
        : [
            'line:column positions dropped',
            "the frame URL's host dropped",
            'build hashes removed from file names',
            'frames of the runtime, node_modules and vendor chunks skipped',
          ],
  },
  type: {
    meaning: () => 'the Chromium child process type (GPU, Utility, ...)',
    fields: () => ['type'],
    normalised: (v, i) => (typeof i.type === 'string' && i.type !== v ? [TEXT_CLEANUP] : []),
  },
  service: {
    meaning: () => "the utility process's service or name (Network Service, Audio Service, ...)",
    fields: () => ['serviceName', 'name'],
    normalised: () => [],
  },
  command: {
    meaning: () => "the sidecar's program and sub-command words",
    fields: () => ['command'],
    normalised: (v, i) =>
      typeof i.command === 'string' && i.command.trim() !== v
        ? ['directory, quotes and .exe dropped; arguments from the first option or key=value on dropped; id-like words dropped']
        : [],
  },
};

const KIND_MEANING: Record<string, string> = {
  'render-process-gone': 'a renderer process went away',
  unresponsive: 'a renderer stopped responding',
  'did-fail-load': 'a page failed to load',
  'child-process-gone': 'a Chromium child process (GPU, utility, ...) went away',
  'sidecar-exit': 'a sidecar process exited',
};

function urlField(incident: IncidentFields): string {
  return incident.kind === 'did-fail-load' && typeof incident.validatedURL === 'string' && incident.validatedURL.trim() !== ''
    ? 'validatedURL'
    : 'url';
}

export function explainComponents(components: readonly string[], incident: IncidentFields | null): ExplainedComponent[] {
  const fields = incident ?? {};
  return components.map((component) => {
    const colon = component.indexOf(':');
    if (colon < 0) {
      const version = /^fp\d+$/.test(component);
      return {
        component,
        meaning: version
          ? `the algorithm version: grouping under ${component} never changes; a change would be a new version`
          : 'a component this report does not describe',
        from: null,
        normalised: [],
      };
    }
    const prefix = component.slice(0, colon);
    const value = component.slice(colon + 1);
    const rule = RULES[prefix];
    if (!rule) return { component, meaning: value === 'unparsed' ? 'the incident did not validate' : 'a component this report does not describe', from: null, normalised: [] };
    return { component, meaning: rule.meaning(value, fields), from: describeFields(rule.fields(fields), fields), normalised: rule.normalised(value, fields) };
  });
}

/** Incident fields no component was made from: context that never splits a group. */
export function contextFields(components: readonly string[], incident: IncidentFields | null): Array<[string, string]> {
  if (!incident) return [];
  const used = new Set<string>();
  for (const component of components) {
    const rule = RULES[component.slice(0, Math.max(0, component.indexOf(':')))];
    if (rule) for (const field of rule.fields(incident)) used.add(field);
  }
  return Object.entries(incident)
    .filter(([key]) => !used.has(key))
    .map(([key, value]) => [key, shortText(value)]);
}

function describeFields(names: readonly string[], incident: IncidentFields): string | null {
  const present = names.filter((name) => incident[name] !== undefined && incident[name] !== null);
  if (present.length === 0) return null;
  return present.map((name) => `${name} = ${shortText(incident[name])}`).join('; ');
}

function shortText(value: unknown, max = 300): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function exitNotes(canonical: string, incident: IncidentFields): string[] {
  const raw = incident.signal ?? incident.exitCode;
  if (raw === undefined || raw === null) return canonical === 'unknown' ? ['neither an exit code nor a signal was given'] : [];
  const rawText = String(raw);
  if (rawText === canonical) return [];
  const notes = [`${rawText} written as ${canonical}`];
  if (/^0x[0-9A-F]{8}$/.test(canonical)) notes.push('a Windows status: its negative, unsigned and hex forms are one code');
  else if (/^SIG|^signal /.test(canonical) && /^\d+$/.test(rawText)) {
    notes.push(Number(rawText) > 128 ? `${rawText} is a shell's 128 + signal number` : `${rawText} is the signal number Chromium reports for a crash`);
  }
  if (incident.signal !== undefined && incident.signal !== null && incident.exitCode !== undefined) notes.push('the signal wins over the exit code');
  return notes;
}

/** What shaping a URL dropped, told from the URL as the bundle holds it. */
function urlNotes(raw: unknown, part: 'host' | 'route'): string[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return part === 'route' ? ['read as a path: query string, fragment, ids and hashes dropped'] : [];
  }
  const notes: string[] = [];
  if (part === 'host') {
    if (url.port) notes.push(`port ${url.port} dropped`);
    if (url.username || url.password) notes.push('user:pass@ dropped');
    if (/[A-Z]/.test(raw.split('/')[2] ?? '') || url.hostname.endsWith('.')) notes.push('case and trailing dot of the host dropped');
    return notes;
  }
  if (url.search) notes.push(`query string dropped (${url.search.length - 1} characters)`);
  if (url.hash) notes.push('fragment dropped');
  if (/^(data|blob|javascript):$/.test(url.protocol)) notes.push(`a ${url.protocol} URL is kept as its scheme alone`);
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const idLike = segments.filter((s) => /\d/.test(s) && (/^\d+$/.test(s) || /^[0-9a-f-]{7,}$/i.test(s) || /[.…]{1,3}$/.test(s) || s.length >= 8));
  if (idLike.length > 0) notes.push(`id-like path segment(s) shaped to :id: ${idLike.map((s) => shortText(s, 40)).join(', ')}`);
  if (/\/(?:Users|home)\/[^/]+|\/root\b|[A-Za-z]:[\\/]Users/.test(decodeURIComponentSafe(url.pathname))) notes.push('home directory replaced by ~');
  if (/app\.asar\//.test(url.pathname)) notes.push('install location before app.asar dropped');
  return notes;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
