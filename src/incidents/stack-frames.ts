import { shapePath, type PathShapeOptions } from './path-shape.js';
import type { SampledStack } from './schema.js';

/** One stack frame, shaped for grouping: no line:column, no build hash, no install path. */
export interface ShapedFrame {
  /** Function name, `<anonymous>` when there is none. */
  fn: string;
  /** Shaped file location (`assets/index.js`, `app.asar/dist/main.js`), `<unknown>` when none. */
  file: string;
}

/** Only the first lines are looked at: a runaway stack must not cost more than this. */
const MAX_LINES = 200;

/**
 * Runtime and library frames: Node and Electron internals, native code, dependencies.
 * The top frame that is none of these is the application's own.
 */
const INTERNAL_LOCATIONS: readonly RegExp[] = [
  /^node:/,
  /^internal[\\/]/,
  /^electron[\\/]js2c[\\/]/,
  /^electron:/,
  /electron\.asar/,
  /(?:^|[\\/])node_modules[\\/]/,
  // Bundled dependencies: a bundler's vendor chunk (`vendor-3f2a.js`, `vendors~main.js`, `chunk-vendors.js`).
  /(?:^|[\\/])(?:vendors?|chunk-vendors)(?:[~.\-][^\\/]*)?\.m?js(?::\d+(?::\d+)?)?$/,
  /^native$/,
  /^<anonymous>$/,
  /^\[native code\]$/,
  /^(?:chrome-extension|devtools|chrome|extensions)::?/,
  /^wasm:/,
];

interface RawFrame {
  fn: string;
  location: string;
}

/** Parses one V8 (`    at fn (file:1:2)`) or Gecko/WebKit (`fn@file:1:2`) stack line. */
function parseStackLine(line: string): RawFrame | undefined {
  const text = line.trim();
  if (text.startsWith('at ')) {
    const rest = text.slice(3).trim();
    const withName = /^(.*?) \((.*)\)$/.exec(rest);
    if (withName) return { fn: cleanFunctionName(withName[1] ?? ''), location: withName[2] ?? '' };
    return { fn: '<anonymous>', location: rest };
  }
  const gecko = /^([^@\s]*)@(.+)$/.exec(text);
  if (gecko) return { fn: cleanFunctionName(gecko[1] ?? ''), location: gecko[2] ?? '' };
  return undefined;
}

function cleanFunctionName(raw: string): string {
  const name = raw
    .replace(/^async\s+/, '')
    .replace(/\s*\[as [^\]]*\]$/, '')
    .trim();
  return name === '' ? '<anonymous>' : name;
}

function stripLineColumn(location: string): string {
  return location.replace(/(?::\d+){1,2}$/, '');
}

function isInternal(location: string): boolean {
  return INTERNAL_LOCATIONS.some((pattern) => pattern.test(location));
}

/** A frame location shaped: path of a URL or file, home dir and hashes removed, no host. */
function shapeFrameLocation(location: string, options: PathShapeOptions = {}): string {
  let target = stripLineColumn(location.trim());
  if (target.startsWith('eval at ')) return 'eval';
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) || /^file:/i.test(target)) {
      target = new URL(target).pathname;
    }
  } catch {
    // Not a URL after all: shape it as a file path.
  }
  target = target.replace(/[?#].*$/s, '');
  const shaped = shapePath(target, options).replace(/^\//, '');
  return shaped === '' ? '<unknown>' : shaped;
}

/** One frame as the stack text wrote it: function name and location (`url:line:col`). */
export interface StackLineFrame {
  fn: string;
  location: string;
}

/** The frames of a V8 (Chromium, Node) or Gecko/WebKit stack text, in the order written (newest first). */
export function parseStackText(stack: string): StackLineFrame[] {
  const frames: StackLineFrame[] = [];
  for (const line of stack.split('\n', MAX_LINES)) {
    const frame = parseStackLine(line);
    if (frame) frames.push(frame);
  }
  return frames;
}

/** True for runtime and library frames (Node, Electron, native code, node_modules, vendor chunks); false for the app's own. */
export function isLibraryLocation(location: string): boolean {
  const bare = stripLineColumn(location.trim());
  return bare === '' || isInternal(bare);
}

/** The first frame of a stack that belongs to the application, shaped; undefined if none. */
export function topApplicationFrame(stack: string, options: PathShapeOptions = {}): ShapedFrame | undefined {
  const lines = stack.split('\n', MAX_LINES);
  for (const line of lines) {
    const frame = parseStackLine(line);
    if (!frame) continue;
    const location = stripLineColumn(frame.location.trim());
    if (location === '' || isInternal(location)) continue;
    return { fn: frame.fn, file: shapeFrameLocation(location, options) };
  }
  return undefined;
}

/** The stack to fingerprint an unresponsive renderer by: the one given, else the most sampled. */
export function representativeStack(stack: string | undefined, stacks: readonly SampledStack[] | undefined): string | undefined {
  if (stack !== undefined && stack.trim() !== '') return stack;
  let best: SampledStack | undefined;
  for (const candidate of stacks ?? []) {
    if (candidate.stack.trim() === '') continue;
    if (!best || candidate.count > best.count) best = candidate;
  }
  return best?.stack;
}
