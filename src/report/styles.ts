/** The page's stylesheet: light and dark through prefers-color-scheme, and a print layout. */
export const REPORT_CSS = String.raw`
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --focus: #0969da;
  --accent: #0969da; --ok: #1a7f37; --bad: #cf222e;
  --incident: #cf222e; --suppressed: #bc4c00; --recovery: #8250df; --restart: #0969da;
  --trace: #afb8c1; --debug: #8c959f; --info: #54aeff; --warn: #d4a72c; --error: #e5534b; --fatal: #82071e; --unknown: #d0d7de;
  --p50: #54aeff; --p95: #0969da; --p99: #0a3069;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22; --focus: #4493f8;
    --accent: #4493f8; --ok: #3fb950; --bad: #f85149;
    --incident: #f85149; --suppressed: #db6d28; --recovery: #ab7df8; --restart: #4493f8;
    --trace: #484f58; --debug: #6e7681; --info: #2f81f7; --warn: #d29922; --error: #f85149; --fatal: #ff9492; --unknown: #30363d;
    --p50: #79c0ff; --p95: #388bfd; --p99: #1f6feb;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0 auto; max-width: 1040px; padding: 0 20px 40px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: var(--bg); padding: 4px 8px; }
header { border-bottom: 1px solid var(--line); padding: 18px 0 8px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 18px; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
#subtitle, .intro, .note, .empty, .status { color: var(--muted); margin: 4px 0 10px; }
nav ul { list-style: none; padding: 0; margin: 8px 0 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
.headline { font-size: 17px; font-weight: 600; margin: 4px 0 8px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 8px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
code, .log, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
caption { text-align: left; color: var(--muted); padding: 2px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { background: var(--panel); font-weight: 600; }
.hash { font-size: 12px; word-break: break-all; }
.bundles td:first-child, .bundles td:last-child, .outbox-pending td:first-child, .outbox-pending td:nth-child(4) { white-space: nowrap; }
.components td:first-child { min-width: 13em; overflow-wrap: normal; word-break: break-word; }
.verdict { font-weight: 600; }
.verdict.ok, .check-ok { color: var(--ok); }
.verdict.bad, .bad, .check-mismatch, .check-missing, .check-unlisted { color: var(--bad); }
.chart-wrap { overflow-x: auto; }
svg.chart { display: block; width: 100%; height: auto; max-width: 960px; font: 12px system-ui, sans-serif; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .grid, svg.chart .lane { stroke: var(--line); stroke-width: 1; }
svg.chart .axis-label { fill: var(--muted); font-size: 12px; }
svg.chart .lane-label { fill: var(--fg); font-size: 13px; }
svg.chart .bar-label, svg.chart .ref-label { fill: var(--fg); font-size: 12px; }
svg.chart .series { fill: none; stroke: var(--accent); stroke-width: 2; }
svg.chart .ref { stroke-width: 1.5; stroke-dasharray: 6 4; }
.ref-p50 { stroke: var(--ok); } .ref-p95 { stroke: var(--bad); }
.pt { stroke: var(--bg); stroke-width: 1.5; }
.pt:focus { outline: none; stroke: var(--focus); stroke-width: 3; }
.pt-incident { fill: var(--incident); }
.pt-suppressed { fill: none; stroke: var(--suppressed); stroke-width: 2.5; }
.pt-recovery { fill: var(--recovery); }
.pt-sidecar-restart { fill: var(--restart); }
.pt-launch { fill: var(--accent); }
.pt-missing { fill: none; stroke: var(--muted); stroke-width: 2; }
.lvl-trace { fill: var(--trace); } .lvl-debug { fill: var(--debug); } .lvl-info { fill: var(--info); }
.lvl-warn { fill: var(--warn); } .lvl-error { fill: var(--error); } .lvl-fatal { fill: var(--fatal); } .lvl-unknown { fill: var(--unknown); }
.bar-p50 { fill: var(--p50); } .bar-p95 { fill: var(--p95); } .bar-p99 { fill: var(--p99); } .bar-error { fill: var(--error); }
.legend { list-style: none; padding: 0; margin: 4px 0 8px; display: flex; flex-wrap: wrap; gap: 4px 16px; color: var(--muted); font-size: 13px; }
.legend svg { vertical-align: -2px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: end; margin: 6px 0; }
fieldset { border: 1px solid var(--line); border-radius: 6px; margin: 0; padding: 4px 10px 8px; }
legend { color: var(--muted); font-size: 13px; padding: 0 4px; }
.chip { display: inline-block; margin-right: 12px; white-space: nowrap; }
.search label { display: block; color: var(--muted); font-size: 13px; }
input[type=search] { font: inherit; padding: 4px 8px; min-width: 280px; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; }
.log { list-style: none; margin: 0; padding: 6px 0; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; max-height: 560px; overflow: auto; }
.log-line { display: grid; grid-template-columns: 3.5em 4.5em 5.5em 1fr; gap: 0 8px; padding: 1px 10px; }
.log-line[hidden] { display: none; }
.log .ln, .log .time { color: var(--muted); text-align: right; }
.log .text { white-space: pre-wrap; overflow-wrap: anywhere; }
.lvl-badge { font-weight: 600; }
.lvl-text-warn { color: var(--warn); } .lvl-text-error, .lvl-text-fatal { color: var(--bad); } .lvl-text-info { color: var(--accent); }
.notes { color: var(--muted); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --panel: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  .no-print, .skip, nav { display: none !important; }
  .log { max-height: none; overflow: visible; border: none; }
  .log-line { break-inside: avoid; }
  section { break-inside: auto; }
  h2 { break-after: avoid; }
  svg.chart, tr { break-inside: avoid; }
  details > *:not(summary) { display: block; }
}
`;
