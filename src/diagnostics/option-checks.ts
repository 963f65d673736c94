/**
 * Small composable checks for the options of createDiagnostics, written by hand so that validating
 * options costs the app's start-up microseconds instead of loading a schema library. The wording of
 * each problem is the one the options always had ("Too small: expected number to be >=0", …).
 */

export interface OptionIssue {
  /** Where, as keys from the options object down. */
  path: readonly (string | number)[];
  message: string;
  /** A wrong type or value (not merely out of bounds): an alternative (`either`) that has one is ruled out. */
  fatal: boolean;
  /** Keys the object at `path` does not have. */
  unknownKeys?: string[];
}

export type Check = (value: unknown, path: readonly (string | number)[]) => OptionIssue[];

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** How a value is named in "received …". */
function received(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : Number.isFinite(value) ? 'number' : String(value);
  if (typeof value !== 'object') return typeof value;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const proto = Object.getPrototypeOf(value) as unknown;
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return proto !== Object.prototype && 'constructor' in value && ctor ? String(ctor.name) : 'object';
}

const wrongType = (path: readonly (string | number)[], expected: string, value: unknown): OptionIssue[] => [
  { path, message: `Invalid input: expected ${expected}, received ${received(value)}`, fatal: true },
];

const outOfRange = (path: readonly (string | number)[], message: string): OptionIssue => ({ path, message, fatal: false });

export function string(options: { minLength?: number } = {}): Check {
  return (value, path) => {
    if (typeof value !== 'string') return wrongType(path, 'string', value);
    const min = options.minLength;
    return min !== undefined && value.length < min ? [outOfRange(path, `Too small: expected string to have >=${min} characters`)] : [];
  };
}

export interface NumberRange {
  int?: boolean;
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
}

/** A finite number (NaN and ±Infinity are refused), optionally an integer, within the bounds. */
export function number(range: NumberRange = {}): Check {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return wrongType(path, 'number', value);
    const issues: OptionIssue[] = [];
    if (range.int) {
      if (!Number.isInteger(value)) return wrongType(path, 'int', value);
      if (value > MAX_SAFE) issues.push(outOfRange(path, `Too big: expected int to be <=${MAX_SAFE}`));
      if (value < -MAX_SAFE) issues.push(outOfRange(path, `Too small: expected int to be >=${-MAX_SAFE}`));
    }
    if (range.above !== undefined && !(value > range.above)) issues.push(outOfRange(path, `Too small: expected number to be >${range.above}`));
    if (range.min !== undefined && value < range.min) issues.push(outOfRange(path, `Too small: expected number to be >=${range.min}`));
    if (range.max !== undefined && value > range.max) issues.push(outOfRange(path, `Too big: expected number to be <=${range.max}`));
    return issues;
  };
}

export const boolean: Check = (value, path) => (typeof value === 'boolean' ? [] : wrongType(path, 'boolean', value));

/** One of these strings (or exactly this one value). */
export function oneOf(values: readonly (string | boolean)[]): Check {
  const quoted = values.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v)));
  const message = values.length === 1 ? `Invalid input: expected ${quoted[0]}` : `Invalid option: expected one of ${quoted.join('|')}`;
  return (value, path) => (values.includes(value as string | boolean) ? [] : [{ path, message, fatal: true }]);
}

export function arrayOf(item: Check): Check {
  return (value, path) => (Array.isArray(value) ? value.flatMap((v, i) => item(v, [...path, i])) : wrongType(path, 'array', value));
}

export function recordOf(item: Check): Check {
  return (value, path) => (isPlainObject(value) ? Object.keys(value).flatMap((key) => item(value[key], [...path, key])) : wrongType(path, 'record', value));
}

/** A test of the host's value (a function, a clock) with what was expected in its words. */
export function satisfies(test: (value: unknown) => boolean, expected: string): Check {
  return (value, path) => (test(value) ? [] : [{ path, message: expected, fatal: false }]);
}

/**
 * The first alternative that accepts the value. Otherwise, when exactly one alternative failed only on
 * a bound (its type was right), its problems, which say most; else one "Invalid input".
 */
export function either(...alternatives: Check[]): Check {
  return (value, path) => {
    const ruledIn: OptionIssue[][] = [];
    for (const alternative of alternatives) {
      const issues = alternative(value, path);
      if (issues.length === 0) return [];
      if (!issues.some((issue) => issue.fatal)) ruledIn.push(issues);
    }
    return ruledIn.length === 1 ? ruledIn[0]! : [{ path, message: 'Invalid input', fatal: true }];
  };
}

/**
 * An object with only these keys, each optional unless listed in `required`; keys set to undefined
 * count as absent. Every problem is reported, an unknown (misspelt) key by name after the others.
 */
export function strictObject(shape: Record<string, Check>, required: readonly string[] = []): Check {
  const keys = Object.keys(shape);
  return (value, path) => {
    if (!isObject(value)) return wrongType(path, 'object', value);
    const issues: OptionIssue[] = [];
    for (const key of keys) {
      const v = value[key];
      if (v === undefined && !required.includes(key)) continue;
      issues.push(...shape[key]!(v, [...path, key]));
    }
    const unknown = Object.keys(value).filter((key) => !Object.hasOwn(shape, key));
    // Not fatal: an object that is right but for a misspelt key is what `either` reports on.
    if (unknown.length > 0) issues.push({ path, message: 'unknown keys', fatal: false, unknownKeys: unknown });
    return issues;
  };
}

export const optional =
  (check: Check): Check =>
  (value, path) =>
    value === undefined ? [] : check(value, path);

/** One line per issue: `option a.b: …`, or `unknown option a.x, a.y` for misspelt keys. */
export function describeIssue(issue: OptionIssue): string {
  if (issue.unknownKeys) {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return `unknown option ${issue.unknownKeys.map((key) => prefix + key).join(', ')}`;
  }
  return `option ${issue.path.length > 0 ? issue.path.join('.') : '(options)'}: ${issue.message}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isObject(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
