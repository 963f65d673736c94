/**
 * A stand-in for `codex app-server` used by `codex-diag demo`: answers a few requests, reporting
 * each as one JSON line on stdout ({method, durationMs, ok}), writes a little to stderr, then
 * panics the way a Rust binary does (exit code 101). Run as a real child process.
 */
const methods = ['thread/start', 'turn/start', 'model/list', 'thread/resume'] as const;
const requests = Number(process.env.DEMO_REQUESTS ?? 40);
let seed = 7;
function random(): number {
  // Deterministic, so the demo prints the same story every run.
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

process.stderr.write('app-server: listening on stdio\n');
for (let i = 0; i < requests; i++) {
  const method = methods[i % methods.length]!;
  const durationMs = Math.round(5 + random() * (method === 'turn/start' ? 400 : 60));
  const ok = random() > 0.1;
  process.stdout.write(`${JSON.stringify({ method, durationMs, ok })}\n`);
}
process.stderr.write("thread 'main' panicked at codex-rs/app-server/src/lib.rs:212:9:\nchannel closed while a turn was streaming\n");
process.exitCode = 101;
