import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { normaliseExitCode, normaliseSignal } from '../../src/incidents/exit-codes.js';
import { fingerprintIncident, shapeCommand } from '../../src/incidents/fingerprint.js';
import { parseIncident } from '../../src/incidents/parse.js';
import { isVolatileSegment, shapePath, stripAssetHash } from '../../src/incidents/path-shape.js';
import type { Incident } from '../../src/incidents/schema.js';
import { topApplicationFrame } from '../../src/incidents/stack-frames.js';
import { shapeUrl } from '../../src/incidents/url-shape.js';

function incident(value: unknown): Incident {
  const parsed = parseIncident(value);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.incident;
}

const fp = (value: unknown, homedir?: string) => fingerprintIncident(incident(value), homedir ? { homedir } : {});

describe('fp1 stability', () => {
  // These values are frozen: a change here regroups every Sentry issue and needs fp2.
  const golden: Array<[unknown, string]> = [
    [{ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/chat/8f3a...?tab=2' }, 'fp1-3327f7b9825d49ae'],
    [
      { kind: 'unresponsive', url: 'app://codex/settings', durationMs: 8000, stack: 'at renderList (app://codex/assets/index-3f2a.js:1:4410)\n...' },
      'fp1-464a36047163e652',
    ],
    [
      {
        kind: 'did-fail-load', errorCode: -105, errorDescription: 'ERR_NAME_NOT_RESOLVED', validatedURL: 'https://chatgpt.com/backend-api/x',
        isMainFrame: true, frameProcessId: 4, frameRoutingId: 1,
      },
      'fp1-fdce90cb172ed92e',
    ],
    [{ kind: 'child-process-gone', type: 'GPU', reason: 'crashed', exitCode: -1073741819, serviceName: '', name: '' }, 'fp1-187f681c40dc2977'],
    [{ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null }, 'fp1-7b275d4668946e65'],
  ];
  it.each(golden)('keeps the fingerprint of a contract example: %j', (value, expected) => {
    expect(fp(value).fingerprint).toBe(expected);
  });

  it('is fp1- and the first 16 hex digits of sha256 over the JSON of the components', () => {
    const result = fp({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 101, signal: null });
    expect(result.components).toEqual(['fp1', 'kind:sidecar-exit', 'command:codex app-server', 'exit:101']);
    const hex = createHash('sha256').update(JSON.stringify(result.components)).digest('hex').slice(0, 16);
    expect(result.fingerprint).toBe(`fp1-${hex}`);
  });

  it('does not depend on the order of fields or on extra context fields', () => {
    const a = fp({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'app://codex/settings' });
    const b = fp({ url: 'app://codex/settings', exitCode: 11, crashReporterId: 'x', reason: 'crashed', kind: 'render-process-gone', platform: 'linux' });
    expect(b.fingerprint).toBe(a.fingerprint);
  });
});

describe('exit codes', () => {
  it('reads one Windows status in every notation as the same upper-case hex code, named for titles', () => {
    for (const value of [-1073741819, 3221225477, '0xC0000005', '0xc0000005', '-1073741819', '3221225477']) {
      expect(normaliseExitCode(value, 'crash')).toEqual({ canonical: '0xC0000005', label: 'ACCESS_VIOLATION' });
    }
    expect(normaliseExitCode(-1073740791, 'exit-status')).toEqual({ canonical: '0xC0000409', label: 'STACK_BUFFER_OVERRUN' });
    expect(normaliseExitCode(0xc0001234, 'crash')).toEqual({ canonical: '0xC0001234', label: '0xC0001234' });
  });

  it('reads POSIX crash signals as signal numbers or as 128+N', () => {
    expect(normaliseExitCode(11, 'crash')?.canonical).toBe('SIGSEGV');
    expect(normaliseExitCode(139, 'crash')?.canonical).toBe('SIGSEGV');
    expect(normaliseExitCode(6, 'crash')?.canonical).toBe('SIGABRT');
    expect(normaliseExitCode(137, 'exit-status')?.canonical).toBe('SIGKILL');
    // A plain exit status is not a signal, and a launch error code never is.
    expect(normaliseExitCode(11, 'exit-status')).toEqual({ canonical: '11', label: 'code 11' });
    expect(normaliseExitCode(139, 'launch')).toEqual({ canonical: '139', label: 'code 139' });
    // Numbers that differ between Linux and macOS are not given a name.
    expect(normaliseExitCode(7, 'crash')?.canonical).toBe('signal 7');
  });

  it('reads signals as Node reports them', () => {
    expect(normaliseSignal('SIGKILL')).toBe('SIGKILL');
    expect(normaliseSignal('kill')).toBe('SIGKILL');
    expect(normaliseSignal('9')).toBe('SIGKILL');
    expect(normaliseSignal(null)).toBeUndefined();
    expect(normaliseSignal('')).toBeUndefined();
  });

  it('ignores the exit code where the reason makes it meaningless, and splits on it where it matters', () => {
    for (const reason of ['oom', 'killed', 'clean-exit', 'memory-eviction', 'integrity-failure', 'some-future-reason']) {
      const a = fp({ kind: 'render-process-gone', reason, exitCode: 1 });
      const b = fp({ kind: 'render-process-gone', reason, exitCode: 2 });
      expect(b.fingerprint, reason).toBe(a.fingerprint);
    }
    for (const reason of ['crashed', 'abnormal-exit', 'launch-failed']) {
      const a = fp({ kind: 'child-process-gone', type: 'GPU', reason, exitCode: 1 });
      const b = fp({ kind: 'child-process-gone', type: 'GPU', reason, exitCode: 2 });
      expect(b.fingerprint, reason).not.toBe(a.fingerprint);
    }
  });
});

describe('paths and URLs', () => {
  it('replaces ids, UUIDs and hashes in path segments with :id and keeps words', () => {
    for (const s of ['12345', '123e4567-e89b-12d3-a456-426614174000', 'f3a9b2c', 'deadbeefdeadbeef', '8f3a...', '01HZX3K8Q9V6W2T5Y7B4N1M0PC', 'conv_8f3a9b2c', 'aB3dE9fG']) {
      expect(isVolatileSegment(s), s).toBe(true);
    }
    for (const s of ['settings', 'chat', 'backend-api', 'v1', 'oauth2callback', 'index.html', 'api', 'deadbeef', 'conversation', 'settings-v2beta']) {
      expect(isVolatileSegment(s), s).toBe(false);
    }
  });

  it('takes build hashes out of file names and leaves other names alone', () => {
    expect(stripAssetHash('index-3f2a.js')).toBe('index.js');
    expect(stripAssetHash('main-CQwPb0Th.js')).toBe('main.js');
    expect(stripAssetHash('chunk-5XKQ2ZJA.js')).toBe('chunk.js');
    expect(stripAssetHash('main.3f2a9b1c.chunk.js')).toBe('main.chunk.js');
    expect(stripAssetHash('react-dom.production.min.js')).toBe('react-dom.production.min.js');
    expect(stripAssetHash('settings-page.js')).toBe('settings-page.js');
    expect(stripAssetHash('index.js')).toBe('index.js');
  });

  it('shapes paths: home dir, install location up to the asar, trailing slashes', () => {
    expect(shapePath('/Users/alice/projects/x')).toBe('~/projects/x');
    expect(shapePath('/home/bob/projects/x/')).toBe('~/projects/x');
    expect(shapePath('C:\\Users\\Carol\\projects\\x')).toBe('~/projects/x');
    expect(shapePath('/srv/dana/projects/x', { homedir: '/srv/dana' })).toBe('~/projects/x');
    expect(shapePath('/srv/danaX/projects/x', { homedir: '/srv/dana' })).toBe('/srv/danaX/projects/x');
    expect(shapePath('/D:/Profiles/Dana/x', { homedir: 'd:\\profiles\\dana' })).toBe('~/x');
    expect(shapePath('/Applications/Codex.app/Contents/Resources/app.asar/dist/index.html')).toBe('app.asar/dist/index.html');
  });

  it('drops query, fragment, port, credentials and host case', () => {
    const a = shapeUrl('https://user:pw@ChatGPT.com:8443/c/123?x=1#y');
    expect(a).toEqual({ host: 'chatgpt.com', route: '/c/:id', display: 'chatgpt.com/c/:id' });
    expect(shapeUrl('app://codex/settings?tab=2')).toEqual({ host: 'codex', route: '/settings', display: '/settings' });
    expect(shapeUrl('about:blank')?.route).toBe('about:blank');
    expect(shapeUrl('data:text/html,<h1>hi</h1>')?.route).toBe('data:');
    expect(shapeUrl('not a url/chat/42?x')?.route).toBe('/not a url/chat/:id');
    expect(shapeUrl('')).toBeUndefined();
  });

  it('groups a nonstandard home directory when the capturing machine names it', () => {
    const a = fp({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'file:///srv/dana/codex/index.html' }, '/srv/dana');
    const b = fp({ kind: 'render-process-gone', reason: 'crashed', exitCode: 11, url: 'file:///srv/erin/codex/index.html' }, '/srv/erin');
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(a.title).toBe('Renderer crashed (SIGSEGV) at ~/codex/index.html');
  });
});

describe('stacks', () => {
  it('finds the top application frame under runtime and dependency frames', () => {
    const stack = [
      'Error: hang',
      '    at processTimers (node:internal/timers:512:7)',
      '    at Object.emit (electron/js2c/renderer_init:2:1234)',
      '    at commitRoot (app://codex/node_modules/react-dom/cjs/react-dom.development.js:1:2)',
      '    at Array.forEach (<anonymous>)',
      '    at async ChatView.renderList [as render] (app://codex/assets/chat-CQwPb0Th.js:12:88)',
      '    at main (app://codex/assets/index-3f2a.js:1:1)',
    ].join('\n');
    expect(topApplicationFrame(stack)).toEqual({ fn: 'ChatView.renderList', file: 'assets/chat.js' });
  });

  it('reads Gecko/WebKit stacks and frames without a function name', () => {
    expect(topApplicationFrame('renderList@app://codex/assets/index-3f2a.js:1:4410')).toEqual({ fn: 'renderList', file: 'assets/index.js' });
    expect(topApplicationFrame('    at app://codex/assets/index-3f2a.js:1:4410')).toEqual({ fn: '<anonymous>', file: 'assets/index.js' });
    expect(topApplicationFrame('    at main (/Users/alice/codex/dist/main.js:3:4)')).toEqual({ fn: 'main', file: '~/codex/dist/main.js' });
    expect(topApplicationFrame('    at node:internal/x:1:1\nnot a frame')).toBeUndefined();
  });

  it('uses the most frequent sampled stack when no stack is given', () => {
    const withStacks = fp({
      kind: 'unresponsive',
      url: 'app://codex/settings',
      stacks: [
        { stack: '    at a (app://codex/assets/index-1111.js:1:1)', count: 1 },
        { stack: '    at renderList (app://codex/assets/index-2222.js:1:1)', count: 5 },
      ],
    });
    const withStack = fp({ kind: 'unresponsive', url: 'app://codex/settings', stack: '    at renderList (app://codex/assets/index-3333.js:9:9)' });
    expect(withStacks.fingerprint).toBe(withStack.fingerprint);
    expect(withStacks.title).toBe('Renderer unresponsive at /settings in renderList');
  });
});

describe('titles and commands', () => {
  it('titles every kind so a person knows what happened', () => {
    expect(fp({ kind: 'did-fail-load', errorCode: -105, validatedURL: 'https://chatgpt.com/x', isMainFrame: false }).title).toBe(
      'Subframe failed to load (ERR_NAME_NOT_RESOLVED) chatgpt.com/x',
    );
    expect(fp({ kind: 'did-fail-load', errorCode: -9999, errorDescription: 'ERR_SOMETHING_NEW', validatedURL: 'https://a.b/', isMainFrame: true }).title).toBe(
      'Page failed to load (ERR_SOMETHING_NEW) a.b',
    );
    expect(fp({ kind: 'child-process-gone', type: 'Utility', reason: 'crashed', exitCode: 3221225477, serviceName: 'network.mojom.NetworkService', name: 'Network Service' }).title).toBe(
      "Utility process 'Network Service' crashed (ACCESS_VIOLATION)",
    );
    expect(fp({ kind: 'render-process-gone', reason: 'brand-new', exitCode: 3 }).title).toBe('Renderer gone (brand-new)');
    expect(fp({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: null, signal: 'SIGKILL' }).title).toBe("Sidecar 'codex app-server' killed by SIGKILL");
    expect(fp({ kind: 'sidecar-exit', command: 'codex app-server', exitCode: 139, signal: null }).title).toBe("Sidecar 'codex app-server' crashed (SIGSEGV)");
    expect(fp({ kind: 'unresponsive', url: 'app://codex/settings', stack: '    at app://codex/assets/index-3f2a.js:1:1' }).title).toBe(
      'Renderer unresponsive at /settings in assets/index.js',
    );
  });

  it('keeps control characters and very long values out of components and titles', () => {
    const result = fp({ kind: 'render-process-gone', reason: `crashed\nforged: line${'x'.repeat(500)}` });
    for (const c of result.components) expect(c).not.toMatch(/[\n\r]/);
    expect(result.title).not.toMatch(/\n/);
    expect(result.title.length).toBeLessThan(200);
  });

  it('shapes sidecar commands to the program and its sub-command', () => {
    expect(shapeCommand('codex app-server')).toBe('codex app-server');
    expect(shapeCommand('/opt/codex/bin/codex app-server --listen 127.0.0.1:4500')).toBe('codex app-server');
    expect(shapeCommand('"C:\\Program Files\\Codex\\codex.exe" app-server')).toBe('codex app-server');
    expect(shapeCommand('node /Users/alice/app/server-3f2a9b.js 8080')).toBe('node server.js');
    expect(shapeCommand('   ')).toBe('unknown');
  });

  it('never throws, even for a value that skipped validation', () => {
    const bogus = { kind: 'render-process-gone', reason: null, exitCode: { x: 1 } } as unknown as Incident;
    expect(() => fingerprintIncident(bogus)).not.toThrow();
    expect(fingerprintIncident(bogus).fingerprint).toMatch(/^fp1-[0-9a-f]{16}$/);
    const alien = { kind: 'from-the-future' } as unknown as Incident;
    expect(fingerprintIncident(alien).title).toBe('Incident (from-the-future)');
  });
});
