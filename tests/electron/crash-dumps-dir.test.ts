import { describe, expect, it } from 'vitest';
import { attachToApp } from '../../src/electron/index.js';
import type { AdaptedApp } from '../../src/electron/types.js';
import { asApp, FakeApp, fakePort } from './fakes.js';

function appWithCrashDumps(getPath: (name: string) => string): AdaptedApp {
  return Object.assign(asApp(new FakeApp()), { getPath });
}

describe('attachToApp and the crash dumps dir', () => {
  it("tells diagnostics where Crashpad writes: app.getPath('crashDumps')", () => {
    const dirs: string[] = [];
    const asked: string[] = [];
    const { diag } = fakePort({ setCrashDir: (dir) => dirs.push(dir) });
    attachToApp(
      diag,
      appWithCrashDumps((name) => {
        asked.push(name);
        return '/home/u/.config/Codex/Crashpad';
      }),
    );
    expect(asked).toEqual(['crashDumps']);
    expect(dirs).toEqual(['/home/u/.config/Codex/Crashpad']);
  });

  it('minidumps: false leaves it alone; a getPath that throws is a counted fault, not the app’s', () => {
    const dirs: string[] = [];
    const { diag, calls } = fakePort({ setCrashDir: (dir) => dirs.push(dir) });
    attachToApp(diag, appWithCrashDumps(() => '/x'), { minidumps: false });
    expect(dirs).toEqual([]);
    expect(() =>
      attachToApp(
        diag,
        appWithCrashDumps(() => {
          throw new Error('no such path');
        }),
      ),
    ).not.toThrow();
    expect(calls.faults.map(([where]) => where)).toEqual(['electron:crashDumps']);
  });
});
