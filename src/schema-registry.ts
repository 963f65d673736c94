import type { z } from 'zod';
import { bundleManifestSchema } from './bundle/manifest.js';
import { stateV1Schema, stateV2Schema, stateV3Schema, stateV4Schema } from './state/schemas.js';

/**
 * Every file format whose JSON Schema is checked in under schemas/. `npm run schemas` writes
 * them from here; tests/schemas.test.ts fails when a checked-in file drifts from its zod schema.
 * Add one line per new format.
 */
export interface RegisteredSchema {
  /** File name under schemas/. */
  file: string;
  schema: z.ZodType;
}

export const schemaRegistry: readonly RegisteredSchema[] = [
  { file: 'state.v1.json', schema: stateV1Schema },
  { file: 'state.v2.json', schema: stateV2Schema },
  { file: 'state.v3.json', schema: stateV3Schema },
  { file: 'state.v4.json', schema: stateV4Schema },
  { file: 'bundle-manifest.v1.json', schema: bundleManifestSchema },
];
