import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { schemaRegistry } from '../src/schema-registry.js';
import { renderSchema, writeSchemas } from '../src/tools/write-schemas.js';
import { tempDir } from './helpers/temp-dir.js';

const schemasDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

describe('checked-in JSON Schemas', () => {
  it.each(schemaRegistry.map((entry) => [entry.file, entry] as const))(
    'schemas/%s matches its zod schema (run `npm run schemas` after changing one)',
    async (file, entry) => {
      const checkedIn = await fsp.readFile(path.join(schemasDir, file), 'utf8').catch(() => '(missing)');
      expect(checkedIn).toBe(renderSchema(entry));
    },
  );

  it('registers the state versions', () => {
    expect(schemaRegistry.map((entry) => entry.file)).toEqual(
      expect.arrayContaining(['state.v1.json', 'state.v2.json', 'state.v3.json', 'state.v4.json']),
    );
  });

  it('the generator writes one parseable JSON Schema per registered format', async () => {
    const dir = await tempDir('codex-diag-schemas-');
    const written = await writeSchemas(dir);
    expect(written.map((p) => path.basename(p))).toEqual(schemaRegistry.map((entry) => entry.file));
    for (const file of written) {
      const schema = JSON.parse(await fsp.readFile(file, 'utf8'));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.type).toBe('object');
    }
  });

  it('state v3 schema keeps unknown keys (additionalProperties open) and documents ms timestamps', async () => {
    const v3 = JSON.parse(await fsp.readFile(path.join(schemasDir, 'state.v3.json'), 'utf8'));
    expect(v3.additionalProperties).toEqual({});
    expect(v3.properties.startup.properties.history.maxItems).toBe(50);
    expect(v3.properties.app_server.properties.last_restart_at.description).toBe('Unix milliseconds');
  });

  it('state v4 schema is v3 plus the release-health session marker (nullable, unknown keys kept)', async () => {
    const v4 = JSON.parse(await fsp.readFile(path.join(schemasDir, 'state.v4.json'), 'utf8'));
    expect(v4.properties.version.const).toBe(4);
    expect(v4.additionalProperties).toEqual({});
    const session = v4.properties.session;
    expect(session.default).toBeNull();
    const marker = session.anyOf.find((s: { type: string }) => s.type === 'object');
    expect(marker.required).toEqual(['sid', 'started_at_ms', 'status', 'release']);
    expect(marker.properties.status.enum).toEqual(['ok', 'exited', 'crashed', 'abnormal']);
    expect(marker.properties.started_at_ms.description).toBe('Unix milliseconds');
    expect(marker.additionalProperties).toEqual({});
  });
});
