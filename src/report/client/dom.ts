/**
 * Page script, part 1: DOM helpers. Every text goes in through textContent and every attribute
 * through setAttribute with a name written here, never one taken from data; nothing uses
 * innerHTML, href, src or event attributes, so no data can become markup or code.
 * Plain ES2017 kept as text: it runs in the page, not in Node (see page.ts).
 */
export const DOM_SCRIPT = String.raw`
var SVG_NS = 'http://www.w3.org/2000/svg';

function put(node, attrs, children) {
  if (attrs) {
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, String(value));
    });
  }
  (children || []).forEach(function (child) {
    if (child === null || child === undefined) return;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  });
  return node;
}

function el(tag, attrs, children) {
  return put(document.createElement(tag), attrs, children);
}

function svgEl(tag, attrs, children) {
  return put(document.createElementNS(SVG_NS, tag), attrs, children);
}

function section(id, title, intro) {
  var heading = el('h2', { id: id + '-title', text: title });
  var s = el('section', { id: id, 'aria-labelledby': id + '-title' }, [heading]);
  if (intro) s.appendChild(el('p', { 'class': 'intro', text: intro }));
  document.getElementById('main').appendChild(s);
  return s;
}

function table(caption, headers, rows, className) {
  var thead = el('thead', null, [el('tr', null, headers.map(function (h) { return el('th', { scope: 'col', text: h }); }))]);
  var tbody = el('tbody', null, rows.map(function (row) {
    return el('tr', null, row.map(function (cell) {
      return cell !== null && typeof cell === 'object' && cell.nodeType ? el('td', null, [cell]) : el('td', { text: cell === null || cell === undefined ? '' : String(cell) });
    }));
  }));
  var t = el('table', { 'class': className || null }, [caption ? el('caption', { text: caption }) : null, thead, tbody]);
  return el('div', { 'class': 'table-wrap' }, [t]);
}

function dl(pairs) {
  var list = el('dl', { 'class': 'facts' });
  pairs.forEach(function (pair) {
    if (pair[1] === null || pair[1] === undefined || pair[1] === '') return;
    list.appendChild(el('dt', { text: pair[0] }));
    list.appendChild(el('dd', { text: String(pair[1]) }));
  });
  return list;
}

function empty(text) {
  return el('p', { 'class': 'empty', text: text });
}

function pad2(n) { return (n < 10 ? '0' : '') + n; }

/** Times are shown in UTC: a report travels between time zones. */
function fmtTime(iso) {
  if (!iso) return '-';
  var d = new Date(iso);
  if (isNaN(d.getTime())) return String(iso);
  return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()) + ' ' +
    pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds()) + 'Z';
}

/** HH:MM:SS in UTC; with tenths when the span shown is under a minute, so close ticks differ. */
function fmtClock(ms, span) {
  var d = new Date(ms);
  var s = pad2(d.getUTCHours()) + ':' + pad2(d.getUTCMinutes()) + ':' + pad2(d.getUTCSeconds());
  return span !== undefined && span < 60000 ? s + '.' + Math.floor(d.getUTCMilliseconds() / 100) : s;
}

function fmtMs(n) {
  if (n === null || n === undefined) return '-';
  return (n >= 100 ? Math.round(n) : Math.round(n * 10) / 10) + ' ms';
}

function fmtPct(rate) {
  return (Math.round(rate * 1000) / 10) + '%';
}

function fmtBytes(n) {
  if (n === null || n === undefined) return '-';
  if (n < 1024) return n + ' B';
  if (n < 1024 * 1024) return (Math.round(n / 102.4) / 10) + ' KiB';
  return (Math.round(n / 104857.6) / 10) + ' MiB';
}
`;
