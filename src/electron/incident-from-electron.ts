import type { Details, RenderProcessGoneDetails } from 'electron';

/** Result of reading an Electron event payload that may not have the documented shape. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function readRenderProcessGone(details: unknown): Parsed<Pick<RenderProcessGoneDetails, 'reason' | 'exitCode'>> {
  if (!isRecord(details)) return { ok: false, problem: 'details is not an object' };
  if (typeof details.reason !== 'string' || details.reason === '') return { ok: false, problem: 'details.reason is not a string' };
  if (typeof details.exitCode !== 'number') return { ok: false, problem: 'details.exitCode is not a number' };
  // Unknown reasons (a future Electron's) are kept as they are.
  return { ok: true, value: { reason: details.reason as RenderProcessGoneDetails['reason'], exitCode: details.exitCode } };
}

export function readChildProcessGone(details: unknown): Parsed<Details> {
  if (!isRecord(details)) return { ok: false, problem: 'details is not an object' };
  if (typeof details.type !== 'string') return { ok: false, problem: 'details.type is not a string' };
  if (typeof details.reason !== 'string' || details.reason === '') return { ok: false, problem: 'details.reason is not a string' };
  if (typeof details.exitCode !== 'number') return { ok: false, problem: 'details.exitCode is not a number' };
  return {
    ok: true,
    value: {
      type: details.type as Details['type'],
      reason: details.reason as Details['reason'],
      exitCode: details.exitCode,
      serviceName: typeof details.serviceName === 'string' ? details.serviceName : '',
      name: typeof details.name === 'string' ? details.name : '',
    },
  };
}

export interface FailLoad {
  errorCode: number;
  errorDescription: string;
  validatedURL: string;
  isMainFrame: boolean;
  frameProcessId: number;
  frameRoutingId: number;
}

export function readDidFailLoad(args: readonly unknown[]): Parsed<FailLoad> {
  const [errorCode, errorDescription, validatedURL, isMainFrame, frameProcessId, frameRoutingId] = args;
  if (typeof errorCode !== 'number' || !Number.isFinite(errorCode)) return { ok: false, problem: 'errorCode is not a number' };
  if (typeof isMainFrame !== 'boolean') return { ok: false, problem: 'isMainFrame is not a boolean' };
  return {
    ok: true,
    value: {
      errorCode,
      errorDescription: typeof errorDescription === 'string' ? errorDescription : '',
      validatedURL: typeof validatedURL === 'string' ? validatedURL : '',
      isMainFrame,
      frameProcessId: typeof frameProcessId === 'number' ? frameProcessId : -1,
      frameRoutingId: typeof frameRoutingId === 'number' ? frameRoutingId : -1,
    },
  };
}
