import type { ElectronPort } from '../diagnostics/electron-port.js';
import type { AdaptedApp } from './types.js';

/** Chromium's feature that lets `collectJavaScriptCallStack` and crash reports carry a hung page's JS stack. */
export const JS_CALL_STACKS_FEATURE = 'DocumentPolicyIncludeJSCallStacksInCrashReports';
/** The Document-Policy a page must be served with for its stack to be collected. */
export const JS_CALL_STACKS_POLICY = 'include-js-call-stacks-in-crash-reports';

type Headers = Record<string, string | string[]>;

/** Electron's `session` as far as the header goes (`session.defaultSession`, a partition's session). */
export interface SessionWithWebRequest {
  readonly webRequest: {
    onHeadersReceived(
      listener: (
        details: { resourceType?: string; responseHeaders?: Headers },
        callback: (response: { responseHeaders?: Headers; cancel?: boolean }) => void,
      ) => void,
    ): void;
  };
}

/**
 * Adds `include-js-call-stacks-in-crash-reports` to a response's Document-Policy, keeping a policy
 * the server already sent. For apps that have their own `onHeadersReceived` (Electron keeps one
 * listener per session: a second replaces the first), to call from it.
 */
export function withJsCallStackPolicy(headers: Headers | undefined): Headers {
  const out: Headers = { ...headers };
  const key = Object.keys(out).find((k) => k.toLowerCase() === 'document-policy');
  const existing = key === undefined ? [] : ([] as string[]).concat(out[key] ?? []);
  if (key !== undefined) delete out[key];
  const joined = existing.join(', ');
  out['Document-Policy'] = [joined.includes(JS_CALL_STACKS_POLICY) ? joined : [joined, JS_CALL_STACKS_POLICY].filter(Boolean).join(', ')];
  return out;
}

/**
 * Both halves of JS call-stack collection: the feature switch, which Chromium reads only before
 * `ready` (appended to any `enable-features` the app set, never replacing it), and the header on
 * every frame response of the given sessions.
 */
export function enableJsCallStacks(app: AdaptedApp, sessions: readonly SessionWithWebRequest[], port: ElectronPort): void {
  const commandLine = app.commandLine;
  if (typeof app.isReady === 'function' && app.isReady()) {
    port.reportMalformed('electron:jsCallStacks', 'attachToApp ran after ready: Chromium reads enable-features only before it');
  } else if (commandLine && typeof commandLine.appendSwitch === 'function') {
    const current = commandLine.hasSwitch('enable-features') ? commandLine.getSwitchValue('enable-features') : '';
    const features = current.split(',').filter(Boolean);
    if (!features.includes(JS_CALL_STACKS_FEATURE)) commandLine.appendSwitch('enable-features', [...features, JS_CALL_STACKS_FEATURE].join(','));
  } else {
    port.reportMalformed('electron:jsCallStacks', 'app.commandLine is missing');
  }
  for (const session of sessions) {
    session.webRequest.onHeadersReceived((details, callback) => {
      // Only documents take a Document-Policy; other responses pass untouched.
      if (details.resourceType !== 'mainFrame' && details.resourceType !== 'subFrame') return callback({});
      callback({ responseHeaders: withJsCallStackPolicy(details.responseHeaders) });
    });
  }
}
