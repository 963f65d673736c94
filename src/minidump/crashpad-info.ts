import { malformed, type ByteView } from './byte-view.js';
import { AnnotationType, CRASHPAD_INFO_MIN_SIZE } from './format.js';
import { readUtf8String } from './strings.js';
import type { Annotation, CrashpadInfo, FileRange, StreamEntry } from './types.js';

const MAX_ANNOTATIONS = 1 << 16;

/**
 * Crashpad's info stream (MinidumpCrashpadInfo): process-wide simple annotations (`prod`, `ver`, ...)
 * and, per module, list annotations, simple annotations and annotation objects. Chromium's crash keys
 * (`ptype`, `pid`, `url-chunk`, `switch-N`, ...) are annotation objects of the main module.
 */
export function readCrashpadInfo(view: ByteView, stream: StreamEntry): CrashpadInfo {
  if (stream.size < CRASHPAD_INFO_MIN_SIZE) throw malformed(`Crashpad info stream is ${stream.size} bytes, expected at least ${CRASHPAD_INFO_MIN_SIZE}`);
  const at = stream.rva;
  const annotations: Annotation[] = [];
  readDictionary(view, optionalLocation(view, at + 36, 'Crashpad simple annotations'), 'process', annotations);
  const modules = optionalLocation(view, at + 44, 'Crashpad module list');
  if (modules) {
    const count = boundedCount(view, modules, 12, 'Crashpad module list');
    for (let i = 0; i < count; i++) {
      const link = optionalLocation(view, modules.rva + 4 + i * 12 + 4, 'Crashpad module info');
      if (link) readModuleInfo(view, link, annotations);
    }
  }
  return { reportId: uuid(view, at + 4), clientId: uuid(view, at + 20), annotations };
}

function readModuleInfo(view: ByteView, info: FileRange, out: Annotation[]): void {
  if (info.size < 28) throw malformed(`Crashpad module info is ${info.size} bytes, expected at least 28`);
  const list = optionalLocation(view, info.rva + 4, 'Crashpad list annotations');
  if (list) {
    const count = boundedCount(view, list, 4, 'Crashpad list annotations');
    for (let i = 0; i < count; i++) {
      const value = readUtf8String(view, view.u32(list.rva + 4 + i * 4, 'list annotation offset'), 'list annotation');
      out.push({ key: `list-${i}`, value: trimNul(value.text), source: 'module-list', keyLocation: null, valueLocation: value.location });
    }
  }
  readDictionary(view, optionalLocation(view, info.rva + 12, 'Crashpad module simple annotations'), 'module', out);
  const objects = optionalLocation(view, info.rva + 20, 'Crashpad annotation objects');
  if (objects) {
    const count = boundedCount(view, objects, 12, 'Crashpad annotation objects');
    for (let i = 0; i < count; i++) {
      const entry = objects.rva + 4 + i * 12;
      const name = readUtf8String(view, view.u32(entry, 'annotation name offset'), 'annotation name');
      const type = view.u16(entry + 4, 'annotation type');
      const value = readUtf8String(view, view.u32(entry + 8, 'annotation value offset'), 'annotation value');
      out.push({
        key: trimNul(name.text),
        // Non-string objects are shown as hex: their bytes are the app's own structures.
        value: type === AnnotationType.string ? trimNul(value.text) : Buffer.from(view.slice(value.location.rva, value.location.size, 'annotation value')).toString('hex'),
        source: 'module-object',
        keyLocation: name.location,
        valueLocation: value.location,
        type,
      });
    }
  }
}

function readDictionary(view: ByteView, dictionary: FileRange | null, source: Annotation['source'], out: Annotation[]): void {
  if (!dictionary) return;
  const count = boundedCount(view, dictionary, 8, 'Crashpad annotation dictionary');
  for (let i = 0; i < count; i++) {
    const entry = dictionary.rva + 4 + i * 8;
    const key = readUtf8String(view, view.u32(entry, 'annotation key offset'), 'annotation key');
    const value = readUtf8String(view, view.u32(entry + 4, 'annotation value offset'), 'annotation value');
    out.push({ key: trimNul(key.text), value: trimNul(value.text), source, keyLocation: key.location, valueLocation: value.location });
  }
}

function optionalLocation(view: ByteView, at: number, what: string): FileRange | null {
  const size = view.u32(at, `${what} size`);
  const rva = view.u32(at + 4, `${what} offset`);
  if (size === 0 && rva === 0) return null;
  view.check(rva, size, what);
  return { size, rva };
}

function boundedCount(view: ByteView, range: FileRange, entrySize: number, what: string): number {
  const count = view.u32(range.rva, `${what} count`);
  if (count > MAX_ANNOTATIONS || 4 + count * entrySize > range.size) {
    throw malformed(`${what} holds ${count} entries, more than its ${range.size} bytes can`);
  }
  return count;
}

function trimNul(text: string): string {
  const end = text.indexOf('\0');
  return end === -1 ? text : text.slice(0, end);
}

/** A UUID as Crashpad's struct holds it: data_1 (u32), data_2, data_3 (u16) as little-endian integers, then 8 bytes. */
function uuid(view: ByteView, at: number): string {
  const rest = Buffer.from(view.slice(at + 8, 8, 'Crashpad UUID')).toString('hex');
  const field = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return `${field(view.u32(at, 'Crashpad UUID'), 8)}-${field(view.u16(at + 4, 'Crashpad UUID'), 4)}-${field(view.u16(at + 6, 'Crashpad UUID'), 4)}-${rest.slice(0, 4)}-${rest.slice(4)}`;
}
