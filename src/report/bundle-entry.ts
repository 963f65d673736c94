import { BUNDLE_ENTRIES, type BundleManifest } from '../bundle/manifest.js';
import type { ZipSource } from '../bundle/zip-writer.js';
import { renderBundleReport } from './bundle-report.js';

export type ReportEntryResult = { source: ZipSource; omitted: null } | { source: null; omitted: string };

/**
 * report.html for a bundle being built: rendered from the entries about to be written and their
 * manifest (without report.html itself, which cannot list its own checksum). Pure: no I/O, so it
 * runs wherever the builder runs. It is optional in format v1, so when it would not fit in
 * `roomBytes` (what the size bound leaves after the other entries) it is left out and the reason
 * returned for the manifest's truncation.
 */
export function bundleReportSource(entries: readonly ZipSource[], manifest: BundleManifest, roomBytes: number): ReportEntryResult {
  const bytes = new Map<string, Uint8Array>([[BUNDLE_ENTRIES.manifest, Buffer.from(JSON.stringify(manifest))]]);
  for (const entry of entries) bytes.set(entry.name, Buffer.isBuffer(entry.data) ? entry.data : Buffer.concat([...entry.data()]));
  const html = Buffer.from(renderBundleReport(bytes, { checkedAgainst: 'from the bytes written into this bundle when it was built' }), 'utf8');
  if (html.length > roomBytes) {
    return { source: null, omitted: `report.html left out: its ${html.length} bytes do not fit the ${Math.max(0, roomBytes)} bytes the size bound leaves` };
  }
  return { source: { name: BUNDLE_ENTRIES.report, data: html }, omitted: null };
}
