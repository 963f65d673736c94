import { z } from 'zod';

/**
 * Incident schemas (contract: Incidents). Field names are Electron's own, so the
 * adapter can pass event details through unchanged. Objects are loose: fields we do not name
 * are kept as context, never dropped. `reason` and child process `type` are open strings,
 * because a future Electron may add values and an incident must never be rejected for that.
 */

/** An exit code as a number, or as text in decimal or hex notation (`"0xC0000005"`). */
export const ExitCodeValue = z.union([
  z.number().int(),
  z.string().regex(/^\s*(?:-?\d+|0[xX][0-9a-fA-F]+)\s*$/, 'expected an integer or hex string like 0xC0000005'),
]);
export type ExitCodeValue = z.infer<typeof ExitCodeValue>;

/** Context Electron and the app attach to any incident; every field optional. */
const contextShape = {
  url: z.string().optional(),
  pid: z.number().int().nonnegative().optional(),
  webContentsId: z.number().int().optional(),
  windowId: z.number().int().optional(),
  /** ISO-8601 text or Unix milliseconds. */
  occurredAt: z.union([z.string().min(1), z.number().finite()]).optional(),
  appVersion: z.string().optional(),
};

const reason = z.string().min(1, 'expected a non-empty reason string');

export const RenderProcessGoneIncident = z.looseObject({
  kind: z.literal('render-process-gone'),
  reason,
  exitCode: ExitCodeValue.optional(),
  ...contextShape,
});

/** One sampled renderer stack and how often the sampler saw it. */
export const SampledStack = z.looseObject({
  stack: z.string(),
  count: z.number().int().nonnegative(),
});
export type SampledStack = z.infer<typeof SampledStack>;

export const UnresponsiveIncident = z.looseObject({
  kind: z.literal('unresponsive'),
  durationMs: z.number().nonnegative().optional(),
  stack: z.string().optional(),
  stacks: z.array(SampledStack).optional(),
  ...contextShape,
});

export const DidFailLoadIncident = z.looseObject({
  kind: z.literal('did-fail-load'),
  errorCode: z.number().int(),
  errorDescription: z.string().optional(),
  validatedURL: z.string(),
  isMainFrame: z.boolean(),
  frameProcessId: z.number().int().optional(),
  frameRoutingId: z.number().int().optional(),
  ...contextShape,
});

export const ChildProcessGoneIncident = z.looseObject({
  kind: z.literal('child-process-gone'),
  type: z.string().min(1, 'expected a non-empty process type string'),
  reason,
  exitCode: ExitCodeValue.optional(),
  serviceName: z.string().optional(),
  name: z.string().optional(),
  ...contextShape,
});

export const SidecarExitIncident = z.looseObject({
  kind: z.literal('sidecar-exit'),
  command: z.string().min(1, 'expected a non-empty command string'),
  exitCode: ExitCodeValue.nullable().optional(),
  // A signal name (Node's child_process) or its POSIX number (what other supervisors report).
  signal: z.union([z.string(), z.number().int().min(0).max(255)]).nullable().optional(),
  ...contextShape,
});

export const Incident = z.discriminatedUnion('kind', [
  RenderProcessGoneIncident,
  UnresponsiveIncident,
  DidFailLoadIncident,
  ChildProcessGoneIncident,
  SidecarExitIncident,
]);

export type RenderProcessGoneIncident = z.infer<typeof RenderProcessGoneIncident>;
export type UnresponsiveIncident = z.infer<typeof UnresponsiveIncident>;
export type DidFailLoadIncident = z.infer<typeof DidFailLoadIncident>;
export type ChildProcessGoneIncident = z.infer<typeof ChildProcessGoneIncident>;
export type SidecarExitIncident = z.infer<typeof SidecarExitIncident>;
export type Incident = z.infer<typeof Incident>;
export type IncidentKind = Incident['kind'];

export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'render-process-gone',
  'unresponsive',
  'did-fail-load',
  'child-process-gone',
  'sidecar-exit',
];
