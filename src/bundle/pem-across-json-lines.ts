/**
 * A PEM block printed line by line into JSON log lines (a sidecar's stderr, one pino record per
 * output line): the BEGIN line's record opens it, and the same field of the following records
 * holds the body and the END line. Each record parses cleanly on its own, so without following
 * the block the body lines would pass as ordinary text.
 */

const BEGIN_AT_END = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----\s*$/;
const BODY = /^\s*(?:[A-Za-z0-9+/=]{1,100}|(?:Proc-Type|DEK-Info|Comment): [^\r\n]{0,200})\s*$/;
const END_AT_START = /^\s*[A-Za-z0-9+/=]{0,100}-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/;

/** Where in a record the block's lines are (e.g. `["msg"]`). */
export type FieldPath = readonly (string | number)[];

/** The path of the first string in `value` that ends with a PEM private key header, if any. */
export function pemOpeningField(value: unknown, limit = 1000): FieldPath | null {
  const stack: Array<{ value: unknown; path: FieldPath }> = [{ value, path: [] }];
  let visited = 0;
  while (stack.length > 0 && visited++ < limit) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('PRIVATE KEY') && BEGIN_AT_END.test(current)) return path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], path: [...path, i] });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return null;
}

/**
 * Replaces the block's line at `path` in a record (parsed, owned). Returns `body` when it was a
 * body line, `end` for the END line (the block is over), `none` when the field holds no part of
 * a block (the block is over too: it was cut off).
 */
export function redactPemField(record: unknown, path: FieldPath, marker: string): 'body' | 'end' | 'none' {
  let parent: unknown = record;
  for (let i = 0; i < path.length - 1; i++) {
    if (parent === null || typeof parent !== 'object') return 'none';
    parent = (parent as Record<string | number, unknown>)[path[i]!];
  }
  if (parent === null || typeof parent !== 'object' || path.length === 0) return 'none';
  const holder = parent as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  const text = holder[key];
  if (typeof text !== 'string') return 'none';
  if (BODY.test(text)) {
    holder[key] = marker;
    return 'body';
  }
  const end = END_AT_START.exec(text);
  if (end) {
    holder[key] = marker + text.slice(end[0].length);
    return 'end';
  }
  return 'none';
}
