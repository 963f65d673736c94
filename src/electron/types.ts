import type { App, BrowserWindow, Details, Event, RenderProcessGoneDetails, WebContents, WebFrameMain } from 'electron';

type AppGoneListener = (event: Event, webContents: WebContents, details: RenderProcessGoneDetails) => void;

type FailLoadListener = (
  event: Event,
  errorCode: number,
  errorDescription: string,
  validatedURL: string,
  isMainFrame: boolean,
  frameProcessId: number,
  frameRoutingId: number,
) => void;
type NavigateListener = (event: Event, url: string, httpResponseCode: number, httpStatusText: string) => void;
type NavigateInPageListener = (event: Event, url: string, isMainFrame: boolean, frameProcessId: number, frameRoutingId: number) => void;
type GoneListener = (event: Event, details: RenderProcessGoneDetails) => void;
type PlainEvent = 'unresponsive' | 'responsive' | 'did-finish-load' | 'destroyed' | 'did-start-loading';
type PreventableEvent = 'will-prevent-unload';

/**
 * The webContents events the adapter subscribes to, with Electron's listener signatures. The
 * methods return `unknown` rather than Electron's `this`, so a plain EventEmitter stand-in fits
 * as well as a real WebContents (checked in tests/electron/types.test.ts).
 */
export interface WebContentsEventSource {
  on(event: 'render-process-gone', listener: GoneListener): unknown;
  on(event: 'did-fail-load', listener: FailLoadListener): unknown;
  on(event: 'did-navigate', listener: NavigateListener): unknown;
  on(event: 'did-navigate-in-page', listener: NavigateInPageListener): unknown;
  on(event: PlainEvent, listener: () => void): unknown;
  on(event: PreventableEvent, listener: (event: Event) => void): unknown;
  off(event: 'render-process-gone', listener: GoneListener): unknown;
  off(event: 'did-fail-load', listener: FailLoadListener): unknown;
  off(event: 'did-navigate', listener: NavigateListener): unknown;
  off(event: 'did-navigate-in-page', listener: NavigateInPageListener): unknown;
  off(event: PlainEvent, listener: () => void): unknown;
  off(event: PreventableEvent, listener: (event: Event) => void): unknown;
}

export interface AppEventSource {
  on(event: 'child-process-gone', listener: (event: Event, details: Details) => void): unknown;
  on(event: 'render-process-gone', listener: AppGoneListener): unknown;
  on(event: 'before-quit' | 'will-quit', listener: (event: Event) => void): unknown;
  off(event: 'child-process-gone', listener: (event: Event, details: Details) => void): unknown;
  off(event: 'render-process-gone', listener: AppGoneListener): unknown;
  off(event: 'before-quit' | 'will-quit', listener: (event: Event) => void): unknown;
}

/** The parts of Electron's objects the adapter touches; real Electron objects satisfy them. */
export type AdaptedWebContents = Pick<WebContents, 'id' | 'reload' | 'isDestroyed' | 'getURL' | 'send'> &
  WebContentsEventSource &
  Partial<Pick<WebContents, 'isLoading'>> & {
    /** Absent in old Electron and in some stand-ins; `collectJavaScriptCallStack` is experimental. */
    readonly mainFrame?: Partial<Pick<WebFrameMain, 'collectJavaScriptCallStack'>> | null;
  };

/** Visibility: a hidden or minimised window's timers are throttled, so its heartbeats pause. */
export interface WindowVisibilitySource {
  on(event: 'hide' | 'show' | 'minimize' | 'restore', listener: () => void): unknown;
  off(event: 'hide' | 'show' | 'minimize' | 'restore', listener: () => void): unknown;
}

export type AdaptedWindow = Pick<BrowserWindow, 'id' | 'isDestroyed'> &
  Partial<Pick<BrowserWindow, 'isVisible' | 'isMinimized'> & WindowVisibilitySource> & {
    readonly webContents: AdaptedWebContents;
  };

/** `app.commandLine`: where Chromium features are switched on before `ready`. */
export type AdaptedCommandLine = Pick<App['commandLine'], 'appendSwitch' | 'getSwitchValue' | 'hasSwitch'>;

export type AdaptedApp = Pick<App, 'quit'> &
  AppEventSource &
  Partial<Pick<App, 'isReady'>> & {
    readonly commandLine?: AdaptedCommandLine;
    /** `app.getPath('crashDumps')`: where Crashpad writes the app's minidumps. */
    getPath?(name: 'crashDumps'): string;
  };

/** Removes every listener an attach call added; safe to call more than once. */
export type Detach = () => void;
