/** Channel of the lag marker a renderer receives before the next message after drops. */
export const LAGGED_CHANNEL = 'codex-diag:lagged';

/** Channels diagnostics itself sends to a renderer. */
export const DiagChannel = {
  incident: 'codex-diag:incident',
  bundle: 'codex-diag:bundle',
  upload: 'codex-diag:upload',
  progress: 'codex-diag:progress',
  log: 'codex-diag:log',
} as const;

export interface SendOptions {
  /** Never dropped under backpressure when true; dropped (and counted) when the queue is full when false. */
  lossless?: boolean;
}

// Words in a channel name that mark ephemeral traffic: losing one leaves a cosmetic gap only.
const BEST_EFFORT_WORDS = new Set(['progress', 'log', 'logs', 'line', 'lines', 'tail', 'heartbeat', 'status']);
// Words that mark a result a surface waits for: losing one leaves it waiting forever.
const LOSSLESS_WORDS = new Set(['incident', 'incidents', 'bundle', 'bundles', 'upload', 'uploads', 'result', 'results']);

/**
 * The one place that decides whether a message must be delivered (mirrors the app-server's
 * `server_notification_requires_delivery`): the explicit option wins; otherwise incidents,
 * bundle and upload results are lossless, progress and streamed log lines best-effort, and
 * anything else best-effort, as the app-server change treats everything outside its list.
 */
export function isLosslessMessage(channel: string, options?: SendOptions): boolean {
  if (typeof options?.lossless === 'boolean') return options.lossless;
  if (channel === LAGGED_CHANNEL) return true;
  const words = channel.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
  if (words.some((w) => BEST_EFFORT_WORDS.has(w))) return false;
  return words.some((w) => LOSSLESS_WORDS.has(w));
}
