/**
 * Page script, part 2: the charts, as SVG built with DOM calls.
 *
 * Hand-written rather than a chart library: the charts are four simple shapes (time lanes,
 * stacked bars, a line with reference lines, horizontal bars). The small libraries that draw
 * them (uPlot ~50 KB, Chart.js ~200 KB, Frappe Charts ~60 KB minified) would take most or all of
 * the page's size budget, draw on canvas (nothing to read for a screen reader, blurry in print,
 * no per-point titles) or expect a DOM they build with innerHTML, and each would need vetting
 * for network use. This is ~250 lines, prints crisply, follows the page's colours in light and
 * dark, and every mark carries a <title>.
 */
export const CHARTS_SCRIPT = String.raw`
var chartSeq = 0;

function chart(title, description, width, height) {
  chartSeq += 1;
  var id = 'chart-' + chartSeq;
  var root = svgEl('svg', {
    viewBox: '0 0 ' + width + ' ' + height, width: width, height: height,
    role: 'img', 'aria-labelledby': id + '-t ' + id + '-d', 'class': 'chart', preserveAspectRatio: 'xMinYMin meet'
  }, [svgEl('title', { id: id + '-t', text: title }), svgEl('desc', { id: id + '-d', text: description })]);
  return root;
}

function linear(d0, d1, r0, r1) {
  var span = d1 - d0 || 1;
  return function (v) { return r0 + (v - d0) * (r1 - r0) / span; };
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10));
  var steps = [1, 2, 2.5, 5, 10];
  for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
  return 10 * p;
}

function text(parent, x, y, value, cls, anchor) {
  parent.appendChild(svgEl('text', { x: x, y: y, 'class': cls || 'axis-label', 'text-anchor': anchor || 'start', text: value }));
}

function line(parent, x1, y1, x2, y2, cls) {
  parent.appendChild(svgEl('line', { x1: x1, y1: y1, x2: x2, y2: y2, 'class': cls }));
}

/** A mark with a hover title; focusable when the chart has few enough marks to tab through. */
function mark(parent, shape, x, y, cls, label, focusable, kind) {
  var attrs = { 'class': 'pt ' + cls, 'data-kind': kind || cls, tabindex: focusable ? '0' : null, 'aria-label': focusable ? label : null };
  var node;
  if (shape === 'square') { attrs.x = x - 5; attrs.y = y - 5; attrs.width = 10; attrs.height = 10; node = svgEl('rect', attrs); }
  else if (shape === 'diamond') { attrs.points = [x, y - 6, x + 6, y, x, y + 6, x - 6, y].join(' '); node = svgEl('polygon', attrs); }
  else { attrs.cx = x; attrs.cy = y; attrs.r = shape === 'ring' ? 4.5 : 5.5; node = svgEl('circle', attrs); }
  node.appendChild(svgEl('title', { text: label }));
  parent.appendChild(node);
  return node;
}

function timeAxis(parent, scale, startMs, endMs, y, top) {
  line(parent, scale(startMs) - 8, y, scale(endMs) + 8, y, 'axis');
  var ticks = endMs > startMs ? 5 : 1;
  for (var i = 0; i < ticks; i++) {
    var ms = ticks === 1 ? startMs : startMs + (endMs - startMs) * i / (ticks - 1);
    var x = scale(ms);
    line(parent, x, top, x, y + 4, 'grid');
    text(parent, x, y + 17, fmtClock(ms, endMs - startMs), 'axis-label', i === 0 ? 'start' : i === ticks - 1 ? 'end' : 'middle');
  }
}

var LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'unknown'];

var TIMELINE_LANES = [
  { type: 'incident', label: 'Incidents', shape: 'circle' },
  { type: 'suppressed', label: 'Suppressed repeats', shape: 'ring' },
  { type: 'recovery', label: 'Renderer recoveries', shape: 'diamond' },
  { type: 'sidecar-restart', label: 'Sidecar restarts', shape: 'square' }
];

function timelineChart(tl) {
  var W = 960, left = 190, right = 20, laneH = 28, barsH = 110, top = 10;
  var lanesBottom = top + TIMELINE_LANES.length * laneH;
  var barsTop = lanesBottom + 16, barsBottom = barsTop + barsH;
  var H = barsBottom + 30;
  var startMs = Date.parse(tl.start), endMs = Date.parse(tl.end);
  if (endMs === startMs) { startMs -= 30000; endMs += 30000; }
  var svg = chart('Timeline', tl.events.length + ' events and log lines by level between ' + fmtTime(tl.start) + ' and ' + fmtTime(tl.end), W, H);
  var x = linear(startMs, endMs, left + 8, W - right - 8);
  var focusable = tl.events.length <= 60;
  TIMELINE_LANES.forEach(function (lane, i) {
    var y = top + i * laneH + laneH / 2;
    var count = tl.events.filter(function (e) { return e.type === lane.type; }).length;
    text(svg, left - 10, y + 4, lane.label + ' (' + count + ')', 'lane-label', 'end');
    line(svg, left, y, W - right, y, 'lane');
    tl.events.forEach(function (e) {
      if (e.type !== lane.type) return;
      mark(svg, lane.shape, x(Date.parse(e.time)), y, 'pt-' + e.type, fmtTime(e.time) + ': ' + e.label, focusable, e.type);
    });
  });
  var max = 0;
  tl.buckets.forEach(function (b) {
    var total = 0;
    Object.keys(b.counts).forEach(function (k) { total += b.counts[k]; });
    if (total > max) max = total;
  });
  max = niceMax(max);
  var y = linear(0, max, barsBottom, barsTop);
  text(svg, left - 10, barsTop + barsH / 2, 'Log lines', 'lane-label', 'end');
  text(svg, left - 10, barsTop + barsH / 2 + 16, 'by level', 'axis-label', 'end');
  text(svg, left - 4, barsTop + 4, String(max), 'axis-label', 'end');
  text(svg, left - 4, barsBottom, '0', 'axis-label', 'end');
  line(svg, left, barsTop, W - right, barsTop, 'grid');
  var bucketW = (W - right - left) / Math.max(1, tl.buckets.length);
  tl.buckets.forEach(function (b, i) {
    var g = svgEl('g', { 'class': 'bucket' });
    var base = 0, parts = [];
    LEVEL_ORDER.forEach(function (level) {
      var n = b.counts[level] || 0;
      if (!n) return;
      g.appendChild(svgEl('rect', {
        x: left + i * bucketW + 1, y: y(base + n), width: Math.max(1, bucketW - 2), height: Math.max(0.5, y(base) - y(base + n)),
        'class': 'lvl lvl-' + level, 'data-level': level
      }));
      base += n;
      parts.push(level + ' ' + n);
    });
    if (parts.length > 0) {
      g.appendChild(svgEl('title', { text: 'from ' + fmtTime(b.start) + ': ' + parts.join(', ') }));
      svg.appendChild(g);
    }
  });
  timeAxis(svg, x, startMs, endMs, barsBottom, top);
  return svg;
}

function startupChart(history) {
  var W = 960, H = 240, left = 60, right = 90, top = 14, bottom = 200;
  var launches = history.launches;
  var values = launches.map(function (l) { return l.latencyMs; }).filter(function (v) { return v !== null; });
  var max = niceMax(Math.max.apply(null, values.concat([history.p95 || 0, 1])));
  var svg = chart('Startup latency', values.length + ' launches with a ready renderer; p50 ' + fmtMs(history.p50) + ', p95 ' + fmtMs(history.p95), W, H);
  var x = linear(0, Math.max(1, launches.length - 1), left + 10, W - right - 10);
  var y = linear(0, max, bottom, top);
  [0, max / 2, max].forEach(function (v) {
    line(svg, left, y(v), W - right, y(v), 'grid');
    text(svg, left - 6, y(v) + 4, fmtMs(v), 'axis-label', 'end');
  });
  line(svg, left, bottom, W - right, bottom, 'axis');
  text(svg, left, bottom + 30, 'launch 1', 'axis-label', 'start');
  if (launches.length > 1) text(svg, W - right, bottom + 30, 'launch ' + launches.length, 'axis-label', 'end');
  var p50Y = history.p50 === null ? null : y(history.p50);
  [['p95', history.p95, 'ref ref-p95'], ['p50', history.p50, 'ref ref-p50']].forEach(function (ref) {
    if (ref[1] === null) return;
    var ly = y(ref[1]);
    line(svg, left, ly, W - right, ly, ref[2]);
    // Labels of close lines are pushed apart so both stay readable.
    var labelY = ref[0] === 'p95' && p50Y !== null && p50Y - ly < 14 ? p50Y - 14 : ly;
    text(svg, W - right + 6, labelY + 4, ref[0] + ' ' + fmtMs(ref[1]), 'ref-label', 'start');
  });
  var path = [];
  var focusable = values.length <= 60;
  launches.forEach(function (l, i) {
    if (l.latencyMs === null) {
      mark(svg, 'ring', x(i), bottom, 'pt-missing', 'launch ' + (i + 1) + ' (' + fmtTime(l.startedAt) + '): renderer never reported ready', false, 'missing');
      return;
    }
    path.push(x(i) + ',' + y(l.latencyMs));
  });
  if (path.length > 1) svg.appendChild(svgEl('polyline', { points: path.join(' '), 'class': 'series' }));
  launches.forEach(function (l, i) {
    if (l.latencyMs === null) return;
    mark(svg, 'circle', x(i), y(l.latencyMs), 'pt-launch', 'launch ' + (i + 1) + ' (' + fmtTime(l.startedAt) + '): ' + fmtMs(l.latencyMs), focusable, 'launch');
  });
  return svg;
}

/** Horizontal bars: one group per row, one bar per series. */
function barChart(title, description, rows, series, format, maxValue) {
  var barH = 12, gap = 3, groupGap = 14, left = 200, right = 110, W = 960;
  var groupH = series.length * (barH + gap) + groupGap;
  var H = 20 + rows.length * groupH + 20;
  var svg = chart(title, description, W, H);
  var max = maxValue || niceMax(Math.max.apply(null, rows.map(function (r) {
    return Math.max.apply(null, series.map(function (s) { return r[s.key]; }).concat([0]));
  }).concat([0])));
  var x = linear(0, max, left, W - right);
  line(svg, left, 10, left, H - 24, 'axis');
  text(svg, left, H - 6, format(0), 'axis-label', 'start');
  text(svg, W - right, H - 6, format(max), 'axis-label', 'end');
  line(svg, W - right, 10, W - right, H - 24, 'grid');
  rows.forEach(function (r, i) {
    var y0 = 14 + i * groupH;
    text(svg, left - 8, y0 + (series.length * (barH + gap)) / 2 + 4, r.method.length > 24 ? r.method.slice(0, 23) + '…' : r.method, 'lane-label', 'end');
    series.forEach(function (s, j) {
      var v = r[s.key];
      var y = y0 + j * (barH + gap);
      var bar = svgEl('rect', { x: left, y: y, width: Math.max(1, x(Math.min(v, max)) - left), height: barH, 'class': 'bar ' + s.cls, 'data-kind': s.key });
      bar.appendChild(svgEl('title', { text: r.method + ' ' + s.label + ': ' + format(v) }));
      svg.appendChild(bar);
      text(svg, x(Math.min(v, max)) + 4, y + barH - 2, s.label + ' ' + format(v), 'bar-label', 'start');
    });
  });
  return svg;
}

/** Every bundle (filled) and every suppressed repeat (ring) per fingerprint over time. */
function fingerprintChart(rows, startMs, endMs) {
  var W = 960, left = 340, right = 20, rowH = 30, top = 8;
  var H = top + rows.length * rowH + 30;
  if (endMs === startMs) { startMs -= 30000; endMs += 30000; }
  var total = 0;
  rows.forEach(function (r) { total += r.points.length; });
  var svg = chart('Bundles by fingerprint over time', rows.length + ' fingerprints, ' + total + ' occurrences between ' + fmtTime(new Date(startMs).toISOString()) + ' and ' + fmtTime(new Date(endMs).toISOString()), W, H);
  var x = linear(startMs, endMs, left + 8, W - right - 8);
  var focusable = total <= 60;
  rows.forEach(function (r, i) {
    var y = top + i * rowH + rowH / 2;
    var label = r.label.length > 40 ? r.label.slice(0, 39) + '…' : r.label;
    text(svg, left - 10, y + 4, label, 'lane-label', 'end');
    line(svg, left, y, W - right, y, 'lane');
    r.points.forEach(function (p) {
      mark(svg, p.bundled ? 'circle' : 'ring', x(Date.parse(p.time)), y, p.bundled ? 'pt-incident' : 'pt-suppressed', fmtTime(p.time) + ': ' + p.label, focusable, p.bundled ? 'bundle' : 'suppressed');
    });
  });
  timeAxis(svg, x, startMs, endMs, H - 24, top);
  return svg;
}

function legend(items) {
  return el('ul', { 'class': 'legend' }, items.map(function (item) {
    var sw = svgEl('svg', { width: 14, height: 14, viewBox: '0 0 14 14', 'aria-hidden': 'true' });
    if (item.shape === 'bar') sw.appendChild(svgEl('rect', { x: 1, y: 1, width: 12, height: 12, 'class': item.cls }));
    else mark(sw, item.shape, 7, 7, item.cls, item.label, false, 'legend');
    return el('li', null, [sw, ' ' + item.label]);
  }));
}
`;
