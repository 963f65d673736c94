export { attachToWindow, type AttachWindowOptions } from './attach-window.js';
export { attachToApp, type AttachAppOptions } from './attach-app.js';
export {
  defaultChildProcessPolicy,
  defaultRendererGonePolicy,
  type ChildProcessAction,
  type ChildProcessPolicy,
  type RendererGonePolicy,
  type RendererGoneRule,
} from './gone-policy.js';
export { withJsCallStackPolicy, JS_CALL_STACKS_FEATURE, JS_CALL_STACKS_POLICY, type SessionWithWebRequest } from './js-call-stacks.js';
export type { PowerEventSource } from './power-events.js';
export type { CrashReporterLike } from './crash-reporter.js';
export type { AdaptedApp, AdaptedWebContents, AdaptedWindow, AppEventSource, Detach, WebContentsEventSource } from './types.js';
export { ELECTRON_PORT } from '../diagnostics/electron-port.js';
export type { ElectronPort, HasElectronPort, RegisteredRenderer } from '../diagnostics/electron-port.js';
