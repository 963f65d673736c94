/**
 * Escaping for the two places report data meets markup. Data never becomes markup: the page
 * carries it as JSON inside a non-executing `<script type="application/json">` and the page's
 * script renders it with textContent. These two functions keep that JSON and the few static
 * strings (the page title) inert whatever they contain.
 */

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<`, `>` and `&` as \u escapes (no
 * `</script>`, `<!--` or `]]>` can close or confuse the element), and U+2028/U+2029 escaped too,
 * because older JavaScript parsers treat them as line ends. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
