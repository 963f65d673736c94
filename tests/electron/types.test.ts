import type { App, BrowserWindow, WebContents } from 'electron';
import { describe, expect, it } from 'vitest';
import type { AdaptedApp, AdaptedWebContents, AdaptedWindow } from '../../src/electron/types.js';

// Compile-time proof (tests/tsconfig.json typechecks this file) that real Electron objects are
// accepted by the adapter: if Electron's types drift from ours, `npm run typecheck` fails here.
const acceptsWindow = (win: BrowserWindow): AdaptedWindow => win;
const acceptsWebContents = (wc: WebContents): AdaptedWebContents => wc;
const acceptsApp = (app: App): AdaptedApp => app;

describe('Electron types', () => {
  it('accepts real BrowserWindow, WebContents and App objects', () => {
    expect([acceptsWindow, acceptsWebContents, acceptsApp].every((f) => typeof f === 'function')).toBe(true);
  });
});
