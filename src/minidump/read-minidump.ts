import { DiagError } from '../errors.js';
import { ByteView, malformed } from './byte-view.js';
import { readCrashpadInfo } from './crashpad-info.js';
import { StreamType } from './format.js';
import { readModules } from './modules.js';
import { readDirectory, readException, readHeader, readMemory64List, readMemoryList, readSystemInfo, readThreads } from './streams.js';
import type { Minidump, StreamEntry } from './types.js';

/**
 * Reads a minidump's structure (no copy of its bytes). Throws DiagError MINIDUMP_INVALID naming
 * the structure that was bad; any other failure inside is turned into that same error, so a
 * hostile file can only ever produce a typed error.
 */
export function readMinidump(bytes: Uint8Array): Minidump {
  try {
    return parse(new ByteView(bytes));
  } catch (error) {
    if (error instanceof DiagError) throw error;
    throw malformed(error instanceof Error ? error.message : String(error));
  }
}

/** As readMinidump, but a bad dump is a value: for callers inside the host app. */
export function tryReadMinidump(bytes: Uint8Array): { ok: true; dump: Minidump } | { ok: false; error: DiagError } {
  try {
    return { ok: true, dump: readMinidump(bytes) };
  } catch (error) {
    return { ok: false, error: error instanceof DiagError ? error : malformed(String(error)) };
  }
}

function parse(view: ByteView): Minidump {
  const header = readHeader(view);
  const streams = readDirectory(view, header);
  const first = (type: number): StreamEntry | undefined => streams.find((s) => s.type === type);
  const systemStream = first(StreamType.systemInfo);
  const systemInfo = systemStream ? readSystemInfo(view, systemStream) : null;
  const exceptionStream = first(StreamType.exception);
  const moduleStream = first(StreamType.moduleList);
  const threadStream = first(StreamType.threadList);
  const memoryStream = first(StreamType.memoryList);
  const memory64Stream = first(StreamType.memory64List);
  const crashpadStream = first(StreamType.crashpadInfo);
  return {
    header,
    streams,
    exception: exceptionStream ? readException(view, exceptionStream) : null,
    systemInfo,
    modules: moduleStream ? readModules(view, moduleStream, systemInfo?.platformId ?? null) : [],
    threads: threadStream ? readThreads(view, threadStream) : [],
    memory: [
      ...(memoryStream ? readMemoryList(view, memoryStream) : []),
      ...(memory64Stream ? readMemory64List(view, memory64Stream) : []),
    ],
    crashpad: crashpadStream ? readCrashpadInfo(view, crashpadStream) : null,
  };
}
