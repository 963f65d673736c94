import { EventEmitter } from 'node:events';

/**
 * Stand-ins for Electron's BrowserWindow, webContents and app, for `codex-diag demo`: plain
 * EventEmitters with the members the adapter touches, emitting events as Electron does (an Event
 * object first). The demo drives them through a session; nothing here needs Electron installed.
 */
export class SimulatedWebContents extends EventEmitter {
  reloads = 0;
  private destroyed = false;
  private url = 'about:blank';
  readonly sent: Array<{ channel: string; payload: unknown }> = [];

  constructor(readonly id: number) {
    super();
  }

  reload(): void {
    this.reloads++;
    this.emit('demo:reload');
  }

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, payload: args[0] });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getURL(): string {
    return this.url;
  }

  /** A main-frame navigation that finishes loading. */
  navigate(url: string): void {
    this.url = url;
    this.fire('did-navigate', url, 200, 'OK');
    this.fire('did-finish-load');
  }

  fire(event: string, ...args: unknown[]): void {
    this.emit(event, { preventDefault() {}, defaultPrevented: false }, ...args);
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class SimulatedWindow {
  constructor(readonly id: number, readonly webContents: SimulatedWebContents) {}

  isDestroyed(): boolean {
    return this.webContents.isDestroyed();
  }
}

export class SimulatedApp extends EventEmitter {
  quit(): void {
    this.emit('before-quit', { preventDefault() {}, defaultPrevented: false });
  }
}
