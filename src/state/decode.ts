import { DiagError, oneLine } from '../errors.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from '../json-depth.js';
import { migrateToCurrent, type MigrationResult } from './migrations.js';

/**
 * Turns the bytes of a state file into the current state (migrated in memory). Throws
 * STATE_CORRUPT (empty, not JSON, not an object, does not validate) or STATE_FROM_NEWER_VERSION,
 * each naming the file and what was expected.
 */
export function decodeState(bytes: Uint8Array, file: string): MigrationResult {
  if (bytes.length === 0) throw new DiagError('STATE_CORRUPT', `state file ${file} is empty`);
  // A BOM is what Windows editors add when a person fixes the file by hand; it is not corruption.
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new DiagError('STATE_CORRUPT', `state file ${file} is not valid JSON (${oneLine(error)})`);
  }
  // Validation and migration walk the document recursively: a hostile depth must not overflow the stack.
  if (nestedDeeperThan(doc, MAX_JSON_DEPTH)) {
    throw new DiagError('STATE_CORRUPT', `state file ${file} is nested more than ${MAX_JSON_DEPTH} levels deep`);
  }
  return migrateToCurrent(doc, file);
}

/** The bytes written for a state: pretty JSON, so a person can read and diff it. */
export function encodeState(state: unknown): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}
