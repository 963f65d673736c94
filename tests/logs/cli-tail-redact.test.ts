import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import { cliIo } from '../helpers/cli-io.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTailProcess } from './follow-helpers.js';

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir();
});
afterEach(() => tmp.cleanup());

const GITHUB_TOKEN = `ghp_${'a1B2c3D4e5'.repeat(3)}123456`;

describe('codex-diag tail --redact', () => {
  it('prints each line through the redactor, in text and in --json (the parsed fields come from the redacted line)', async () => {
    writeFileSync(
      path.join(tmp.dir, 'app.1.log'),
      [
        '{"level":50,"time":1795222547421,"msg":"login failed","password":"hunter2"}',
        `2026-11-20T08:00:00Z warning pushing with ${GITHUB_TOKEN}`,
        'nothing secret here',
        '',
      ].join('\n'),
    );
    const text = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--redact'], text)).toBe(0);
    expect(text.out()).not.toContain('hunter2');
    expect(text.out()).not.toContain(GITHUB_TOKEN);
    expect(text.out().trimEnd().split('\n')).toEqual([
      '{"level":50,"time":1795222547421,"msg":"login failed","password":"[REDACTED:secret_field]"}',
      '2026-11-20T08:00:00Z warning pushing with [REDACTED:github_token]',
      'nothing secret here',
    ]);

    const json = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir, '--redact', '--json', '--level', 'warn'], json)).toBe(0);
    const records = json.out().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records).toEqual([
      {
        time: '2026-11-21T00:55:47.421Z',
        level: 'error',
        msg: 'login failed',
        source: 'app.1.log',
        line: '{"level":50,"time":1795222547421,"msg":"login failed","password":"[REDACTED:secret_field]"}',
      },
      {
        time: '2026-11-20T08:00:00.000Z',
        level: 'warn',
        msg: 'pushing with [REDACTED:github_token]',
        source: 'app.1.log',
        line: '2026-11-20T08:00:00Z warning pushing with [REDACTED:github_token]',
      },
    ]);
    expect(json.out()).not.toContain(GITHUB_TOKEN);
  });

  it('without --redact the lines are printed as they are in the files', async () => {
    writeFileSync(path.join(tmp.dir, 'app.log'), `token ${GITHUB_TOKEN}\n`);
    const t = cliIo();
    expect(await runCli(['tail', '--log-dir', tmp.dir], t)).toBe(0);
    expect(t.out()).toBe(`token ${GITHUB_TOKEN}\n`);
  });

  it('with -f, new lines are redacted too, a private key spread over lines included (real process)', { timeout: 60_000 }, async () => {
    const file = path.join(tmp.dir, 'app.log');
    writeFileSync(file, `first ${GITHUB_TOKEN}\n`);
    const tail = startTailProcess(tmp.dir, ['-n', '1', '--redact']);
    await waitFor(() => tail.out().includes('first'), 'the initial line', 20_000);
    appendFileSync(file, `Authorization: Bearer ${'x'.repeat(40)}\n`);
    appendFileSync(file, ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', 'BKcwggSjAgEAAoIBAQC7', '-----END PRIVATE KEY-----', 'after the key', ''].join('\n'));
    await waitFor(() => tail.out().includes('after the key'), 'the lines after the key', 20_000);
    expect(await tail.stop()).toBe(0);
    expect(tail.out()).not.toContain(GITHUB_TOKEN);
    expect(tail.out()).not.toContain('x'.repeat(40));
    expect(tail.out()).not.toMatch(/MIIEvQ|BKcwgg/);
    expect(tail.texts()[0]).toBe('first [REDACTED:github_token]');
    expect(tail.texts().at(-1)).toBe('after the key');
  });
});
