import { bundleReportData, type BundleModelOptions } from './bundle-model.js';
import { renderReportPage } from './page.js';

/** report.html of one bundle, from its entries (name → bytes); pure, so it also runs in a worker. */
export function renderBundleReport(entries: ReadonlyMap<string, Uint8Array>, options: BundleModelOptions): string {
  const data = bundleReportData(entries, options);
  const what = data.incident ? data.incident.title ?? data.incident.kind : 'manual export';
  return renderReportPage(data, { title: `codex-diag bundle: ${what}`, source: 'Every value comes from the redacted entries of the bundle.' });
}
