export { attachToWindow } from './attach-window.js';
export { attachToApp } from './attach-app.js';
export type { AdaptedApp, AdaptedWebContents, AdaptedWindow, Detach } from './types.js';
export { ELECTRON_PORT } from './port.js';
export type { ElectronPort, HasElectronPort } from './port.js';
