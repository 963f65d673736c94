import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, EXAMPLE_CONTEXT, marker } from '../../src/bundle/redaction-rules.js';
import { createRedactor } from '../../src/bundle/redactor.js';
import { secretKeyRule } from '../../src/bundle/secret-keys.js';

const redactor = createRedactor(EXAMPLE_CONTEXT);
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('default rule table', () => {
  it('has unique names and every rule comes with catches and keeps', () => {
    const names = DEFAULT_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of DEFAULT_RULES) {
      expect(rule.catches.length, rule.name).toBeGreaterThan(0);
      expect(rule.keeps.length, rule.name).toBeGreaterThan(0);
    }
  });

  for (const rule of DEFAULT_RULES) {
    describe(rule.name, () => {
      for (const example of rule.catches) {
        it(`catches ${JSON.stringify(example.text).slice(0, 70)}`, () => {
          const { text, counts } = redactor.redact(example.text);
          expect(text).not.toContain(example.secret);
          expect(counts[rule.name]).toBeGreaterThan(0);
          if (rule.name !== 'home_dir' && rule.name !== 'user_name') expect(text).toContain(marker(rule.name));
        });
      }
      for (const keep of rule.keeps) {
        it(`keeps ${JSON.stringify(keep).slice(0, 70)}`, () => {
          const { text, counts } = redactor.redact(keep);
          expect(text).toBe(keep);
          expect(total(counts)).toBe(0);
        });
      }
    });
  }
});

describe('redactor', () => {
  it('leaves what a reviewer correlates on', () => {
    const harmless = [
      'conversation 3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f resumed',
      'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (9fceb02)',
      'exit code -1073741819 (0xC0000005) after 8000 ms, pid 4242',
      'did-fail-load -105 ERR_NAME_NOT_RESOLVED https://chatgpt.com/backend-api/x?y=1',
      '{"level":40,"time":1732150000000,"pid":12,"msg":"slow","input_tokens":1234,"output_tokens":56,"total_tokens":1290}',
      'sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'GET https://chatgpt.com/backend-api/chat/8f3a9c1b2d4e6f708192a3b4c5d6e7f8/messages?limit=20&cursor=abc 200',
      '{"level":30,"msg":"turn","conversation_id":"3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f","usage":{"input_tokens":1234}}',
    ];
    for (const line of harmless) expect(redactor.redact(line).text).toBe(line);
  });

  it('applies key rules at any depth of a JSON line and re-serialises it', () => {
    const line = JSON.stringify({ level: 30, a: { b: [{ c: { password: 'p1', keep: 'ok', GITHUB_TOKEN: 't1' } }] } });
    const session = redactor.session();
    const out = JSON.parse(session.line(line)) as { a: { b: { c: Record<string, string> }[] } };
    expect(out.a.b[0]!.c).toEqual({ password: marker('secret_field'), keep: 'ok', GITHUB_TOKEN: marker('secret_field') });
    expect(session.counts().secret_field).toBe(2);
  });

  it('counts a redacted JSON key every time it appears', () => {
    const session = redactor.session();
    for (let i = 0; i < 3; i++) expect(session.line('{"bob@example.com":1,"level":30}')).toBe('{"[REDACTED:email]":1,"level":30}');
    expect(session.counts().email).toBe(3);
  });

  it('sees through JSON escapes that hide a trigger from the raw line', () => {
    const out = redactor.session().line('{"\\u0070assword":"hunter2","u":"https:\\/\\/bob:pw1234@host\\/x"}');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('pw1234');
  });

  it('keeps JSON lines byte for byte when nothing is redacted', () => {
    const line = '{"level":30, "id":12345678901234567890,"msg":"fine"}';
    expect(redactor.session().line(line)).toBe(line);
  });

  it('still scrubs a JSON line whose duplicate keys hide a value from the parse', () => {
    // pino writes `msg` twice when the logged object carries its own `msg`; JSON.parse keeps only the last.
    const line = '{"level":40,"msg":"signed in as ada@example.com with sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c","msg":"noisy line"}';
    const out = redactor.session().line(line);
    expect(out).not.toContain('ada@example.com');
    expect(out).not.toContain('sk-proj-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c');
    expect(out).toContain('"msg":"noisy line"');
  });

  it('does not eat token counts even under key rules', () => {
    for (const key of ['input_tokens', 'max_tokens', 'token_count', 'cached_tokens', 'tokens', 'auth_type', 'tokenizer', 'author']) {
      expect(secretKeyRule(key), key).toBeNull();
    }
    for (const key of ['password', 'OPENAI_API_KEY', 'apiKey', 'x-api-key', 'client_secret', 'private_key', 'sessionId', 'Set-Cookie', 'DB_PASSWORD', 'refresh_token', 'credentials']) {
      expect(secretKeyRule(key), key).not.toBeNull();
    }
  });

  it('replaces the home directory and user names in Windows paths', () => {
    const win = createRedactor({ homedir: 'C:\\Users\\Dana', username: 'Dana' });
    const { text } = win.redact('open C:\\Users\\Dana\\AppData\\x and c:\\users\\dana\\y and C:\\\\Users\\\\Dana\\\\z');
    expect(text).toBe('open ~\\AppData\\x and ~\\y and ~\\\\z');
  });

  it('matches the home directory only as a whole path prefix', () => {
    const root = createRedactor({ homedir: '/root', username: 'root' });
    expect(root.redact('at /root/app.js and file:///root/x but not /home/rooted/y').text).toBe('at ~/app.js and file://~/x but not /home/[user]/y');
  });

  it('counts one per replacement', () => {
    const { counts } = redactor.redact('a@example.com b@example.org\npassword=x');
    expect(counts.email).toBe(2);
    expect(counts.secret_field).toBe(1);
    expect(Object.keys(counts).sort()).toEqual(DEFAULT_RULES.map((r) => r.name).sort());
  });

  it('redacts the body of a PEM block split over lines until its END', () => {
    const s = redactor.session();
    const lines = ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIBb0dy', 'AwEHoUQDQgAE', '-----END EC PRIVATE KEY----- tail', 'after'];
    const out = lines.map((l) => s.line(l));
    expect(out.join('\n')).not.toMatch(/MHcC|AwEH/);
    expect(out[3]).toBe(`${marker('private_key')} tail`);
    expect(out[4]).toBe('after');
  });

  it('follows a PEM block into the next source only while its lines look like the block', () => {
    const session = redactor.session();
    const first = ['-----BEGIN PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0B'].map((l) => session.line(l));
    session.endOfSource();
    const second = ['AQEFAASCBKcwggSjAgEAAoIB', '-----END PRIVATE KEY----- tail', 'ordinary'].map((l) => session.line(l));
    expect([...first, ...second]).toEqual([marker('private_key'), marker('private_key'), marker('private_key'), `${marker('private_key')} tail`, 'ordinary']);
    const unterminated = redactor.session();
    unterminated.line('-----BEGIN PRIVATE KEY-----');
    unterminated.endOfSource();
    expect(['2026-11-21T00:00:00Z info next file', 'QUJD'].map((l) => unterminated.line(l))).toEqual(['2026-11-21T00:00:00Z info next file', 'QUJD']);
  });

  it('is idempotent: redacting redacted text changes and counts nothing', () => {
    const fragments = DEFAULT_RULES.flatMap((r) => [...r.catches.map((c) => c.text), ...r.keeps]).concat([' ', '\n', '=', ':', '"', '{', '}', '@', '/']);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 12 }), (parts) => {
        const once = redactor.redact(parts.join(''));
        const twice = redactor.redact(once.text);
        expect(twice.text).toBe(once.text);
        expect(total(twice.counts)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  describe('regressions found by the idempotency property', () => {
    const cases: ReadonlyArray<{ parts: string[]; secrets: string[] }> = [
      {
        // An escaped `\t` ended neither `password=`'s value (it swallowed `escNl35\ttoken:`, so `token:`
        // kept its value), and the PEM marker at the start of the next pass's line made it read as JSON.
        parts: [
          'key loaded: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3+Rk\n-----END RSA PRIVATE KEY----- done',
          'msg="retry\\npassword=escNl35\\ttoken: escTab36"',
          ':',
          'key loaded: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3+Rk\n-----END RSA PRIVATE KEY----- done',
        ],
        secrets: ['MIIEowIBAAKCAQEAq7BFUpkGp3+Rk', 'escNl35', 'escTab36'],
      },
      { parts: ['msg="retry\\npassword=escNl35\\ttoken: escTab36"'], secrets: ['escNl35', 'escTab36'] },
      { parts: ['cmd="a\\napi_key=escKey42\\r\\nsecret: escSec43"'], secrets: ['escKey42', 'escSec43'] },
      { parts: ['body="{\\"cfg\\":\\"token=escTok41\\\\\\"\\"}"'], secrets: ['escTok41'] },
      { parts: ['args="--password flagPw39\\t--token flagTok39"'], secrets: ['flagPw39', 'flagTok39'] },
      { parts: ['args="--password=flagPw40\\n--api-key flagKey40\\""'], secrets: ['flagPw40', 'flagKey40'] },
      { parts: ['[REDACTED:private_key] x="a\\npassword=[REDACTED:secret_field]":key loaded'], secrets: [] },
      {
        // The e-mail address ended mid-word, so `-scheduler-…-nameBearer authentication` became an option the second time.
        parts: ['mail from josé.garcía@correo.es and user@exämple.de', 'task-scheduler-long-running-job-name', 'Bearer authentication failed'],
        secrets: ['josé.garcía', 'exämple'],
      },
      {
        // A fixed-length token glued to more word characters left them after its marker, where the
        // next pass read `AIzaShort` / `pa-…` as the start of a token of their own.
        parts: ['export SENTRY_AUTH=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', 'pa-some-long-kebab-case-identifier-name-here', 'AIzaShort'],
        secrets: ['0a1b2c3d4e5f6071', 'AIzaShort'],
      },
      {
        parts: ['export SENTRY_AUTH=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', 'sk-ant-short', 'ghp_short', 'key loaded: x'],
        secrets: ['0a1b2c3d4e5f6071', 'sk-ant-short'],
      },
      {
        // The key before an embedded JSON object never saw the object as its value.
        parts: ['Basic QUJDRA== is not user:password', '=', '{"msg":"x","apiKey":"kkkk-1111","sessionId":"sess-7777","credentials":{"user":"u1","pw":"p-2222"}}'],
        secrets: ['kkkk-1111', 'sess-7777', 'p-2222'],
      },
      {
        // The text rules leave `"credentials":[REDACTED:secret_field]`; the JSON walk quoted that bare marker the second time.
        parts: ['set-cookie: sid=Zm9vYmFy9876; Path=/; HttpOnly', '{"msg":"open","file":"/home/alice/.codex/config.toml"}', '"', '{"msg":"x","apiKey":"kkkk-1111","sessionId":"sess-7777","credentials":{"user":"u1","pw":"p-2222"}}'],
        secrets: ['Zm9vYmFy9876', 'kkkk-1111', 'sess-7777', 'p-2222', '/home/alice'],
      },
      {
        // `--user` lay beyond curl's 200-character window until the JWT before it shrank to a marker.
        parts: [
          'key loaded: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAq7BFUpkGp3+Rk\n-----END RSA PRIVATE KEY----- done',
          "curl --user 'bob:curl Pw 88' https://api.example.com/x",
          'basic plan: 1234 requests',
          'id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end',
          'spawn codex --password hunter2flag --api-key=abc123flag --user bob',
        ],
        secrets: ['eyJzdWIiOiIxMjM0NTY3ODkwIn0', 'hunter2flag', 'abc123flag'],
      },
      {
        // A `;` in a cookie header and a `&` in the URL ended curl's window before `-u`.
        parts: ["curl -H 'Cookie: a=b; c=d' 'https://x.example/?a=1&b=2' -u bob:curlPw50 -o out"],
        secrets: ['curlPw50'],
      },
      {
        // Base64 padding before `"` opened a quoted auth-param that ran into `"host`, and the JSON walk
        // then read the marker before `:"x"` as a key naming a secret.
        parts: ['link https://x.example/dl?id=7&amp;sig=ampSig52', '{"msg":"x","apiKey":"kkkk-1111"}', '"', '{"level":30,"req":{"headers":{"authorization":"Basic Zm9vOmJhcg==","host":"x"}}}'],
        secrets: ['ampSig52', 'kkkk-1111', 'Zm9vOmJhcg=='],
      },
      {
        // An unquoted header value stopped at the next quote, having swallowed the key of the quoted secret after it.
        parts: ['proxy said 407, sent Proxy-Authorization: Basic cHJveHk6cHJveHlQdzQy', ' ', "spawn codex -token 'tok flag 33'"],
        secrets: ['cHJveHk6cHJveHlQdzQy', 'tok flag 33'],
      },
      {
        parts: ['set-cookie: sid=Zm9vYmFy9876; Path=/; HttpOnly', ' ', '2026-11-21T00:00:00Z info body="{\\"password\\":\\"esc-pw-31\\",\\"user\\":\\"bob\\"}"'],
        secrets: ['Zm9vYmFy9876', 'esc-pw-31'],
      },
    ];
    for (const { parts, secrets } of cases) {
      it(`${JSON.stringify(parts.join('')).slice(0, 70)}`, () => {
        const once = redactor.redact(parts.join(''));
        for (const secret of secrets) expect(once.text).not.toContain(secret);
        const twice = redactor.redact(once.text);
        expect(twice.text).toBe(once.text);
        expect(total(twice.counts)).toBe(0);
      });
    }

    it('keeps the escape that ends a value, and a backslash inside one goes with it', () => {
      expect(redactor.redact('msg="a\\npassword=pw1\\ttoken: tk2\\"" x').text).toBe(
        'msg="a\\npassword=[REDACTED:secret_field]\\ttoken: [REDACTED:secret_field]\\"" x',
      );
      expect(redactor.redact('password=back\\slash\\\\x end').text).toBe('password=[REDACTED:secret_field] end');
    });
  });

  it('does work linear in the line length on adversarial lines', () => {
    const fragments = [
      'a', '-', ' ', '\\', '"', 'sk-', 'sk-ant-', 'ghp_', 'github_pat_', 'AKIA', 'xoxb-', 'AIza', 'eyJ', 'eyJa.', 'eyJaaaaaaaaa.eyJaaaaaaaaa',
      'a@', '@a.', 'a.', 'a@a.', 'http://', 'a://a:', 'http://a:a', '-----BEGIN PRIVATE KEY-----', '-----BEGIN ', 'Bearer ', 'bearer a',
      'password=', 'a=', 'a:', '"a":', '"password":"\\', "'a'='", 'token=', '/home/', '/home/alice', '/Users/x', 'C:\\Users\\',
      'cookie:', 'authorization: ', '{"a":', '"token":{', '"token":["', '\\u0040', 'a%40', '%40a.', 'curl -u ', '\\"a\\":', 'a:\\"', '\\"token\\":\\"\\\\', 'sk_live_', 'npm_', 'hf_', '0', '%', 'a_', 'a:b', 'a="', 'url=a', 'a=b=', 'password=a:',
      'Authorization: Digest a="', 'authorization:a="', '="', "='", '= "a", b=', 'Basic ', 'basic QUJD', 'QUJD', 'Ym9iOjE=',
      'hooks.slack.com/services/', 'hooks.slack.com/services/a/', 'a/', 'discord.com/api/webhooks/1/', 'discord.com/api/webhooks/',
      'api.telegram.org/bot1:', 'api.telegram.org/bot', '1:', '?sig=', '&X-Amz-Signature=', '&amp;sig=a', '?',
      '\\"password\\":\\"\\\\\\"', '\\"password\\":\\"[REDACTED:x\\\\\\"', '\\\\\\"',
      'password=a\\', 'password=\\\\t', '--token a\\', '--token \\', 'a@a.aa-', 'curl ', 'curl -H a ', 'xcurl -u ',
    ];
    // Linear means sixteen lines of a sixteenth of the size cost what one line costs; a quadratic
    // pattern costs sixteen times as much on the long line. Counted in this thread's CPU time (not the wall
    // clock, which a busy machine stretches), best of three, one ratio per fragment and variant. Linear is
    // about 1 and quadratic about 16: the bound sits between them, far from both, so GC and cache noise
    // cannot decide it.
    const size = 64 * 1024;
    const cpuMs = (fn: () => void) => {
      const start = process.cpuUsage();
      fn();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / 1000;
    };
    const best = (fn: () => void) => Math.min(cpuMs(fn), cpuMs(fn), cpuMs(fn));
    const ratios: Array<[string, number]> = [];
    for (const fragment of fragments) {
      const line = (bytes: number) => fragment.repeat(Math.ceil(bytes / fragment.length)).slice(0, bytes);
      for (const suffix of ['', '://', '=x']) {
        const long = line(size) + suffix;
        const sixteenth = line(size / 16) + suffix;
        redactor.session().line(sixteenth); // warm up, so neither side pays for compiling
        const longMs = best(() => redactor.session().line(long));
        const piecesMs = best(() => {
          for (let i = 0; i < 16; i++) redactor.session().line(sixteenth);
        });
        // Below a few ms of CPU both are noise; a quadratic line of 64 KiB costs hundreds of ms.
        ratios.push([`${fragment}…${suffix}`, longMs < 5 ? 1 : longMs / Math.max(piecesMs, 0.5)]);
      }
    }
    const worst = ratios.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(worst[1], `most superlinear fragment ${JSON.stringify(worst[0])}`).toBeLessThan(8);
  }, 300_000);
});
