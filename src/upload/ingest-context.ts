/**
 * A Sentry context as Relay keeps it. Each context is a data bag of at most 8 KiB of estimated JSON
 * and 7 levels deep (getsentry/relay, relay-event-schema/src/protocol/contexts/mod.rs:
 * `ContextInner(#[metastructure(bag_size = "large")] Context)`; processor/attrs.rs:
 * `BagSize::Large` max_depth 7, max_size 8192). Relay's trimming cuts a bigger one where it
 * happens to run out and marks the event; here it is fitted before sending, deliberately: deeper
 * values become their JSON text, the longest strings are shortened first, and only then whole keys
 * go, named in `trimmed_keys`. Everything stays in the bundle zip attached to the event.
 */

import { capChars } from './ingest-limits.js';

export const MAX_CONTEXT_BYTES = 8192;
export const MAX_CONTEXT_DEPTH = 7;
/** Below Relay's limit: its size estimate and ours may differ by a few bytes. */
const CONTEXT_BUDGET_BYTES = MAX_CONTEXT_BYTES - 256;
/** A string is not shortened below this: a short value says more than none. */
const MIN_STRING_CHARS = 128;
/** Bounds the work on a hostile context (each round halves one string). */
const MAX_ROUNDS = 256;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

export function ingestableContext(context: Record<string, unknown>): Record<string, unknown> {
  // The context object is level 1; its values may nest six more.
  const out = limitDepth(JSON.parse(JSON.stringify(context)) as Json, 1) as Record<string, Json>;
  if (jsonBytes(out) <= CONTEXT_BUDGET_BYTES) return out;
  for (let round = 0; round < MAX_ROUNDS && jsonBytes(out) > CONTEXT_BUDGET_BYTES; round++) {
    const longest = longestString(out);
    if (!longest || Array.from(longest.value).length <= MIN_STRING_CHARS) break;
    const chars = Array.from(longest.value).length;
    longest.set(capChars(longest.value, Math.max(MIN_STRING_CHARS, Math.floor(chars / 2))));
  }
  const trimmed: string[] = [];
  while (jsonBytes({ ...out, trimmed_keys: trimmed }) > CONTEXT_BUDGET_BYTES) {
    const largest = Object.keys(out)
      .filter((key) => key !== 'trimmed_keys')
      .sort((a, b) => jsonBytes(out[b]) - jsonBytes(out[a]))[0];
    if (largest === undefined) break;
    delete out[largest];
    trimmed.push(largest);
  }
  return trimmed.length > 0 ? { ...out, trimmed_keys: trimmed } : out;
}

/** Values below MAX_CONTEXT_DEPTH as their JSON text (a string is a leaf at any depth). */
function limitDepth(value: Json, depth: number): Json {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_CONTEXT_DEPTH) return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((item) => limitDepth(item, depth + 1));
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) out[key] = limitDepth(item, depth + 1);
  return out;
}

function longestString(root: Json): { value: string; set: (next: string) => void } | undefined {
  let best: { value: string; set: (next: string) => void } | undefined;
  const visit = (holder: Json[] | { [key: string]: Json }) => {
    for (const key of Object.keys(holder)) {
      const item = (holder as Record<string, Json>)[key] as Json;
      if (typeof item === 'string') {
        if (!best || item.length > best.value.length) best = { value: item, set: (next) => ((holder as Record<string, Json>)[key] = next) };
      } else if (item !== null && typeof item === 'object') visit(item);
    }
  };
  if (root !== null && typeof root === 'object') visit(root);
  return best;
}
