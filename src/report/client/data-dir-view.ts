/** Page script, part 5: the data dir's report (every bundle by fingerprint, outbox, state). */
export const DATA_DIR_VIEW_SCRIPT = String.raw`
function renderDataDir(d) {
  document.getElementById('subtitle').textContent = d.dataDir + ' · generated ' + fmtTime(d.generatedAt);

  var s = section('bundles', 'Bundles by fingerprint', 'Every bundle in the data dir (filled) and every repeat the crash-loop limiter suppressed (ring), one row per fingerprint: a crash loop is a dense row.');
  var rows = {}, order = [];
  function row(fp, title) {
    var key = fp || '(no incident)';
    if (!rows[key]) { rows[key] = { label: key, title: title, points: [] }; order.push(key); }
    if (title && !rows[key].title) rows[key].title = title;
    return rows[key];
  }
  d.bundles.forEach(function (b) { if (b.createdAt) row(b.fingerprint, b.title).points.push({ time: b.createdAt, bundled: true, label: b.file }); });
  d.occurrences.forEach(function (o) { if (!o.bundled) row(o.fingerprint, o.title).points.push({ time: o.time, bundled: false, label: o.title + ' (suppressed)' }); });
  var chartRows = order.map(function (k) {
    var r = rows[k];
    r.label = r.points.length + '× ' + (r.title || r.label);
    return r;
  });
  var times = [];
  chartRows.forEach(function (r) { r.points.forEach(function (p) { times.push(Date.parse(p.time)); }); });
  if (times.length) {
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [fingerprintChart(chartRows, Math.min.apply(null, times), Math.max.apply(null, times))]));
    s.appendChild(legend([{ shape: 'circle', cls: 'pt-incident', label: 'bundle' }, { shape: 'ring', cls: 'pt-suppressed', label: 'suppressed repeat' }]));
  }
  s.appendChild(d.bundles.length ? table(d.bundles.length + ' bundle(s)', ['Created (UTC)', 'Bundle', 'Fingerprint', 'Incident', 'Bytes'], d.bundles.map(function (b) {
    return [fmtTime(b.createdAt), b.file, b.fingerprint || '-', b.problem ? 'unreadable: ' + b.problem : (b.title || b.kind || 'manual export') + (b.suppressedCount ? ' (+' + b.suppressedCount + ' suppressed)' : ''), fmtBytes(b.bytes)];
  }), 'bundles') : empty('No bundles.'));
  if (d.fingerprints.length) {
    s.appendChild(table('Counters per fingerprint (state)', ['Fingerprint', 'Occurrences', 'Suppressed', 'First (UTC)', 'Last (UTC)'],
      d.fingerprints.map(function (f) { return [f.fingerprint, f.count, f.suppressed, fmtTime(f.firstAt), fmtTime(f.lastAt)]; }), 'num'));
  }

  s = section('outbox', 'Outbox', 'Bundles waiting for upload to Sentry, and those that failed for good.');
  s.appendChild(d.outbox.pending.length ? table(d.outbox.pending.length + ' pending', ['Queued (UTC)', 'Event id', 'Attempts', 'Next attempt (UTC)', 'Last status', 'Last error', 'Bytes'],
    d.outbox.pending.map(function (o) { return [fmtTime(o.createdAt), o.eventId, o.attempts, fmtTime(o.nextAttemptAt), o.lastStatus || '-', o.lastError || '-', fmtBytes(o.bytes)]; }), 'outbox-pending') : empty('Nothing pending.'));
  s.appendChild(d.outbox.failed.length ? table(d.outbox.failed.length + ' failed', ['Failed (UTC)', 'Event id', 'Attempts', 'Status', 'Reason'],
    d.outbox.failed.map(function (o) { return [fmtTime(o.failedAt), o.eventId, o.attempts, o.lastStatus || '-', o.failedReason || '-']; }), 'outbox-failed') : empty('Nothing failed.'));

  s = section('held-back', 'Held back by the delivery budget', 'Occurrences not sent on their own, each counted and carried into its fingerprint\'s next event.');
  s.appendChild(d.heldBack.total ? table(d.heldBack.total + ' held back', ['Fingerprint', 'Held back', 'Why', 'First (UTC)', 'Last (UTC)'],
    d.heldBack.fingerprints.map(function (f) {
      return [f.fingerprint, f.total, Object.keys(f.byReason).map(function (r) { return r + ' ' + f.byReason[r]; }).join(', '), fmtTime(f.firstAt), fmtTime(f.lastAt)];
    }), 'held-back') : empty('Nothing held back.'));

  s = section('crash-dumps', 'Crash dumps dir', 'Crashpad minidumps codex-diag deleted to keep the app\'s crash dumps dir within its bounds (count, bytes, age) or because they were bundled, across runs.');
  var cd = d.crashDumps;
  s.appendChild(cd ? table(cd.deletedTotal + ' deleted (' + fmtBytes(cd.deletedBytes) + '), ' + cd.bundled + ' bundled', ['Reason', 'Deleted'],
    ['bundled', 'age', 'count', 'bytes'].map(function (r) { return [r, cd.deleted[r]]; }), 'crash-dumps') : empty('No crash dumps dir tended.'));

  s = section('state', 'State');
  if (d.stateProblem) s.appendChild(el('p', { 'class': 'verdict bad', text: d.stateProblem }));
  s.appendChild(d.state ? table(null, ['Field', 'Value'], d.state, 'kv') : empty('No state file.'));

  s = section('startup', 'Startup history', 'Time from app start to a ready renderer, per launch, with p50 and p95.');
  if (!d.startup.launches.length) s.appendChild(empty('No launches recorded.'));
  else {
    s.appendChild(el('div', { 'class': 'chart-wrap' }, [startupChart(d.startup)]));
    s.appendChild(el('details', null, [el('summary', { text: 'Launches as a table (' + d.startup.launches.length + ')' }),
      table(null, ['#', 'Started (UTC)', 'Ready after'], d.startup.launches.map(function (l, n) { return [n + 1, fmtTime(l.startedAt), l.latencyMs === null ? 'never ready' : fmtMs(l.latencyMs)]; }))]));
  }
}
`;
