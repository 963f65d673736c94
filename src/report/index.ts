export { renderBundleReport } from './bundle-report.js';
export { bundleReportData, type BundleModelOptions } from './bundle-model.js';
export { dataDirReportData, type DataDirModelOptions } from './data-dir-model.js';
export { renderReportPage, REPORT_CSP, PAGE_SCRIPT } from './page.js';
export { escapeHtml, jsonForScript } from './escape.js';
export type * from './report-data.js';
export { writeBundleReport, writeDataDirReport, defaultBundleReportPath, defaultDataDirReportPath, type WrittenReport } from './write-report.js';
