import { createHash } from 'node:crypto';
import { BUNDLE_VIEW_SCRIPT } from './client/bundle-view.js';
import { CHARTS_SCRIPT } from './client/charts.js';
import { DATA_DIR_VIEW_SCRIPT } from './client/data-dir-view.js';
import { DOM_SCRIPT } from './client/dom.js';
import { LOG_VIEW_SCRIPT } from './client/log-view.js';
import { escapeHtml, jsonForScript } from './escape.js';
import type { ReportData } from './report-data.js';
import { REPORT_CSS } from './styles.js';

/** Entry of the page script: read the embedded JSON, draw the view, list the sections. */
const MAIN_SCRIPT = String.raw`
function buildToc() {
  var nav = document.getElementById('toc');
  var list = el('ul');
  Array.prototype.forEach.call(document.querySelectorAll('main > section'), function (s) {
    var h = s.querySelector('h2');
    list.appendChild(el('li', null, [el('a', { href: '#' + s.id, text: h ? h.textContent : s.id })]));
  });
  nav.appendChild(list);
}
var source = document.getElementById('report-data');
var data = null;
try { data = JSON.parse(source.textContent); } catch (e) { data = null; }
if (!data || (data.kind !== 'bundle' && data.kind !== 'data-dir')) {
  document.getElementById('main').appendChild(empty('This report holds no readable data.'));
} else {
  if (data.kind === 'bundle') renderBundle(data); else renderDataDir(data);
  buildToc();
}
document.documentElement.setAttribute('data-ready', 'true');
`;

/** The whole page script: one IIFE, the same bytes for every report, so its CSP hash is too. */
export const PAGE_SCRIPT = `(function () {\n'use strict';\n${DOM_SCRIPT}${CHARTS_SCRIPT}${LOG_VIEW_SCRIPT}${BUNDLE_VIEW_SCRIPT}${DATA_DIR_VIEW_SCRIPT}${MAIN_SCRIPT}})();\n`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The Content-Security-Policy: nothing may load from anywhere (default-src 'none'); only this
 * page's own script and stylesheet run, pinned by their hashes. A log line that somehow became
 * markup could neither run a script nor fetch anything.
 */
export const REPORT_CSP = [
  "default-src 'none'",
  `script-src ${cspHash(PAGE_SCRIPT)}`,
  `style-src ${cspHash(REPORT_CSS)}`,
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

export interface PageOptions {
  title: string;
  /** Where the data came from, for the footer. */
  source: string;
}

/** One self-contained HTML file: markup, style, script and the data as inert JSON. */
export function renderReportPage(data: ReportData, options: PageOptions): string {
  const title = escapeHtml(options.title);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${title}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<a class="skip" href="#main">Skip to the report</a>',
    `<header><h1>${title}</h1><p id="subtitle"></p><nav id="toc" aria-label="Sections"></nav></header>`,
    '<main id="main" tabindex="-1"><noscript><p>This report draws itself with the script inside this file; allow scripts for this file to see it. The data is in the application/json element at the end of the file.</p></noscript></main>',
    `<footer>codex-diag report: one self-contained file that loads nothing from the network. ${escapeHtml(options.source)} Times are UTC.</footer>`,
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>${PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
