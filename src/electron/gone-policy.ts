/**
 * What the adapter does when a process goes away, per reason (Electron's `reason` values:
 * clean-exit, abnormal-exit, killed, crashed, oom, launch-failed, integrity-failure, memory-eviction;
 * an unknown future reason takes `otherwise`). Apps override any row through the attach options.
 */

/** `child-process-gone` (GPU, utility, network service, ...): record an incident, or not. */
export type ChildProcessAction = 'incident' | 'ignore';

export interface ChildProcessPolicy {
  running: Readonly<Record<string, ChildProcessAction>>;
  /** While the app quits, Chromium ends its helpers: only real failures stay incidents. */
  quitting: Readonly<Record<string, ChildProcessAction>>;
  otherwise: ChildProcessAction;
}

/**
 * `render-process-gone`: whether it is an incident and how the window is recovered.
 * `reload`: a crash reload, with backoff and counted against `recovery.maxReloads`;
 * `reload-uncounted`: reloaded at once, not counted as a crash (the renderer was discarded, not broken);
 * `none`: the window is left as it is.
 */
export interface RendererGoneRule {
  incident: boolean;
  recovery: 'reload' | 'reload-uncounted' | 'none';
}

export interface RendererGonePolicy {
  reasons: Readonly<Record<string, RendererGoneRule>>;
  otherwise: RendererGoneRule;
  /**
   * The app recovered the renderer itself (`forcefullyCrashRenderer()` then `reload()` for a hang):
   * the renderer was already loading again when the `killed` arrived, or the app's own reload came
   * before codex-diag's. The hang was already recorded as `unresponsive`.
   */
  appInitiated: RendererGoneRule;
}

export const defaultChildProcessPolicy: ChildProcessPolicy = {
  running: { 'clean-exit': 'ignore', 'memory-eviction': 'ignore' },
  quitting: {
    'clean-exit': 'ignore',
    'abnormal-exit': 'ignore',
    killed: 'ignore',
    'memory-eviction': 'ignore',
    crashed: 'incident',
    oom: 'incident',
    'launch-failed': 'incident',
    'integrity-failure': 'incident',
  },
  otherwise: 'incident',
};

export const defaultRendererGonePolicy: RendererGonePolicy = {
  reasons: {
    'clean-exit': { incident: false, recovery: 'none' },
    'memory-eviction': { incident: false, recovery: 'reload-uncounted' },
  },
  otherwise: { incident: true, recovery: 'reload' },
  appInitiated: { incident: false, recovery: 'none' },
};

export function childProcessAction(policy: ChildProcessPolicy, reason: string, quitting: boolean): ChildProcessAction {
  const table = quitting ? policy.quitting : policy.running;
  return table[reason] ?? policy.otherwise;
}

export function rendererGoneRule(policy: RendererGonePolicy, reason: string, appInitiated: boolean): RendererGoneRule {
  if (appInitiated) return policy.appInitiated;
  return policy.reasons[reason] ?? policy.otherwise;
}

/** The defaults with an app's overrides laid over them, row by row. */
export function childProcessPolicyWith(overrides: Partial<ChildProcessPolicy> | undefined): ChildProcessPolicy {
  const base = defaultChildProcessPolicy;
  return {
    running: { ...base.running, ...overrides?.running },
    quitting: { ...base.quitting, ...overrides?.quitting },
    otherwise: overrides?.otherwise ?? base.otherwise,
  };
}

export function rendererGonePolicyWith(overrides: Partial<RendererGonePolicy> | undefined): RendererGonePolicy {
  const base = defaultRendererGonePolicy;
  return {
    reasons: { ...base.reasons, ...overrides?.reasons },
    otherwise: overrides?.otherwise ?? base.otherwise,
    appInitiated: overrides?.appInitiated ?? base.appInitiated,
  };
}
