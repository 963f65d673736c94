import { malformed, type ByteView } from './byte-view.js';
import {
  CpuArchitecture,
  DIRECTORY_ENTRY_SIZE,
  EXCEPTION_STREAM_SIZE,
  HEADER_SIZE,
  MEMORY_DESCRIPTOR64_SIZE,
  MEMORY_DESCRIPTOR_SIZE,
  MINIDUMP_SIGNATURE,
  MINIDUMP_VERSION,
  Platform,
  SYSTEM_INFO_SIZE,
  THREAD_SIZE,
} from './format.js';
import { readUtf16String } from './strings.js';
import type { ExceptionInfo, FileRange, MemoryRegion, MinidumpHeader, StreamEntry, SystemInfo, ThreadInfo } from './types.js';

/** More entries than this in one list is a corrupt count, not a real process. */
const MAX_ENTRIES = 1 << 20;

export function readHeader(view: ByteView): MinidumpHeader {
  if (view.length < HEADER_SIZE) throw malformed(`the file is ${view.length} bytes, shorter than a minidump header (${HEADER_SIZE})`);
  const signature = view.u32(0, 'header signature');
  if (signature !== MINIDUMP_SIGNATURE) throw malformed(`bad signature 0x${signature.toString(16)} (expected MDMP)`);
  const version = view.u32(4, 'header version');
  if ((version & 0xffff) !== MINIDUMP_VERSION) throw malformed(`unknown format version 0x${(version & 0xffff).toString(16)}`);
  return {
    version,
    streamCount: view.u32(8, 'stream count'),
    directoryRva: view.u32(12, 'stream directory offset'),
    timeDateStamp: view.u32(20, 'header time'),
    flags: view.u64(24, 'header flags'),
  };
}

export function readDirectory(view: ByteView, header: MinidumpHeader): StreamEntry[] {
  const { streamCount, directoryRva } = header;
  if (streamCount > MAX_ENTRIES) throw malformed(`stream count ${streamCount} is implausible`);
  view.check(directoryRva, streamCount * DIRECTORY_ENTRY_SIZE, 'stream directory');
  const streams: StreamEntry[] = [];
  for (let i = 0; i < streamCount; i++) {
    const at = directoryRva + i * DIRECTORY_ENTRY_SIZE;
    const entry = { type: view.u32(at, 'stream type'), size: view.u32(at + 4, 'stream size'), rva: view.u32(at + 8, 'stream offset') };
    // Unused entries (type 0) may point anywhere; every other stream must lie inside the file.
    if (entry.type !== 0) view.check(entry.rva, entry.size, `stream 0x${entry.type.toString(16)}`);
    streams.push(entry);
  }
  return streams;
}

/** A list stream: a count then fixed-size entries, all inside the stream. */
function listEntries(view: ByteView, stream: StreamEntry, countSize: 4 | 8, entrySize: number, what: string): { count: number; first: number } {
  const count = countSize === 4 ? view.u32(stream.rva, `${what} count`) : Number(view.u64(stream.rva, `${what} count`));
  if (count > MAX_ENTRIES) throw malformed(`${what} count ${count} is implausible`);
  const first = stream.rva + (countSize === 4 ? 4 : 16);
  if (first - stream.rva + count * entrySize > stream.size) {
    throw malformed(`${what} holds ${count} entries, more than its stream (${stream.size} bytes) can`);
  }
  return { count, first };
}

function location(view: ByteView, at: number, what: string): FileRange {
  const range = { size: view.u32(at, `${what} size`), rva: view.u32(at + 4, `${what} offset`) };
  view.check(range.rva, range.size, what);
  return range;
}

export function readException(view: ByteView, stream: StreamEntry): ExceptionInfo {
  if (stream.size < EXCEPTION_STREAM_SIZE) throw malformed(`exception stream is ${stream.size} bytes, expected ${EXCEPTION_STREAM_SIZE}`);
  const at = stream.rva;
  const count = Math.min(view.u32(at + 32, 'exception parameter count'), 15);
  const parameters: bigint[] = [];
  for (let i = 0; i < count; i++) parameters.push(view.u64(at + 40 + i * 8, 'exception parameter'));
  return {
    threadId: view.u32(at, 'exception thread id'),
    code: view.u32(at + 8, 'exception code'),
    flags: view.u32(at + 12, 'exception flags'),
    address: view.u64(at + 24, 'exception address'),
    parameters,
    context: location(view, at + 160, 'exception thread context'),
  };
}

const CPU_NAMES: Record<number, string> = {
  [CpuArchitecture.x86]: 'x86',
  [CpuArchitecture.arm]: 'arm',
  [CpuArchitecture.amd64]: 'amd64',
  [CpuArchitecture.arm64]: 'arm64',
  [CpuArchitecture.arm64Old]: 'arm64',
};

const OS_NAMES: Record<number, string> = {
  [Platform.windows]: 'Windows NT',
  [Platform.macos]: 'Mac OS X',
  [Platform.ios]: 'iOS',
  [Platform.linux]: 'Linux',
  [Platform.android]: 'Android',
  [Platform.fuchsia]: 'Fuchsia',
};

export function readSystemInfo(view: ByteView, stream: StreamEntry): SystemInfo {
  if (stream.size < SYSTEM_INFO_SIZE) throw malformed(`system info stream is ${stream.size} bytes, expected ${SYSTEM_INFO_SIZE}`);
  const at = stream.rva;
  const cpuArchitecture = view.u16(at, 'cpu architecture');
  const platformId = view.u32(at + 20, 'platform id');
  const csdRva = view.u32(at + 24, 'service pack string offset');
  let csdVersion: string | null = null;
  if (csdRva !== 0) csdVersion = readUtf16String(view, csdRva, 'service pack string').text;
  return {
    cpuArchitecture,
    cpu: CPU_NAMES[cpuArchitecture] ?? `unknown (0x${cpuArchitecture.toString(16)})`,
    processors: view.u8(at + 6, 'processor count'),
    platformId,
    os: OS_NAMES[platformId] ?? `unknown (0x${platformId.toString(16)})`,
    osVersion: `${view.u32(at + 8, 'os major')}.${view.u32(at + 12, 'os minor')}.${view.u32(at + 16, 'os build')}`,
    csdVersion,
  };
}

export function readThreads(view: ByteView, stream: StreamEntry): ThreadInfo[] {
  const { count, first } = listEntries(view, stream, 4, THREAD_SIZE, 'thread list');
  const threads: ThreadInfo[] = [];
  for (let i = 0; i < count; i++) {
    const at = first + i * THREAD_SIZE;
    threads.push({
      id: view.u32(at, 'thread id'),
      stackStart: view.u64(at + 24, 'thread stack start'),
      stack: location(view, at + 32, 'thread stack'),
      context: location(view, at + 40, 'thread context'),
    });
  }
  return threads;
}

export function readMemoryList(view: ByteView, stream: StreamEntry): MemoryRegion[] {
  return [...memoryListRegions(view, stream)];
}

/** The MemoryList's regions one at a time (a paced reader gives the event loop a turn between them). */
export function* memoryListRegions(view: ByteView, stream: StreamEntry): Generator<MemoryRegion> {
  const { count, first } = listEntries(view, stream, 4, MEMORY_DESCRIPTOR_SIZE, 'memory list');
  for (let i = 0; i < count; i++) {
    const at = first + i * MEMORY_DESCRIPTOR_SIZE;
    yield { start: view.u64(at, 'memory region start'), data: location(view, at + 8, 'memory region') };
  }
}

/** Memory64List: the regions' bytes follow each other from one base offset. */
export function readMemory64List(view: ByteView, stream: StreamEntry): MemoryRegion[] {
  return [...memory64ListRegions(view, stream)];
}

/** The Memory64List's regions one at a time. */
export function* memory64ListRegions(view: ByteView, stream: StreamEntry): Generator<MemoryRegion> {
  const { count } = listEntries(view, stream, 8, MEMORY_DESCRIPTOR64_SIZE, 'memory64 list');
  let rva = Number(view.u64(stream.rva + 8, 'memory64 base offset'));
  for (let i = 0; i < count; i++) {
    const at = stream.rva + 16 + i * MEMORY_DESCRIPTOR64_SIZE;
    const size = Number(view.u64(at + 8, 'memory64 region size'));
    view.check(rva, size, 'memory64 region');
    yield { start: view.u64(at, 'memory64 region start'), data: { rva, size } };
    rva += size;
  }
}
