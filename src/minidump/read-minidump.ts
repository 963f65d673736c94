import { DiagError } from '../errors.js';
import { ByteView, malformed } from './byte-view.js';
import { readCrashpadInfo } from './crashpad-info.js';
import { StreamType } from './format.js';
import { readModules } from './modules.js';
import type { Pacer } from '../runtime/time-slice.js';
import { memory64ListRegions, memoryListRegions, readDirectory, readException, readHeader, readSystemInfo, readThreads } from './streams.js';
import type { MemoryRegion, Minidump, StreamEntry } from './types.js';

/**
 * Reads a minidump's structure (no copy of its bytes). Throws DiagError MINIDUMP_INVALID naming
 * the structure that was bad; any other failure inside is turned into that same error, so a
 * hostile file can only ever produce a typed error.
 */
export function readMinidump(bytes: Uint8Array): Minidump {
  try {
    const view = new ByteView(bytes);
    const dump = parse(view);
    for (const regions of memoryLists(view, dump)) for (const region of regions) dump.memory.push(region);
    return dump;
  } catch (error) {
    throw typed(error);
  }
}

/** Memory regions read between two turns of the paced reader: a few ms of parsing on a slow machine. */
const REGIONS_PER_TURN = 512;

/**
 * readMinidump that calls `pacer` every few hundred memory regions: a full-memory dump lists tens
 * of thousands, and reading them in one go would hold the main thread for tens of ms. The same result.
 */
export async function readMinidumpPaced(bytes: Uint8Array, pacer: Pacer): Promise<Minidump> {
  try {
    const view = new ByteView(bytes);
    const dump = parse(view);
    for (const regions of memoryLists(view, dump)) {
      let read = 0;
      for (const region of regions) {
        dump.memory.push(region);
        if (++read % REGIONS_PER_TURN !== 0) continue;
        const pause = pacer();
        if (pause) await pause;
      }
    }
    return dump;
  } catch (error) {
    throw typed(error);
  }
}

function typed(error: unknown): DiagError {
  return error instanceof DiagError ? error : malformed(error instanceof Error ? error.message : String(error));
}

/** The MemoryList's regions, then the Memory64List's. */
function memoryLists(view: ByteView, dump: Minidump): Array<Iterable<MemoryRegion>> {
  const memoryStream = dump.streams.find((s) => s.type === StreamType.memoryList);
  const memory64Stream = dump.streams.find((s) => s.type === StreamType.memory64List);
  return [...(memoryStream ? [memoryListRegions(view, memoryStream)] : []), ...(memory64Stream ? [memory64ListRegions(view, memory64Stream)] : [])];
}

/** As readMinidump, but a bad dump is a value: for callers inside the host app. */
export function tryReadMinidump(bytes: Uint8Array): { ok: true; dump: Minidump } | { ok: false; error: DiagError } {
  try {
    return { ok: true, dump: readMinidump(bytes) };
  } catch (error) {
    return { ok: false, error: error instanceof DiagError ? error : malformed(String(error)) };
  }
}

/** Everything but the memory regions. */
function parse(view: ByteView): Minidump {
  const header = readHeader(view);
  const streams = readDirectory(view, header);
  const first = (type: number): StreamEntry | undefined => streams.find((s) => s.type === type);
  const systemStream = first(StreamType.systemInfo);
  const systemInfo = systemStream ? readSystemInfo(view, systemStream) : null;
  const exceptionStream = first(StreamType.exception);
  const moduleStream = first(StreamType.moduleList);
  const threadStream = first(StreamType.threadList);
  const crashpadStream = first(StreamType.crashpadInfo);
  return {
    header,
    streams,
    exception: exceptionStream ? readException(view, exceptionStream) : null,
    systemInfo,
    modules: moduleStream ? readModules(view, moduleStream, systemInfo?.platformId ?? null) : [],
    threads: threadStream ? readThreads(view, threadStream) : [],
    // Filled by the caller, in one go or paced.
    memory: [],
    crashpad: crashpadStream ? readCrashpadInfo(view, crashpadStream) : null,
  };
}
