/**
 * Constants of the minidump format as Breakpad (`minidump_format.h`) and Crashpad
 * (`minidump_extensions.h`) define them. All integers are little-endian; structures are packed.
 */

/** `MDMP` read as a little-endian u32. */
export const MINIDUMP_SIGNATURE = 0x504d444d;
/** The low 16 bits of the header's version. */
export const MINIDUMP_VERSION = 0xa793;

export const HEADER_SIZE = 32;
export const DIRECTORY_ENTRY_SIZE = 12;
export const THREAD_SIZE = 48;
export const MODULE_SIZE = 108;
export const MEMORY_DESCRIPTOR_SIZE = 16;
export const MEMORY_DESCRIPTOR64_SIZE = 16;
export const SYSTEM_INFO_SIZE = 56;
export const EXCEPTION_STREAM_SIZE = 168;
/** Crashpad's MinidumpCrashpadInfo up to the module list; later versions append fields. */
export const CRASHPAD_INFO_MIN_SIZE = 52;

export const StreamType = {
  threadList: 3,
  moduleList: 4,
  memoryList: 5,
  exception: 6,
  systemInfo: 7,
  memory64List: 9,
  miscInfo: 15,
  threadNames: 24,
  linuxCpuInfo: 0x47670003,
  linuxProcStatus: 0x47670004,
  linuxLsbRelease: 0x47670005,
  linuxCmdLine: 0x47670006,
  linuxEnviron: 0x47670007,
  linuxMaps: 0x47670009,
  crashpadInfo: 0x43500001,
} as const;

/** Streams that hold text the OS gave the writer (`/proc/<pid>/environ`, `cmdline`, `maps`, ...). */
export const TEXT_STREAMS: readonly number[] = [
  StreamType.linuxCpuInfo,
  StreamType.linuxProcStatus,
  StreamType.linuxLsbRelease,
  StreamType.linuxCmdLine,
  StreamType.linuxEnviron,
  StreamType.linuxMaps,
];

export const CodeViewSignature = {
  pdb70: 0x53445352, // 'RSDS'
  elf: 0x4270454c, // 'BpEL'
} as const;

export const Platform = {
  windows: 2,
  macos: 0x8101,
  ios: 0x8102,
  linux: 0x8201,
  android: 0x8203,
  fuchsia: 0x8206,
} as const;

export const CpuArchitecture = {
  x86: 0,
  arm: 5,
  amd64: 9,
  arm64: 12,
  arm64Old: 0x8003,
} as const;

/** Crashpad annotation object value types (`Annotation::Type`). */
export const AnnotationType = { string: 1 } as const;
