export { attachToWindow } from './attach-window.js';
export { attachToApp } from './attach-app.js';
export type { AdaptedApp, AdaptedWebContents, AdaptedWindow, AppEventSource, Detach, WebContentsEventSource } from './types.js';
export { ELECTRON_PORT } from '../diagnostics/electron-port.js';
export type { ElectronPort, HasElectronPort, RegisteredRenderer } from '../diagnostics/electron-port.js';
