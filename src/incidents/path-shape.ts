/**
 * Path normalisation for fingerprints (frozen for fp1; docs/FINGERPRINT.md lists every rule).
 * Hand-written: route-pattern libraries match known routes, while here the routes are unknown
 * and only the volatile parts (ids, hashes, the user's home) have to be recognised.
 */

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** True for a path segment that names one object rather than a place: ids, hashes, tokens. */
export function isVolatileSegment(segment: string): boolean {
  if (/^\d+$/.test(segment)) return true;
  if (UUID.test(segment)) return true;
  const hasDigit = /\d/.test(segment);
  if (/^[0-9a-f]+$/i.test(segment) && ((segment.length >= 7 && hasDigit) || segment.length >= 16)) return true;
  // An id cut short for display: `8f3a...` or `8f3a…`.
  if (/^[0-9a-f]{4,}(?:\.\.\.|…)$/i.test(segment) && hasDigit) return true;
  // Opaque tokens: ULIDs, nanoids, base64url ids.
  if (/^[A-Za-z0-9_-]{16,}$/.test(segment) && hasDigit && /[A-Za-z]/.test(segment)) return true;
  // Prefixed ids: `conv_8f3a9b2c`, `thread-01HZX3`; two digits, so `settings-v2beta` stays a word.
  if (/^[A-Za-z]{1,16}[_-][A-Za-z0-9_-]{6,}$/.test(segment)) {
    const tail = segment.replace(/^[A-Za-z]+[_-]/, '');
    if ((tail.match(/\d/g)?.length ?? 0) >= 2) return true;
  }
  // Short base62 ids: at least 8 characters with two or more digits among letters.
  if (/^[A-Za-z0-9]{8,}$/.test(segment) && (segment.match(/\d/g)?.length ?? 0) >= 2 && /[A-Za-z]/.test(segment)) {
    return true;
  }
  return false;
}

/** True for a build hash inside a file name (`3f2a`, `CQwPb0Th`, `5XKQ2ZJA`), not a word. */
function isHashToken(token: string): boolean {
  if (token.length < 4 || !/^[A-Za-z0-9_]+$/.test(token)) return false;
  if (/\d/.test(token)) return true;
  return token.length >= 8 && /[A-Z]/.test(token.slice(1));
}

/**
 * Removes build hashes from a file name: `index-3f2a.js` -> `index.js`,
 * `main.3f2a9b1c.chunk.js` -> `main.chunk.js`. The first token and the extension stay.
 */
export function stripAssetHash(fileName: string): string {
  const parts = fileName.split(/([.-])/);
  // parts: token, sep, token, sep, ..., token (the extension is the last token).
  if (parts.length < 3 || !fileName.includes('.')) return fileName;
  let out = parts[0] ?? '';
  for (let i = 1; i + 1 < parts.length; i += 2) {
    const separator = parts[i] ?? '';
    const token = parts[i + 1] ?? '';
    const isLast = i + 2 >= parts.length;
    if (!isLast && isHashToken(token)) continue;
    out += separator + token;
  }
  return out;
}

/**
 * Replaces the user's home directory with `~`: the given one, and the usual places on every
 * platform (`/Users/<name>`, `/home/<name>`, `C:/Users/<name>`), so a path from another
 * machine normalises the same. Expects forward slashes.
 */
export function replaceHomeDir(p: string, homedir?: string): string {
  if (homedir) {
    const home = homedir.replace(/\\/g, '/').replace(/\/+$/, '');
    if (home.length > 1) {
      const candidates = [home, `/${home}`];
      for (const candidate of candidates) {
        if (p === candidate || p.startsWith(`${candidate}/`)) return `~${p.slice(candidate.length)}`;
        const lowerP = p.toLowerCase();
        // Windows paths are case-insensitive.
        if (/^\/?[a-z]:\//i.test(candidate) && (lowerP === candidate.toLowerCase() || lowerP.startsWith(`${candidate.toLowerCase()}/`))) {
          return `~${p.slice(candidate.length)}`;
        }
      }
    }
  }
  return p
    .replace(/^\/?[A-Za-z]:\/(?:Users|Documents and Settings)\/[^/]+(?=\/|$)/i, '~')
    .replace(/^\/(?:Users|home)\/[^/]+(?=\/|$)/, '~')
    .replace(/^\/root(?=\/|$)/, '~');
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface PathShapeOptions {
  homedir?: string;
}

/**
 * The stable shape of a path: home dir -> `~`, everything up to an `.asar` archive dropped
 * (install locations differ per machine), ids -> `:id`, hashes out of the file name,
 * empty segments and a trailing slash dropped.
 */
export function shapePath(rawPath: string, options: PathShapeOptions = {}): string {
  let p = rawPath.replace(/\\/g, '/');
  p = p.split('/').map(decodeSegment).join('/').replace(/\\/g, '/');
  p = replaceHomeDir(p, options.homedir);
  const asar = p.lastIndexOf('.asar/');
  if (asar >= 0) {
    const start = p.lastIndexOf('/', asar) + 1;
    p = p.slice(start);
  }
  const home = p.startsWith('~');
  const segments = p.split('/').filter((s, i) => s !== '' && !(home && i === 0));
  const shaped = segments.map((segment, i) => {
    if (isVolatileSegment(segment)) return ':id';
    if (i === segments.length - 1 && segment.includes('.')) {
      const stripped = stripAssetHash(segment);
      const stem = stripped.replace(/\..*$/, '');
      return isVolatileSegment(stem) ? `:id${stripped.slice(stem.length)}` : stripped;
    }
    return segment;
  });
  const joined = shaped.join('/');
  if (home) return joined === '' ? '~' : `~/${joined}`;
  if (asar >= 0) return joined;
  return `/${joined}`;
}
