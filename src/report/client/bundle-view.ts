/** Page script, part 4: the sections of one bundle's report. */
export const BUNDLE_VIEW_SCRIPT = String.raw`
function renderBundle(d) {
  var header = document.getElementById('subtitle');
  header.textContent = (d.fileName ? d.fileName + ' · ' : '') + 'created ' + fmtTime(d.createdAt) +
    (d.app ? ' · ' + d.app.name + ' ' + d.app.version : '') + (d.platform ? ' · ' + d.platform.os + ' ' + d.platform.arch : '');

  var s = section('incident', 'Incident');
  if (!d.incident) {
    s.appendChild(empty('No incident: this bundle was exported by hand.'));
  } else {
    var i = d.incident;
    s.appendChild(el('p', { 'class': 'headline', text: i.title || i.kind }));
    s.appendChild(dl([
      ['Kind', i.kind], ['Occurred', fmtTime(i.occurredAt)], ['Fingerprint', i.fingerprint],
      ['Suppressed before', i.suppressedCount > 0 ? i.suppressedCount + ' earlier occurrence(s) of this fingerprint were not bundled (crash-loop limiter)' : null]
    ]));
    s.appendChild(el('h3', { text: 'Fingerprint, component by component' }));
    s.appendChild(el('p', { 'class': 'intro', text: 'The fingerprint is the hash of these components: incidents with the same components are one group (one Sentry issue), whatever differs in the detail that was normalised away.' }));
    s.appendChild(table(null, ['Component', 'Means', 'From the incident', 'Normalised away'], i.components.map(function (c) {
      return [el('code', { text: c.component }), c.meaning, c.from || '-', c.normalised.length ? c.normalised.join('; ') : '-'];
    }), 'components'));
    if (i.context.length) {
      s.appendChild(el('h3', { text: 'Context (never splits a group)' }));
      s.appendChild(table(null, ['Field', 'Value'], i.context, 'kv'));
    }
  }

  s = section('timeline', 'Timeline', 'Incidents, suppressed repeats, renderer recoveries and sidecar restarts as the log tail records them, above the log lines per level (UTC).');
  if (!d.timeline.start) s.appendChild(empty('No timed log lines or events.'));
  else {
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [timelineChart(d.timeline)]));
    s.appendChild(legend([
      { shape: 'circle', cls: 'pt-incident', label: 'incident' }, { shape: 'ring', cls: 'pt-suppressed', label: 'suppressed repeat' },
      { shape: 'diamond', cls: 'pt-recovery', label: 'renderer recovery' }, { shape: 'square', cls: 'pt-sidecar-restart', label: 'sidecar restart' }
    ].concat(LEVEL_ORDER.map(function (lv) { return { shape: 'bar', cls: 'lvl lvl-' + lv, label: lv }; }))));
    if (d.timeline.untimedLines) s.appendChild(el('p', { 'class': 'note', text: d.timeline.untimedLines + ' line(s) carry no time and are not on the axis.' }));
    if (d.timeline.events.length) {
      s.appendChild(el('details', null, [el('summary', { text: 'Events as a table (' + d.timeline.events.length + ')' }),
        table(null, ['Time (UTC)', 'Type', 'What'], d.timeline.events.map(function (e) { return [fmtTime(e.time), e.type, e.label]; }))]));
    }
  }

  s = section('logs', 'Log tail', 'The redacted lines this bundle carries, oldest first.');
  s.appendChild(d.logs.length ? logView(d.logs) : empty('No log lines.'));

  s = section('startup', 'Startup latency', 'Time from app start to a ready renderer, per launch (state.json), with p50 and p95 across launches.');
  if (!d.startup.launches.length) s.appendChild(empty('No launches recorded.'));
  else {
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [startupChart(d.startup)]));
    s.appendChild(el('details', null, [el('summary', { text: 'Launches as a table (' + d.startup.launches.length + ')' }),
      table(null, ['#', 'Started (UTC)', 'Ready after'], d.startup.launches.map(function (l, n) { return [n + 1, fmtTime(l.startedAt), l.latencyMs === null ? 'never ready' : fmtMs(l.latencyMs)]; }))]));
  }

  s = section('metrics', 'Request metrics', 'Sidecar request latency and error rate per method over the rolling window (metrics.json).');
  if (!d.metrics || !d.metrics.methods.length) s.appendChild(empty('No request metrics in this bundle.'));
  else {
    var m = d.metrics.methods;
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [barChart('Request latency per method', m.length + ' methods, p50, p95 and p99', m,
      [{ key: 'p50', label: 'p50', cls: 'bar-p50' }, { key: 'p95', label: 'p95', cls: 'bar-p95' }, { key: 'p99', label: 'p99', cls: 'bar-p99' }], fmtMs)]));
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [barChart('Error rate per method', m.length + ' methods', m,
      [{ key: 'errorRate', label: 'errors', cls: 'bar-error' }], fmtPct, Math.max(0.1, niceMax(Math.max.apply(null, m.map(function (r) { return r.errorRate; })))))]));
    s.appendChild(table('Per method' + (d.metrics.windowMs ? ' (window ' + Math.round(d.metrics.windowMs / 1000) + ' s)' : ''), ['Method', 'Requests', 'Error rate', 'p50', 'p95', 'p99', 'max'],
      m.map(function (r) { return [r.method, r.count, fmtPct(r.errorRate), fmtMs(r.p50), fmtMs(r.p95), fmtMs(r.p99), fmtMs(r.max)]; }), 'num'));
  }

  s = section('system', 'System');
  s.appendChild(d.system.length ? table(null, ['Field', 'Value'], d.system, 'kv') : empty('No system.json.'));

  s = section('redaction', 'Redaction', 'What the redactor replaced before anything entered the bundle, per rule.');
  s.appendChild(d.redaction.length ? table(null, ['Rule', 'Replacements'], d.redaction, 'num') : empty('Nothing needed redacting.'));
  if (d.truncation.length) s.appendChild(el('ul', { 'class': 'notes' }, d.truncation.map(function (t) { return el('li', { text: t }); })));

  s = section('integrity', 'Integrity', 'Every entry listed in manifest.json, its size and sha256 recomputed ' + d.integrity.checkedAgainst + '.');
  var bad = d.integrity.rows.filter(function (r) { return r.status !== 'ok'; }).length + d.integrity.problems.length;
  s.appendChild(el('p', { id: 'integrity-verdict', 'class': bad ? 'verdict bad' : 'verdict ok', text: bad ? bad + ' problem(s)' : 'All ' + d.integrity.rows.length + ' entries match the manifest.' }));
  s.appendChild(table(null, ['Entry', 'Bytes', 'sha256', 'Check'], d.integrity.rows.map(function (r) {
    return [r.path, r.bytes === null ? '-' : r.bytes, el('code', { 'class': 'hash', text: r.sha256 || '-' }), el('span', { 'class': 'check-' + r.status, text: r.status + (r.detail ? ': ' + r.detail : '') })];
  }), 'integrity'));
  if (d.integrity.problems.length) s.appendChild(el('ul', { 'class': 'notes bad' }, d.integrity.problems.map(function (p) { return el('li', { text: p }); })));
}
`;
