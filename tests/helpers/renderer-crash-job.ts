import type { BundleJob } from '../../src/bundle/bundle-job.js';

/**
 * A bundle job for a renderer that crashed at `now - 5 s`, with no logs and no state, as a native
 * dump test needs it: `native` (the dump and its mode) and `overrides` added.
 */
export function rendererCrashJob(
  now: number,
  bundlesDir: string,
  redaction: BundleJob['redaction'],
  native?: BundleJob['native'],
  overrides: Partial<BundleJob> = {},
): BundleJob {
  return {
    logDir: null,
    bundlesDir,
    bounds: { maxLines: 100 },
    redaction,
    incident: { kind: 'render-process-gone', reason: 'crashed', exitCode: 11, occurredAt: now - 5000 },
    fingerprint: { fingerprint: 'fp1-00aa11bb22cc33dd', components: ['fp1', 'kind:render-process-gone', 'reason:crashed'], title: 'Renderer crashed' },
    state: null,
    app: { name: 'Codex', version: '26.1.0' },
    system: { os: 'linux', osType: 'Linux', release: '6.1.0', arch: 'x64', totalMemoryBytes: 1, freeMemoryBytes: 1, cpuCount: 2, node: '20.20.2', app: { name: 'Codex', version: '26.1.0' }, appVersion: '26.1.0' },
    suppressedCount: 0,
    createdAt: now,
    bundleId: '00000000-0000-4000-8000-000000000002',
    ...(native ? { native } : {}),
    ...overrides,
  };
}
