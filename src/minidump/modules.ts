import { malformed, type ByteView } from './byte-view.js';
import { CodeViewSignature, MODULE_SIZE, Platform } from './format.js';
import { readUtf16String, type TextLocation } from './strings.js';
import type { ModuleInfo, StreamEntry } from './types.js';

/** A CodeView record bigger than this is corrupt (a PDB path is at most a few hundred bytes). */
const MAX_CV_BYTES = 64 * 1024;

export function readModules(view: ByteView, stream: StreamEntry, platformId: number | null): ModuleInfo[] {
  const count = view.u32(stream.rva, 'module list count');
  if (4 + count * MODULE_SIZE > stream.size) {
    throw malformed(`module list holds ${count} entries, more than its stream (${stream.size} bytes) can`);
  }
  const modules: ModuleInfo[] = [];
  for (let i = 0; i < count; i++) {
    const at = stream.rva + 4 + i * MODULE_SIZE;
    const size = view.u32(at + 8, 'module size');
    const timeDateStamp = view.u32(at + 16, 'module time');
    const name = readUtf16String(view, view.u32(at + 20, 'module name offset'), 'module name');
    const cvSize = view.u32(at + 76, 'module CodeView size');
    const cvRva = view.u32(at + 80, 'module CodeView offset');
    const ids = cvSize === 0 ? null : readCodeView(view, cvRva, cvSize);
    modules.push({
      base: view.u64(at, 'module base'),
      size,
      timeDateStamp,
      name: name.text,
      nameLocation: name.location,
      // Windows images are found by timestamp and size; ELF and Mach-O by their build id or UUID.
      codeId: platformId === Platform.windows ? `${hex8(timeDateStamp)}${size.toString(16)}` : (ids?.codeId ?? null),
      debugId: ids?.debugId ?? null,
      debugFile: ids?.debugFile ?? null,
      debugFileLocation: ids?.debugFileLocation ?? null,
    });
  }
  return modules;
}

interface CodeViewIds {
  codeId: string | null;
  debugId: string;
  debugFile: string | null;
  debugFileLocation: TextLocation | null;
}

function readCodeView(view: ByteView, rva: number, size: number): CodeViewIds | null {
  if (size > MAX_CV_BYTES) throw malformed(`module CodeView record is ${size} bytes`);
  view.check(rva, size, 'module CodeView record');
  if (size < 4) return null;
  const signature = view.u32(rva, 'CodeView signature');
  if (signature === CodeViewSignature.pdb70 && size >= 24) {
    // GUID, age, then the PDB file name (NUL-terminated).
    const guid = view.slice(rva + 4, 16, 'CodeView GUID');
    const age = view.u32(rva + 20, 'CodeView age');
    const nameBytes = view.slice(rva + 24, size - 24, 'CodeView file name');
    const end = nameBytes.indexOf(0);
    const nameLength = end === -1 ? nameBytes.length : end;
    return {
      // Crashpad writes a Mach-O UUID as a PDB70 GUID: the UUID is the code id there.
      codeId: Buffer.from(guid).toString('hex'),
      debugId: `${guidText(guid)}${age.toString(16).toUpperCase()}`,
      debugFile: Buffer.from(nameBytes.subarray(0, nameLength)).toString('utf8'),
      debugFileLocation: { rva: rva + 24, size: nameLength },
    };
  }
  if (signature === CodeViewSignature.elf) {
    const buildId = view.slice(rva + 4, size - 4, 'ELF build id');
    // Breakpad's rule: the first 16 bytes of the build id (zero-padded) read as a GUID, age 0.
    const guid = new Uint8Array(16);
    guid.set(buildId.subarray(0, 16));
    return { codeId: Buffer.from(buildId).toString('hex'), debugId: `${guidText(guid)}0`, debugFile: null, debugFileLocation: null };
  }
  return null;
}

/** A GUID's fields as Breakpad prints them: data1 (u32), data2, data3 (u16) little-endian, then 8 bytes. */
function guidText(guid: Uint8Array): string {
  const le = (from: number, to: number) => Buffer.from(guid.subarray(from, to)).reverse().toString('hex');
  return `${le(0, 4)}${le(4, 6)}${le(6, 8)}${Buffer.from(guid.subarray(8, 16)).toString('hex')}`.toUpperCase();
}

function hex8(n: number): string {
  return n.toString(16).toUpperCase().padStart(8, '0');
}

/** The module whose image holds `address`, if any. */
export function moduleAt(modules: readonly ModuleInfo[], address: bigint): ModuleInfo | null {
  for (const module of modules) {
    if (address >= module.base && address < module.base + BigInt(module.size)) return module;
  }
  return null;
}
