#!/usr/bin/env node
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { schemaRegistry, type RegisteredSchema } from '../schema-registry.js';

/**
 * The JSON Schema text of a registered schema. `io: 'input'` describes what a reader accepts
 * (fields with defaults may be absent), which is what a file on disk must satisfy.
 */
export function renderSchema(entry: RegisteredSchema): string {
  const json = z.toJSONSchema(entry.schema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The checked-in schemas directory, relative to this file (src/tools or dist/tools). */
export function defaultSchemasDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
}

export async function writeSchemas(dir: string = defaultSchemasDir()): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const entry of schemaRegistry) {
    const target = path.join(dir, entry.file);
    await fsp.writeFile(target, renderSchema(entry));
    written.push(target);
  }
  return written;
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  writeSchemas(process.argv[2]).then(
    (files) => {
      for (const file of files) process.stdout.write(`${file}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`write-schemas: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
