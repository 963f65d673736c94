import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface AppInfo {
  name: string;
  version: string;
  /** Build or distribution variant of this version (Sentry's `dist`), when the app knows one. */
  dist?: string;
  /** Sentry environment (`production`, `development`, `demo`, ...); by default derived from `packaged`. */
  environment?: string;
}

/** The GPU as the app describes it (Sentry's GPU context fields); codex-diag does not probe for it. */
export interface GpuInfo {
  name: string;
  vendor_name?: string;
  vendor_id?: string;
  id?: string;
  version?: string;
  driver_version?: string;
  memory_size?: number;
  api_type?: string;
}

/** system.json of a bundle. No host name, no user name: the bundle leaves the machine. */
export interface SystemInfo {
  /** `process.platform`: linux, darwin, win32. */
  os: string;
  /** The kernel's name for itself (`os.type()`): Linux, Darwin, Windows_NT. */
  osType: string;
  /** The kernel release (`os.release()`): 6.8.0-45-generic, 23.4.0 (Darwin), 10.0.22631. */
  release: string;
  /** The version a person knows, where the runtime says it (Electron: macOS 14.4.1, Windows 10.0.22631). */
  osVersion?: string;
  /** The kernel's build string (`os.version()`): `#1 SMP PREEMPT_DYNAMIC ...`, `Darwin Kernel Version ...`. */
  kernelBuild?: string;
  /** Linux only: the distribution from /etc/os-release (ID, VERSION_ID, PRETTY_NAME). */
  distribution?: { name: string; version?: string; pretty_name?: string };
  arch: string;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  cpuCount: number;
  /** The first CPU's model string. */
  cpuModel?: string;
  node: string;
  electron?: string;
  chrome?: string;
  /** Resident memory of the process that built the bundle: the app's main process when embedded. */
  appMemoryBytes?: number;
  /** `app-store` (Mac App Store build) or `windows-store` (Microsoft Store build), else absent. */
  buildType?: string;
  /** Embedded in Electron: false when the app runs unpackaged (`electron .`, process.defaultApp). */
  packaged?: boolean;
  gpu?: GpuInfo;
  app: AppInfo;
  appVersion: string;
}

/** What collectSystemInfo reads; tests and the Electron adapter pass their own. */
export interface SystemSource {
  platform: string;
  type: () => string;
  release: () => string;
  arch: string;
  totalmem: () => number;
  freemem: () => number;
  cpus: () => readonly unknown[];
  versions: Partial<Record<string, string>>;
  /** `os.version()`. */
  version?: () => string;
  /** Electron's `process.getSystemVersion()`. */
  systemVersion?: () => string;
  /** The text of /etc/os-release (Linux), undefined when there is none. */
  osRelease?: () => string | undefined;
  rss?: () => number;
  /** Electron's `process.defaultApp`, `process.mas`, `process.windowsStore`. */
  defaultApp?: boolean;
  mas?: boolean;
  windowsStore?: boolean;
  gpu?: () => GpuInfo | undefined;
}

/** The Electron additions to `process` (absent under plain Node). */
interface ElectronProcess {
  getSystemVersion?: () => string;
  defaultApp?: boolean;
  mas?: boolean;
  windowsStore?: boolean;
}
const electronProcess = process as unknown as ElectronProcess;

export const nodeSystemSource: SystemSource = {
  platform: process.platform,
  type: () => os.type(),
  release: () => os.release(),
  arch: process.arch,
  totalmem: () => os.totalmem(),
  freemem: () => os.freemem(),
  cpus: () => os.cpus(),
  versions: process.versions,
  version: () => os.version(),
  ...(typeof electronProcess.getSystemVersion === 'function' ? { systemVersion: () => electronProcess.getSystemVersion!() } : {}),
  osRelease: () => (process.platform === 'linux' ? readFileSync('/etc/os-release', 'utf8') : undefined),
  rss: () => process.memoryUsage.rss(),
  defaultApp: electronProcess.defaultApp === true,
  mas: electronProcess.mas === true,
  windowsStore: electronProcess.windowsStore === true,
};

export function collectSystemInfo(app: AppInfo, source: SystemSource = nodeSystemSource): SystemInfo {
  const cpus = source.cpus();
  const info: SystemInfo = {
    os: source.platform,
    osType: source.type(),
    release: source.release(),
    arch: source.arch,
    totalMemoryBytes: source.totalmem(),
    freeMemoryBytes: source.freemem(),
    cpuCount: cpus.length,
    node: source.versions.node ?? 'unknown',
    app: { ...app },
    appVersion: app.version,
  };
  const model = (cpus[0] as { model?: unknown } | undefined)?.model;
  if (typeof model === 'string' && model.trim() !== '') info.cpuModel = model.trim();
  // Each of these is best effort: a missing or unreadable source leaves its field out.
  const osVersion = attempt(source.systemVersion);
  if (osVersion) info.osVersion = osVersion;
  const kernelBuild = attempt(source.version);
  if (kernelBuild) info.kernelBuild = kernelBuild;
  const distribution = parseOsRelease(attempt(source.osRelease));
  if (distribution) info.distribution = distribution;
  const rss = attempt(source.rss);
  if (typeof rss === 'number' && Number.isFinite(rss) && rss > 0) info.appMemoryBytes = Math.round(rss);
  // Present only when embedded in Electron (process.versions carries them there).
  if (source.versions.electron) {
    info.electron = source.versions.electron;
    info.packaged = source.defaultApp !== true;
  }
  if (source.versions.chrome) info.chrome = source.versions.chrome;
  if (source.mas) info.buildType = 'app-store';
  else if (source.windowsStore) info.buildType = 'windows-store';
  const gpu = attempt(source.gpu);
  if (gpu && typeof gpu.name === 'string' && gpu.name !== '') info.gpu = { ...gpu };
  return info;
}

function attempt<T>(read: (() => T) | undefined): T | undefined {
  try {
    return read?.();
  } catch {
    return undefined;
  }
}

/** ID, VERSION_ID and PRETTY_NAME of an os-release file (freedesktop.org os-release(5)). */
export function parseOsRelease(text: string | undefined): SystemInfo['distribution'] | undefined {
  if (!text) return undefined;
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  const name = values.get('ID');
  if (!name) return undefined;
  return {
    name,
    ...(values.get('VERSION_ID') ? { version: values.get('VERSION_ID') } : {}),
    ...(values.get('PRETTY_NAME') ? { pretty_name: values.get('PRETTY_NAME') } : {}),
  };
}
