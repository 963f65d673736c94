import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { inspectBundle } from '../bundle/inspect.js';
import { BUNDLE_ENTRIES } from '../bundle/manifest.js';
import type { Redactor } from '../bundle/redactor.js';
import { DiagError, errnoCode } from '../errors.js';
import { AtomicWriter } from '../fs/atomic-write.js';
import { renderBundleReport } from './bundle-report.js';
import { dataDirReportData } from './data-dir-model.js';
import { renderReportPage } from './page.js';

export interface WrittenReport {
  path: string;
  bytes: number;
}

/** Default output of a bundle's report: beside the bundle, `<name>.report.html`. */
export function defaultBundleReportPath(bundlePath: string): string {
  return path.join(path.dirname(bundlePath), `${path.basename(bundlePath).replace(/\.zip$/i, '')}.report.html`);
}

/** Default output of the data dir's report: `<dataDir>/report.html`. */
export function defaultDataDirReportPath(dataDir: string): string {
  return path.join(dataDir, 'report.html');
}

/**
 * Reads a bundle the way `inspect` does (never trusting it: bounded inflation, every problem listed)
 * and writes its report. The integrity section shows the entries as read back from the zip.
 */
export async function writeBundleReport(bundlePath: string, out = defaultBundleReportPath(bundlePath)): Promise<WrittenReport> {
  const result = await inspectBundle(bundlePath);
  if (!result.files.has(BUNDLE_ENTRIES.manifest)) {
    throw new DiagError('BUNDLE_INVALID', `${bundlePath}: not a bundle (${result.problems[0] ?? 'no manifest.json'})`);
  }
  const html = renderBundleReport(result.files, {
    fileName: path.basename(bundlePath),
    checkedAgainst: 'from the zip on disk',
    problems: result.problems.filter((p) => !/sha256|bytes, the manifest says/.test(p)),
  });
  return writeHtml(out, html);
}

export interface DataDirReportOptions {
  dataDir: string;
  stateFile?: string;
  redactor: Redactor;
  now?: () => number;
  out?: string;
}

export async function writeDataDirReport(options: DataDirReportOptions): Promise<WrittenReport> {
  try {
    if (!(await fsp.stat(options.dataDir)).isDirectory()) throw new DiagError('BAD_INPUT', `${options.dataDir}: not a directory`);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw new DiagError('NOT_FOUND', `${options.dataDir}: no such data dir`);
    throw error;
  }
  const data = await dataDirReportData({
    dataDir: options.dataDir,
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    redactor: options.redactor,
    now: options.now ?? Date.now,
  });
  const html = renderReportPage(data, {
    title: `codex-diag data dir: ${data.dataDir}`,
    source: 'Read from the data dir (bundle manifests, journal, outbox, state) and passed through the redactor.',
  });
  return writeHtml(options.out ?? defaultDataDirReportPath(options.dataDir), html);
}

async function writeHtml(file: string, html: string): Promise<WrittenReport> {
  const bytes = Buffer.from(html, 'utf8');
  try {
    await new AtomicWriter().write(file, bytes);
  } catch (error) {
    throw new DiagError('IO', `cannot write ${file}: ${errnoCode(error) ?? String(error)}`, { cause: error });
  }
  return { path: file, bytes: bytes.length };
}
