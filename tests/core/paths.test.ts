import { describe, expect, it } from 'vitest';
import { dataLayout, defaultDataDir, defaultLogDir, resolveDsn, resolveDsnWithSource } from '../../src/paths.js';

const home = '/home/ada';

describe('default locations (contract)', () => {
  it('uses the platform log dir', () => {
    expect(defaultLogDir({ platform: 'darwin', env: {}, homedir: home })).toBe('/home/ada/Library/Logs/com.openai.codex');
    expect(defaultLogDir({ platform: 'win32', env: { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' }, homedir: home })).toBe(
      'C:\\Users\\ada\\AppData\\Local\\Codex\\Logs',
    );
    expect(defaultLogDir({ platform: 'linux', env: {}, homedir: home })).toBe('/home/ada/.local/state/codex/logs');
    expect(defaultLogDir({ platform: 'linux', env: { XDG_STATE_HOME: '/xdg/state' }, homedir: home })).toBe('/xdg/state/codex/logs');
  });

  it('uses the platform data dir', () => {
    expect(defaultDataDir({ platform: 'darwin', env: {}, homedir: home })).toBe('/home/ada/Library/Application Support/codex-diag');
    expect(defaultDataDir({ platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, homedir: home })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\codex-diag',
    );
    expect(defaultDataDir({ platform: 'linux', env: {}, homedir: home })).toBe('/home/ada/.local/share/codex-diag');
    expect(defaultDataDir({ platform: 'linux', env: { XDG_DATA_HOME: '/xdg/data' }, homedir: home })).toBe('/xdg/data/codex-diag');
  });

  it('lets the environment override both dirs', () => {
    const env = { CODEX_DIAG_LOG_DIR: '/l', CODEX_DIAG_DATA_DIR: '/d' };
    expect(defaultLogDir({ platform: 'darwin', env, homedir: home })).toBe('/l');
    expect(defaultDataDir({ platform: 'win32', env, homedir: home })).toBe('/d');
  });

  it('puts the state file in the data dir', () => {
    expect(dataLayout('/d').stateFile).toBe('/d/state.json');
  });

  it('takes the DSN from the option, then CODEX_DIAG_DSN, then SENTRY_DSN', () => {
    const env = { CODEX_DIAG_DSN: 'http://a@h/1', SENTRY_DSN: 'http://b@h/2' };
    expect(resolveDsn('http://o@h/3', env)).toBe('http://o@h/3');
    expect(resolveDsn(undefined, env)).toBe('http://a@h/1');
    expect(resolveDsn(undefined, { SENTRY_DSN: 'http://b@h/2' })).toBe('http://b@h/2');
    expect(resolveDsn(undefined, { CODEX_DIAG_DSN: '  ' })).toBeUndefined();
  });

  it('ignores a relative XDG_DATA_HOME or XDG_STATE_HOME, as the XDG Base Directory spec says', () => {
    for (const value of ['relative/path', './here', 'data']) {
      const env = { XDG_DATA_HOME: value, XDG_STATE_HOME: value };
      expect(defaultDataDir({ platform: 'linux', env, homedir: home })).toBe('/home/ada/.local/share/codex-diag');
      expect(defaultLogDir({ platform: 'linux', env, homedir: home })).toBe('/home/ada/.local/state/codex/logs');
    }
  });

  it('says which setting a DSN came from', () => {
    expect(resolveDsnWithSource('http://o@h/3', { SENTRY_DSN: 'x' })).toEqual({ dsn: 'http://o@h/3', source: '--dsn' });
    expect(resolveDsnWithSource(undefined, { CODEX_DIAG_DSN: ' http://a@h/1 ', SENTRY_DSN: 'x' })).toEqual({ dsn: 'http://a@h/1', source: 'CODEX_DIAG_DSN' });
    expect(resolveDsnWithSource(undefined, { SENTRY_DSN: 'http://b@h/2' })).toEqual({ dsn: 'http://b@h/2', source: 'SENTRY_DSN' });
    expect(resolveDsnWithSource(undefined, {})).toBeUndefined();
  });
});
