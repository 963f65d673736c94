/**
 * Page script, part 3: the log tail with a level filter (one checkbox per level present) and a text
 * search (case-insensitive, over the whole line). Lines are rendered once as text; filtering only
 * toggles their `hidden` flag.
 */
export const LOG_VIEW_SCRIPT = String.raw`
function logView(lines) {
  var counts = {};
  lines.forEach(function (l) { counts[l.level] = (counts[l.level] || 0) + 1; });
  var levels = LEVEL_ORDER.filter(function (lv) { return counts[lv]; });
  Object.keys(counts).forEach(function (lv) { if (levels.indexOf(lv) < 0) levels.push(lv); });

  var status = el('p', { id: 'log-status', 'class': 'status', role: 'status', 'aria-live': 'polite' });
  var search = el('input', { type: 'search', id: 'log-search', placeholder: 'text in the line', autocomplete: 'off', spellcheck: 'false' });
  var boxes = levels.map(function (lv) {
    var box = el('input', { type: 'checkbox', id: 'level-' + lv, value: lv, 'data-level': lv, checked: 'checked' });
    return { level: lv, box: box, label: el('label', { 'for': 'level-' + lv, 'class': 'chip lvl-text-' + lv }, [box, ' ' + lv + ' (' + counts[lv] + ')']) };
  });
  var controls = el('div', { 'class': 'controls no-print' }, [
    el('fieldset', null, [el('legend', { text: 'Levels' })].concat(boxes.map(function (b) { return b.label; }))),
    el('div', { 'class': 'search' }, [el('label', { 'for': 'log-search', text: 'Search' }), search])
  ]);

  var items = lines.map(function (l, i) {
    var li = el('li', { 'class': 'log-line', 'data-level': l.level }, [
      el('span', { 'class': 'ln', text: String(i + 1) }),
      el('span', { 'class': 'lvl-badge lvl-text-' + l.level, text: l.level }),
      el('span', { 'class': 'time', text: l.time ? fmtClock(Date.parse(l.time)) : '' }),
      el('span', { 'class': 'text', text: l.line })
    ]);
    return { li: li, level: l.level, haystack: (l.line + ' ' + l.source).toLowerCase() };
  });
  var list = el('ol', { id: 'log-lines', 'class': 'log', 'aria-label': 'log lines' }, items.map(function (it) { return it.li; }));

  function apply() {
    var shown = {};
    boxes.forEach(function (b) { shown[b.level] = b.box.checked; });
    var needle = search.value.trim().toLowerCase();
    var visible = 0;
    items.forEach(function (it) {
      var on = shown[it.level] !== false && (needle === '' || it.haystack.indexOf(needle) >= 0);
      it.li.hidden = !on;
      if (on) visible += 1;
    });
    status.textContent = visible + ' of ' + items.length + ' lines shown';
  }
  boxes.forEach(function (b) { b.box.addEventListener('change', apply); });
  search.addEventListener('input', apply);
  apply();
  return el('div', null, [controls, status, list]);
}
`;
