import { ByteView, hex } from './byte-view.js';
import { crashReason } from './crash-reason.js';
import { CpuArchitecture } from './format.js';
import { moduleAt } from './modules.js';
import { readMinidump } from './read-minidump.js';
import type { Annotation, Minidump } from './types.js';

/** What `codex-diag minidump` prints and what matching reads (contract: the `minidump` CLI row). */
export interface MinidumpSummary {
  /** Crashpad's `ptype` annotation: `renderer`, `gpu-process`, `utility`, `browser`, ... */
  processType: string | null;
  crashReason: string | null;
  crashAddress: string | null;
  /** The code file of the module holding the crash address (or the crashed thread's instruction pointer). */
  crashingModule: string | null;
  annotations: Record<string, string>;
  modules: number;
  threads: number;
}

/** The process annotations and crash keys, one value per key (the first one written wins). */
export function annotationMap(annotations: readonly Annotation[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const a of annotations) if (!(a.key in map)) map[a.key] = a.value;
  return map;
}

/** The crashed process's pid from Crashpad's `pid` annotation. */
export function annotatedPid(dump: Minidump): number | null {
  const value = dump.crashpad?.annotations.find((a) => a.key === 'pid')?.value;
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

/** Reads and summarises a dump; throws MINIDUMP_INVALID for one it cannot read. */
export function summariseMinidump(bytes: Uint8Array): MinidumpSummary {
  return summarise(readMinidump(bytes), bytes);
}

export function summarise(dump: Minidump, bytes: Uint8Array): MinidumpSummary {
  const view = new ByteView(bytes);
  const annotations = annotationMap(dump.crashpad?.annotations ?? []);
  const exception = dump.exception;
  let crashingModule: string | null = null;
  if (exception) {
    const module = moduleAt(dump.modules, exception.address) ?? moduleAtInstruction(dump, view);
    crashingModule = module?.name ?? null;
  }
  return {
    processType: annotations.ptype ?? null,
    crashReason: exception ? crashReason(exception, dump.systemInfo?.platformId ?? null) : null,
    crashAddress: exception ? hex(exception.address) : null,
    crashingModule,
    annotations,
    modules: dump.modules.length,
    threads: dump.threads.length,
  };
}

/**
 * Where the instruction pointer sits in each CPU's context record. A trap (`SIGTRAP`, `int3`) reports
 * address 0, so the module is found from the crashed thread's instruction pointer instead.
 */
const IP_OFFSET: Partial<Record<number, { offset: number; width: 4 | 8 }>> = {
  [CpuArchitecture.amd64]: { offset: 0xf8, width: 8 },
  [CpuArchitecture.x86]: { offset: 0xb8, width: 4 },
  [CpuArchitecture.arm64]: { offset: 264, width: 8 },
  [CpuArchitecture.arm64Old]: { offset: 264, width: 8 },
  [CpuArchitecture.arm]: { offset: 64, width: 4 },
};

function moduleAtInstruction(dump: Minidump, view: ByteView) {
  const exception = dump.exception;
  const cpu = dump.systemInfo?.cpuArchitecture;
  const ip = cpu === undefined ? undefined : IP_OFFSET[cpu];
  if (!exception || !ip || exception.context.size < ip.offset + ip.width) return null;
  const at = exception.context.rva + ip.offset;
  const address = ip.width === 8 ? view.u64(at, 'instruction pointer') : BigInt(view.u32(at, 'instruction pointer'));
  return moduleAt(dump.modules, address);
}
