import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/bundle/builder.js';
import { DEFAULT_RULES, EXAMPLE_CONTEXT } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { readZip } from '../../src/bundle/zip-reader.js';
import type { TailLine } from '../../src/logs/types.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { TEST_SYSTEM } from './helpers.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Every rule's examples, placed as text lines, as pino JSON lines (msg and a nested field), in the
 * incident, the state and the metrics: no secret may survive in any entry's bytes.
 */
const examples = DEFAULT_RULES.flatMap((rule) => rule.catches.map((c) => ({ rule: rule.name, ...c })));
const harmless = [
  ...DEFAULT_RULES.flatMap((rule) => rule.keeps),
  'conversation 3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f resumed',
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8',
  'usage input_tokens: 1234 output_tokens: 56',
  'exit code -1073741819 ERR_NAME_NOT_RESOLVED -105',
  'GET https://chatgpt.com/backend-api/chat/8f3a9c1b2d4e6f708192a3b4c5d6e7f8/messages?limit=20 200',
  'uploaded to https://b.s3.amazonaws.com/crash/9fceb02d0ae598e95dc970b74767f19372d61af8.zip?X-Amz-Expires=300',
];

/**
 * Lines that once went through unredacted, each as it appears in a log file (fed in as they are).
 * JSON.parse keeps only the last of duplicate keys and decodes escapes, so the earlier value of a
 * repeated key is only seen as written; a line cut at 64 KiB does not parse at all.
 */
const LEAK_REGRESSIONS: ReadonlyArray<{ text: string; secret: string }> = [
  { text: '{"msg":"signed in as a@b.com","msg":"noisy"}', secret: 'a@b.com' },
  { text: '{"msg":"signed in as dup1\\u0040example.org","msg":"noisy"}', secret: 'dup1' },
  { text: '{"url":"https:\\/\\/bob:dupPw77@proxy.internal\\/x","url":"x"}', secret: 'dupPw77' },
  { text: '{"body":"{\\"msg\\":\\"nested2\\\\u0040example.org\\",\\"msg\\":\\"x\\"}"}', secret: 'nested2' },
  { text: '{"level":30,"msg":"cut at 64 KiB cut3\\u0040example.org https:\\/\\/bob:cutPw33@h\\/ \\"password\\":\\"cutPass3', secret: 'cutPw33' },
  { text: '{"level":30,"msg":"cut at 64 KiB cut4\\u0040example.org', secret: 'cut4' },
  { text: '{"level":30,"msg":"x","token":"cutTok5 and more', secret: 'cutTok5' },
  { text: '{"level":30,"msg":"x","cfg":{"token":{"inner":"cutObj6', secret: 'cutObj6' },
  { text: '2026-11-21T00:00:00Z info request {"user":{"password":"correct horse cut7', secret: 'correct horse' },
  { text: '{"level":30,"msg":"retry login \\"password\\":\\"cutPass8 still going', secret: 'cutPass8' },
  { text: 'retry password="cut9 horse battery', secret: 'cut9 horse' },
  { text: '{"level":30,"msg":"har","headers":[{"name":"Cookie","value":"sid=harCookie10"},{"name":"X-Api-Key","value":"harKey10"}]}', secret: 'harCookie10' },
  { text: '{"level":30,"msg":"har","headers":[{"name":"X-Api-Key","value":"harKey11"}]}', secret: 'harKey11' },
  { text: '{"level":30,"msg":"req","rawHeaders":["Host","x","Cookie","sid=rawCookie12","Authorization","Basic cmF3QXV0aDEy"]}', secret: 'rawCookie12' },
  { text: '{"level":30,"msg":"env","env":[{"key":"DB_PASSWORD","value":"envPw13"}]}', secret: 'envPw13' },
  { text: '{"level":30,"msg":"spawn","argv":["codex","--token","argvTok20","--port","80"]}', secret: 'argvTok20' },
  { text: 'msg="retry\\npassword=escNl35\\ttoken: escTab36"', secret: 'escTab36' },
  { text: 'cmd="a\\napi_key=escKey42\\r\\nsecret: escSec43"', secret: 'escSec43' },
  { text: 'args="--password=flagPw40\\n--api-key flagKey40\\""', secret: 'flagKey40' },
  { text: "headers Proxy-Authorization: Basic cHJveHk6cHJveHlQdzQy then -token 'tok hdr 51'", secret: 'tok hdr 51' },
  { text: '{"level":30,"msg":"cfg","pem":["-----BEGIN EC PRIVATE KEY-----","arrayPemBody19abc","-----END EC PRIVATE KEY-----"]}', secret: 'arrayPemBody19' },
];

/** Secrets spread over several lines of one file, fed in as consecutive lines. */
const MULTI_LINE_LEAKS: ReadonlyArray<{ lines: string[]; secrets: string[] }> = [
  {
    // A sidecar's stderr, one pino record per output line.
    lines: [
      '{"level":50,"time":1,"stream":"stderr","msg":"-----BEGIN RSA PRIVATE KEY-----"}',
      '{"level":50,"time":2,"stream":"stderr","msg":"MIIEowIBAAKCAQEAsidecarBody17"}',
      '{"level":50,"time":3,"stream":"stderr","msg":"sidecarBody18+/=="}',
      '{"level":50,"time":4,"stream":"stderr","msg":"-----END RSA PRIVATE KEY-----"}',
    ],
    secrets: ['sidecarBody17', 'sidecarBody18'],
  },
];

/** Secrets placed outside the log lines: the incident's fields and the app version it carries. */
const INCIDENT_SECRETS = ['incPw14', 'incCookie15', 'incVersion16'];

let tmp: ReturnType<typeof makeTempDir>;
let entries: Map<string, Buffer>;

beforeAll(async () => {
  tmp = makeTempDir();
  const lines: TailLine[] = [];
  let t = Date.UTC(2026, 10, 21);
  for (const example of examples) {
    // Text lines: a multi-line example is several lines in a file.
    for (const part of example.text.split('\n')) lines.push({ source: 'codex-desktop.log', text: `2026-11-21T00:00:00Z info ${part}` });
    lines.push({ source: 'app.1.log', text: JSON.stringify({ level: 50, time: t++, msg: example.text }) });
    lines.push({ source: 'app.1.log', text: JSON.stringify({ level: 40, time: t++, msg: 'ctx', ctx: { deep: [{ note: example.text }] } }) });
    // Lines that already are JSON examples go in as they are.
    if (example.text.startsWith('{')) lines.push({ source: 'app.1.log', text: example.text });
  }
  for (const leak of LEAK_REGRESSIONS) lines.push({ source: 'app.1.log', text: leak.text });
  for (const leak of MULTI_LINE_LEAKS) for (const text of leak.lines) lines.push({ source: 'sidecar.1.log', text });
  for (const text of harmless) lines.push({ source: 'other.log', text });
  const built = await buildBundle(
    {
      incident: {
        kind: 'unresponsive',
        url: 'app://codex/settings',
        stack: examples.map((e) => e.text).join('\n'),
        env: { GITHUB_TOKEN: 'ghtok-123' },
        validatedURL: 'https://bob:incPw14@chatgpt.com/x',
        headers: [{ name: 'Cookie', value: 'sid=incCookie15' }],
      },
      fingerprint: { fingerprint: 'fp1-cafe', components: ['fp1', 'unresponsive'] },
      lines,
      state: { version: 3, notes: examples.map((e) => e.text) },
      metrics: { last_error: examples.map((e) => e.text).join(' | ') },
      app: { name: 'Codex', version: '1.0.0 incVersion16@example.com' },
      system: TEST_SYSTEM,
    },
    { outDir: tmp.dir, redactor: createRedactor(EXAMPLE_CONTEXT), clock: new ManualClock(Date.UTC(2026, 10, 21)) },
  );
  entries = (await readZip(built.path)).files;
});
afterAll(() => tmp.cleanup());

describe('secrets corpus', () => {
  it('holds every entry', () => {
    expect([...entries.keys()].sort()).toEqual(
      ['incident.json', 'logs/tail.jsonl', 'logs/tail.log', 'manifest.json', 'metrics.json', 'report.html', 'state.json', 'system.json'].sort(),
    );
  });

  for (const example of examples) {
    it(`${example.rule}: ${JSON.stringify(example.secret)} survives in no entry`, () => {
      const needles = new Set([example.secret, JSON.stringify(example.secret).slice(1, -1)]);
      for (const [name, bytes] of entries) {
        for (const needle of needles) expect(bytes.includes(needle), `${name} holds ${needle}`).toBe(false);
      }
    });
  }

  for (const leak of LEAK_REGRESSIONS) {
    it(`regression: ${JSON.stringify(leak.secret)} of ${JSON.stringify(leak.text).slice(0, 60)} survives in no entry`, () => {
      for (const [name, bytes] of entries) expect(bytes.includes(leak.secret), `${name} holds ${leak.secret}`).toBe(false);
    });
  }

  for (const leak of MULTI_LINE_LEAKS) {
    it(`regression: ${leak.secrets.join(', ')} spread over ${leak.lines.length} lines survive in no entry`, () => {
      for (const [name, bytes] of entries) {
        for (const secret of leak.secrets) expect(bytes.includes(secret), `${name} holds ${secret}`).toBe(false);
      }
    });
  }

  it('secrets in the incident and the app version survive in no entry (the manifest included)', () => {
    for (const [name, bytes] of entries) {
      for (const secret of INCIDENT_SECRETS) expect(bytes.includes(secret), `${name} holds ${secret}`).toBe(false);
    }
  });

  it('secret values under secret keys are gone everywhere', () => {
    for (const bytes of entries.values()) expect(bytes.includes('ghtok-123')).toBe(false);
  });

  it('harmless strings survive in tail.log', () => {
    const tail = entries.get('logs/tail.log')!.toString();
    for (const text of harmless) expect(tail).toContain(text);
  });

  it('counts redactions of every rule in the manifest', () => {
    const manifest = JSON.parse(entries.get('manifest.json')!.toString()) as { redaction: Record<string, number> };
    for (const rule of DEFAULT_RULES) expect(manifest.redaction[rule.name], rule.name).toBeGreaterThan(0);
  });
});
