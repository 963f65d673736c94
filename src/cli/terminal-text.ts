/**
 * What the CLI prints for people passes through here. Text from incidents and logs is untrusted:
 * an escape sequence in a renderer URL or a log message must show as text, not clear the screen or
 * retitle the window. DSNs carry a key: every message shows them as `scheme://***@host/...`.
 */

// C0 controls except tab and newline, DEL, and the C1 range (0x9b is a one-byte CSI on some terminals).
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Control characters written as visible `\u001b`-style escapes; tabs and newlines kept. */
export function neutralizeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The userinfo of any `scheme://user[:pass]@` and the value of `sentry_key=` hidden. */
export function maskDsns(text: string): string {
  return text
    // `<key>` in a usage hint is a placeholder, not a key.
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"<>]+@/gi, '$1***@')
    .replace(/\b(sentry_key=)[^\s&'"]+/gi, '$1***');
}

/** A message line for stderr: DSNs masked, controls neutralized. */
export function messageText(text: string): string {
  return neutralizeControls(maskDsns(text));
}
