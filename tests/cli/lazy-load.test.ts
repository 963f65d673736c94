import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { loadedModules } from '../helpers/loaded-modules.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/cli/main.js');
const pkg = (name: string) => `${path.sep}node_modules${path.sep}${name}${path.sep}`;
// The modules that define commands (src/cli/<name>.ts for each row of the command table).
const commandModules = (files: string[]) =>
  files.filter((f) => path.dirname(f) === path.join(root, 'dist/cli') && COMMANDS.some((c) => `${c.name}.js` === path.basename(f))).map((f) => path.basename(f));

// Start-up cost is counted in modules loaded (the time itself is in `npm run bench`).
describe('CLI start-up loads only what the command needs', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('--version loads no parser, no command module and no zod', () => {
    const run = loadedModules(cli, ['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(run.files.filter((f) => f.includes(pkg('zod')) || f.includes(pkg('commander')))).toEqual([]);
    expect(commandModules(run.files)).toEqual([]);
    expect(run.files.length).toBeLessThanOrEqual(10);
  });

  it('tail -n 10 loads the tail command only, no parser, zod, archiver, pino or Sentry', () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'main.log'), Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join(''));
    const run = loadedModules(cli, ['tail', '-n', '10', '--log-dir', path.join(dir, 'logs')]);
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(10);
    for (const heavy of ['commander', 'zod', 'archiver', 'pino', 'yauzl', '@sentry']) {
      expect(run.files.filter((f) => f.includes(pkg(heavy)))).toEqual([]);
    }
    expect(commandModules(run.files)).toEqual(['tail.js']);
    expect(run.files.length).toBeLessThanOrEqual(20);
  });

  it('tail --help (not a plain option) goes through the parser', () => {
    const run = loadedModules(cli, ['tail', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--lines <n>');
    expect(run.files.some((f) => f.includes(pkg('commander')))).toBe(true);
  });
});
