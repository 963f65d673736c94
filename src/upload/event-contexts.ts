/**
 * Sentry's own contexts (os, device, runtime, app, gpu) from a bundle's system.json and state, with
 * Sentry's field names (https://develop.sentry.dev/sdk/data-model/event-payloads/contexts/), shaped
 * as the Sentry Electron SDK shapes them (getsentry/sentry-electron src/main/context.ts and
 * integrations/additional-context.ts): os named as people know it, device family `Desktop`,
 * runtime `Electron` with `chrome` and `node` runtimes beside it. Sentry's search and facets
 * (`os.name:macOS`, `device.family`, `runtime.name`) read these fields.
 */

type Json = Record<string, unknown>;
type Context = Record<string, unknown>;

/** Node's platform names as Sentry (and the Electron SDK) name the OS. */
const OS_NAMES: Record<string, string> = {
  darwin: 'macOS',
  win32: 'Windows',
  linux: 'Linux',
  freebsd: 'FreeBSD',
  openbsd: 'OpenBSD',
  sunos: 'SunOS',
  aix: 'IBM AIX',
  android: 'Android',
};

export function osDisplayName(platform: string): string {
  return OS_NAMES[platform] ?? platform;
}

export interface SentryContexts {
  os: Context;
  device: Context;
  runtime: Context;
  app: Context;
  chrome?: Context;
  node?: Context;
  gpu?: Context;
}

/** The contexts for one bundle; `system` may be an older bundle's, with fewer fields. */
export function sentryContexts(system: Json | null, manifestPlatform: Json | null, app: { name: string; version: string }, startup: Json | null): SentryContexts {
  const platform = str(system?.os) ?? str(manifestPlatform?.os) ?? 'unknown';
  const kernelRelease = str(system?.release) ?? str(manifestPlatform?.release);
  const osVersion = str(system?.osVersion);
  const kernelBuild = str(system?.kernelBuild);
  const os: Context = { name: osDisplayName(platform) };
  // macOS and Windows: the product version when the app recorded it (Electron), else the kernel
  // release; Linux: the kernel release, as Sentry's own example does.
  const version = osVersion ?? kernelRelease;
  if (version) os.version = version;
  if (kernelRelease) os.kernel_version = kernelRelease;
  const build = osBuild(platform, osVersion, kernelBuild);
  if (build) os.build = build;
  const distribution = record(system?.distribution);
  if (distribution && str(distribution.name)) os.distribution = pick(distribution, ['name', 'version', 'pretty_name']);

  const device: Context = { family: 'Desktop' };
  if (str(system?.arch)) device.arch = system!.arch;
  if (count(system?.totalMemoryBytes)) device.memory_size = system!.totalMemoryBytes;
  if (count(system?.freeMemoryBytes) !== undefined) device.free_memory = system!.freeMemoryBytes;
  if (count(system?.cpuCount)) device.processor_count = system!.cpuCount;
  if (str(system?.cpuModel)) device.cpu_description = system!.cpuModel;

  const electron = str(system?.electron);
  const chromeVersion = str(system?.chrome);
  const nodeVersion = str(system?.node);
  const contexts: SentryContexts = {
    os,
    device,
    // The app's runtime: Electron when embedded; a bundle made by the CLI outside the app ran on Node.
    runtime: electron ? { name: 'Electron', version: electron } : { name: 'Node', ...(nodeVersion && nodeVersion !== 'unknown' ? { version: nodeVersion } : {}) },
    app: appContext(system, app, startup),
  };
  if (electron && chromeVersion) contexts.chrome = { type: 'runtime', name: 'Chrome', version: chromeVersion };
  if (electron && nodeVersion && nodeVersion !== 'unknown') contexts.node = { type: 'runtime', name: 'Node', version: nodeVersion };
  const gpu = record(system?.gpu);
  if (gpu && str(gpu.name)) contexts.gpu = pick(gpu, ['name', 'vendor_name', 'vendor_id', 'id', 'version', 'driver_version', 'memory_size', 'api_type']);
  return contexts;
}

function appContext(system: Json | null, app: { name: string; version: string }, startup: Json | null): Context {
  const context: Context = { app_name: app.name, app_version: app.version };
  const dist = str(record(system?.app)?.dist);
  if (dist) context.app_build = dist;
  if (count(system?.appMemoryBytes)) context.app_memory = system!.appMemoryBytes;
  const startedAt = startup?.app_started_at_ms;
  if (typeof startedAt === 'number' && Number.isFinite(startedAt) && startedAt > 0) {
    const date = new Date(startedAt);
    if (!Number.isNaN(date.getTime())) context.app_start_time = date.toISOString();
  }
  const buildType = str(system?.buildType) ?? (system?.packaged === false ? 'development' : undefined);
  if (buildType) context.build_type = buildType;
  if (str(system?.arch)) context.app_arch = system!.arch;
  return context;
}

/** Windows: the build number of `10.0.22631`; Linux: the kernel's build string; macOS needs sw_vers, which is not run. */
function osBuild(platform: string, osVersion: string | undefined, kernelBuild: string | undefined): string | undefined {
  if (platform === 'win32') return /^\d+\.\d+\.(\d+)/.exec(osVersion ?? '')?.[1];
  if (platform === 'linux') return kernelBuild;
  return undefined;
}

function pick(source: Json, keys: readonly string[]): Context {
  const out: Context = {};
  for (const key of keys) {
    const value = source[key];
    if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) out[key] = value;
  }
  return out;
}

function record(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
