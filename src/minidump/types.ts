import type { TextLocation } from './strings.js';

/** A range of the file: MINIDUMP_LOCATION_DESCRIPTOR (Memory64List ranges may pass 4 GiB, hence number). */
export interface FileRange {
  rva: number;
  size: number;
}

export interface MinidumpHeader {
  version: number;
  streamCount: number;
  directoryRva: number;
  /** Seconds since the epoch when the dump was written. */
  timeDateStamp: number;
  flags: bigint;
}

export interface StreamEntry extends FileRange {
  type: number;
}

export interface ExceptionInfo {
  threadId: number;
  /** A signal number on Linux and Android, an exception code on Windows, an EXC_ type on macOS. */
  code: number;
  /** `si_code` on Linux, the first exception code on macOS. */
  flags: number;
  address: bigint;
  parameters: bigint[];
  context: FileRange;
}

export interface SystemInfo {
  cpuArchitecture: number;
  cpu: string;
  processors: number;
  platformId: number;
  os: string;
  osVersion: string;
  csdVersion: string | null;
}

export interface ModuleInfo {
  base: bigint;
  size: number;
  timeDateStamp: number;
  /** The code file's path as the writer saw it. */
  name: string;
  nameLocation: TextLocation;
  /** ELF build id in hex, a Mach-O UUID, or Windows' timestamp + image size. */
  codeId: string | null;
  /** Breakpad's debug identifier (GUID fields as hex, then the age): what symbol stores key on. */
  debugId: string | null;
  /** The PDB (or other debug file) name from the CodeView record. */
  debugFile: string | null;
  debugFileLocation: TextLocation | null;
}

export interface ThreadInfo {
  id: number;
  stackStart: bigint;
  stack: FileRange;
  context: FileRange;
}

export interface MemoryRegion {
  start: bigint;
  data: FileRange;
}

export type AnnotationSource = 'process' | 'module' | 'module-list' | 'module-object';

export interface Annotation {
  key: string;
  value: string;
  source: AnnotationSource;
  /** The bytes of the key and of the value in the file (for scrubbing in place). */
  keyLocation: TextLocation | null;
  valueLocation: TextLocation;
  /** Annotation objects' type; 1 is a string. */
  type?: number;
}

export interface CrashpadInfo {
  reportId: string;
  clientId: string;
  annotations: Annotation[];
}

export interface Minidump {
  header: MinidumpHeader;
  streams: StreamEntry[];
  exception: ExceptionInfo | null;
  systemInfo: SystemInfo | null;
  modules: ModuleInfo[];
  threads: ThreadInfo[];
  memory: MemoryRegion[];
  crashpad: CrashpadInfo | null;
}
