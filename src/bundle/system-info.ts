import os from 'node:os';

export interface AppInfo {
  name: string;
  version: string;
}

/** system.json of a bundle. No host name, no user name: the bundle leaves the machine. */
export interface SystemInfo {
  /** `process.platform`: linux, darwin, win32. */
  os: string;
  /** The kernel's name for itself (`os.type()`): Linux, Darwin, Windows_NT. */
  osType: string;
  release: string;
  arch: string;
  totalMemoryBytes: number;
  freeMemoryBytes: number;
  cpuCount: number;
  node: string;
  electron?: string;
  chrome?: string;
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
}

export const nodeSystemSource: SystemSource = {
  platform: process.platform,
  type: () => os.type(),
  release: () => os.release(),
  arch: process.arch,
  totalmem: () => os.totalmem(),
  freemem: () => os.freemem(),
  cpus: () => os.cpus(),
  versions: process.versions,
};

export function collectSystemInfo(app: AppInfo, source: SystemSource = nodeSystemSource): SystemInfo {
  const info: SystemInfo = {
    os: source.platform,
    osType: source.type(),
    release: source.release(),
    arch: source.arch,
    totalMemoryBytes: source.totalmem(),
    freeMemoryBytes: source.freemem(),
    cpuCount: source.cpus().length,
    node: source.versions.node ?? 'unknown',
    app: { name: app.name, version: app.version },
    appVersion: app.version,
  };
  // Present only when embedded in Electron (process.versions carries them there).
  if (source.versions.electron) info.electron = source.versions.electron;
  if (source.versions.chrome) info.chrome = source.versions.chrome;
  return info;
}
