/**
 * Chromium net error names for did-fail-load titles (net/base/net_error_list.h). Titles only:
 * the fingerprint uses the numeric code, so adding names here never regroups anything.
 */
const NET_ERROR_NAMES: Readonly<Record<number, string>> = {
  [-1]: 'ERR_IO_PENDING',
  [-2]: 'ERR_FAILED',
  [-3]: 'ERR_ABORTED',
  [-6]: 'ERR_FILE_NOT_FOUND',
  [-7]: 'ERR_TIMED_OUT',
  [-10]: 'ERR_ACCESS_DENIED',
  [-20]: 'ERR_BLOCKED_BY_CLIENT',
  [-21]: 'ERR_NETWORK_CHANGED',
  [-27]: 'ERR_BLOCKED_BY_RESPONSE',
  [-100]: 'ERR_CONNECTION_CLOSED',
  [-101]: 'ERR_CONNECTION_RESET',
  [-102]: 'ERR_CONNECTION_REFUSED',
  [-103]: 'ERR_CONNECTION_ABORTED',
  [-104]: 'ERR_CONNECTION_FAILED',
  [-105]: 'ERR_NAME_NOT_RESOLVED',
  [-106]: 'ERR_INTERNET_DISCONNECTED',
  [-107]: 'ERR_SSL_PROTOCOL_ERROR',
  [-109]: 'ERR_ADDRESS_UNREACHABLE',
  [-118]: 'ERR_CONNECTION_TIMED_OUT',
  [-130]: 'ERR_PROXY_CONNECTION_FAILED',
  [-137]: 'ERR_NAME_RESOLUTION_FAILED',
  [-200]: 'ERR_CERT_COMMON_NAME_INVALID',
  [-201]: 'ERR_CERT_DATE_INVALID',
  [-202]: 'ERR_CERT_AUTHORITY_INVALID',
  [-300]: 'ERR_INVALID_URL',
  [-301]: 'ERR_DISALLOWED_URL_SCHEME',
  [-310]: 'ERR_TOO_MANY_REDIRECTS',
  [-324]: 'ERR_EMPTY_RESPONSE',
  [-501]: 'ERR_INSECURE_RESPONSE',
};

/** `ERR_NAME_NOT_RESOLVED` for -105; the event's own description when it is an ERR_ name; else `error N`. */
export function netErrorName(code: number, description?: string): string {
  const known = NET_ERROR_NAMES[code];
  if (known) return known;
  const given = description?.trim();
  if (given && /^ERR_[A-Z0-9_]{1,80}$/.test(given)) return given;
  return `error ${code}`;
}
