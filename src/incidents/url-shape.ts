import { shapePath, type PathShapeOptions } from './path-shape.js';

/** Where an incident happened, with everything volatile taken out. */
export interface UrlShape {
  /** Lower-case host name without port or credentials; undefined for file: and the like. */
  host?: string;
  /** Static route: `/chat/:id`, `~/app/index.html`, `about:blank`. */
  route: string;
  /** For titles: `chatgpt.com/backend-api/x` for web URLs, the route alone for the app's own. */
  display: string;
}

const WEB_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);
/** Schemes whose whole body is volatile (inline content, object ids). */
const OPAQUE_SCHEMES = new Set(['data:', 'blob:', 'javascript:']);

/**
 * Shapes a URL for grouping: query, fragment, port and credentials dropped; the path shaped
 * by `shapePath`. Text that is not a URL is shaped as a path. Undefined for empty input.
 */
export function shapeUrl(raw: string | undefined, options: PathShapeOptions = {}): UrlShape | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url) {
    const route = shapePath(text.replace(/[?#].*$/s, ''), options);
    return { route, display: route };
  }
  const protocol = url.protocol.toLowerCase();
  if (OPAQUE_SCHEMES.has(protocol)) return { route: protocol, display: protocol };
  // `chatgpt.com.` (the fully qualified form) is the same host as `chatgpt.com`.
  const host = url.hostname.toLowerCase().replace(/\.$/, '') || undefined;
  if (!host && protocol !== 'file:' && !url.pathname.startsWith('/')) {
    // Non-hierarchical URLs such as about:blank: the scheme and body are the place.
    const route = `${protocol}${url.pathname}`;
    return { route, display: route };
  }
  const route = shapePath(url.pathname, options);
  const display = host && WEB_SCHEMES.has(protocol) ? `${host}${route === '/' ? '' : route}` : route;
  return host ? { host, route, display } : { route, display };
}
