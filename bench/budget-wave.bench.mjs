// Crash-wave simulation: 10,000 installs of one release; a wave of one fingerprint (every install
// crashes on launch, is relaunched, crashes again) plus background crashes of 200 other
// fingerprints, against a local ingest on 127.0.0.1 that enforces a quota and answers 429 with
// Retry-After and X-Sentry-Rate-Limits. Run twice on the same crash schedule: with the delivery
// budget (the defaults) and without it (budget: false), and printed side by side.
//
// Real: DeliveryBudget and its policy (reopened from its serialised ledger at each run, so the
// bucket crosses restarts), the outbox eviction policy with the default bounds, the retry policy
// (backoff, rate-limit bookkeeping) and @sentry/core's rate-limit header parsing, the event's
// held-back annotation, envelope serialisation, and an HTTP request over loopback for every send
// (pipelined over 8 connections: wave/pipelined-http.mjs).
// Modelled: time (a fake clock advanced in 1 s steps; no request takes simulated time), each
// install's outbox (in memory instead of files), the drain loop (drain.ts's decisions, without its
// lock and Sentry client), the process (each crash is a new run), and the bundle (a 256-byte
// stand-in attachment per request). Run: npm run build && node bench/budget-wave.bench.mjs
import { Worker } from 'node:worker_threads';
import { SimInstall } from './wave/install.mjs';
import { pipelinedClient } from './wave/pipelined-http.mjs';

const MIN = 60_000;
const P = {
  installs: Number(process.env.WAVE_INSTALLS ?? 10_000),
  background: 200,
  onsetMs: 10 * MIN, // installs pick up the release and first crash within 10 minutes
  waveEndMs: 30 * MIN,
  relaunchMeanMs: 2 * MIN, // each crash ends the run; the app is relaunched and crashes again
  endMs: 35 * MIN,
  quotaPerMinute: 2_000, // the project key's rate limit: 2,000 events a minute
};
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);

function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The same crash schedule for both runs. */
function schedule() {
  const random = prng(7);
  const occurrences = [];
  const wave = { fingerprint: 'fp1:render-process-gone:crashed:/chat/:id', kind: 'render-process-gone', level: 'fatal' };
  for (let i = 0; i < P.installs; i++) {
    for (let t = random() * P.onsetMs; t < P.waveEndMs; t += -Math.log(1 - random()) * P.relaunchMeanMs) occurrences.push({ install: i, at: T0 + Math.round(t), ...wave });
  }
  const kinds = [
    ['child-process-gone', 'fatal'],
    ['did-fail-load', 'error'],
    ['unresponsive', 'warning'],
    ['sidecar-exit', 'error'],
  ];
  for (let f = 0; f < P.background; f++) {
    const [kind, level] = kinds[f % kinds.length];
    const fingerprint = `fp1:${kind}:background-${f}`;
    const installs = 1 + Math.floor(random() * 5);
    for (let k = 0; k < installs; k++) {
      const install = Math.floor(random() * P.installs);
      const times = 1 + Math.floor(random() * 3);
      for (let n = 0; n < times; n++) occurrences.push({ install, at: T0 + Math.round(random() * P.waveEndMs), fingerprint, kind, level });
    }
  }
  return occurrences.sort((a, b) => a.at - b.at);
}

async function startIngest() {
  const worker = new Worker(new URL('./wave/quota-ingest.mjs', import.meta.url), { workerData: { quotaPerWindow: P.quotaPerMinute, windowMs: MIN } });
  const { port } = await new Promise((resolve) => worker.once('message', resolve));
  const ask = (message) => new Promise((resolve) => { worker.once('message', resolve); worker.postMessage(message); });
  return { port, ask, close: async () => { await ask('close'); await worker.terminate(); } };
}

async function simulate(ingest, occurrences, budget) {
  await ingest.ask('reset');
  const client = await pipelinedClient(ingest.port);
  let time = T0;
  const clock = { now: () => time, setTimeout: () => 0, clearTimeout: () => undefined };
  const post = (body, now) => client.post('/api/1/envelope/', { 'content-type': 'application/x-sentry-envelope', 'x-sim-now': String(now) }, body);
  const random = prng(11);
  const installs = Array.from({ length: P.installs }, (_, i) => new SimInstall(i, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { budget, clock, random, post }));
  const timers = new Map(); // second -> Set of installs
  const arm = (install, at) => {
    if (at === null) return;
    const second = Math.ceil((at - T0) / 1000);
    if (!timers.has(second)) timers.set(second, new Set());
    timers.get(second).add(install);
  };
  const firstSeen = new Map();
  let next = 0;
  for (let second = 0; second * 1000 <= P.endMs; second++) {
    time = T0 + second * 1000;
    const due = timers.get(second) ?? new Set();
    timers.delete(second);
    for (; next < occurrences.length && occurrences[next].at <= time; next++) {
      const o = occurrences[next];
      if (!firstSeen.has(o.fingerprint)) firstSeen.set(o.fingerprint, o.at);
      if (installs[o.install].occur(o)) due.add(installs[o.install]);
    }
    if (due.size === 0) continue;
    const nextAt = await Promise.all([...due].map(async (install) => [install, await install.drain()]));
    for (const [install, at] of nextAt) arm(install, at);
  }
  client.close();
  const stats = await ingest.ask('stats');
  const pendingItems = installs.reduce((sum, i) => sum + i.items.length, 0);
  const pendingFingerprints = new Set(installs.flatMap((i) => i.items.map((item) => item.fingerprint)));
  const evicted = installs.flatMap((i) => i.evicted);
  const carriedInPending = installs.reduce((sum, i) => sum + i.items.reduce((s, item) => s + (item.heldBack?.total ?? 0), 0), 0);
  const evictedLost = evicted.filter((e) => !e.carriedTo).reduce((s, e) => s + 1 + (e.item.heldBack?.total ?? 0), 0);
  return {
    stats,
    firstSeen,
    pendingItems,
    pendingFingerprints,
    evicted: evicted.length,
    heldByClients: installs.reduce((s, i) => s + i.heldByBudget, 0),
    heldInLedgers: installs.reduce((s, i) => s + i.pendingHeldBack(), 0),
    carriedInPending,
    evictedLost,
  };
}

function summarise(run, occurrences) {
  const { stats } = run;
  const perMinute = new Array(Math.ceil(P.endMs / MIN) + 1).fill(0);
  let duringWave = 0;
  for (const [at] of stats.requests) {
    perMinute[Math.floor((at - T0) / MIN)]++;
    if (at - T0 <= P.waveEndMs) duringWave++;
  }
  const accepted = new Map(stats.accepted);
  const arrival = new Map(stats.firstArrival);
  const delays = [...run.firstSeen].map(([fp, seen]) => (arrival.has(fp) ? arrival.get(fp) - seen : Infinity)).sort((a, b) => a - b);
  const missing = [...run.firstSeen.keys()].filter((fp) => !arrival.has(fp));
  const lost = missing.filter((fp) => !run.pendingFingerprints.has(fp));
  const background = [...run.firstSeen.keys()].filter((fp) => fp.includes('background')).map((fp) => accepted.get(fp) ?? 0).sort((a, b) => a - b);
  const waveFp = [...run.firstSeen.keys()].find((fp) => !fp.includes('background'));
  const acceptedTotal = [...accepted.values()].reduce((a, b) => a + b, 0);
  // Every occurrence is an event at the ingest, a count it carried, or still on a client.
  const accountedFor = acceptedTotal + stats.heldBack + run.pendingItems + run.carriedInPending + run.heldInLedgers + run.evictedLost;
  return {
    requests: stats.requests.length,
    duringWave,
    peakPerMinute: Math.max(...perMinute),
    perMinute,
    status429: stats.requests.filter(([, s]) => s === 429).length,
    acceptedTotal,
    waveEvents: accepted.get(waveFp) ?? 0,
    background: { min: background[0], median: background[Math.floor(background.length / 2)], max: background.at(-1) },
    maxDelay: delays.at(-1),
    allAt: missing.length === 0 ? Math.max(...arrival.values()) - T0 : Infinity,
    missing: missing.length,
    lost: lost.length,
    wireBytes: stats.wireBytes,
    pendingItems: run.pendingItems,
    evicted: run.evicted,
    heldByClients: run.heldByClients,
    heldCarried: stats.heldBack,
    heldCarriedByReason: stats.heldBackByReason,
    heldInLedgers: run.heldInLedgers,
    occurrences: occurrences.length,
    accountedFor,
  };
}

const minutes = (ms) => (Number.isFinite(ms) ? `${(ms / MIN).toFixed(1)} min` : 'never');
const n = (x) => x.toLocaleString('en-US');
const mib = (b) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const started = performance.now();
const occurrences = schedule();
const ingest = await startIngest();
let withBudget;
let without;
try {
  withBudget = summarise(await simulate(ingest, occurrences, {}), occurrences);
  const midway = performance.now();
  without = summarise(await simulate(ingest, occurrences, false), occurrences);
  process.stdout.write(`simulated ${n(P.installs)} installs, ${n(occurrences.length)} crash occurrences, ${P.endMs / MIN} simulated minutes; wall time ${((midway - started) / 1000).toFixed(1)} s with the budget, ${((performance.now() - midway) / 1000).toFixed(1)} s without\n`);
} finally {
  await ingest.close();
}

const rows = [
  ['ingest requests during the wave (0-30 min)', n(withBudget.duringWave), n(without.duringWave)],
  ['ingest requests in all', n(withBudget.requests), n(without.requests)],
  ['  of which 429', n(withBudget.status429), n(without.status429)],
  ['requests per minute: peak', n(withBudget.peakPerMinute), n(without.peakPerMinute)],
  ['events accepted', n(withBudget.acceptedTotal), n(without.acceptedTotal)],
  ['events of the wave fingerprint', n(withBudget.waveEvents), n(without.waveEvents)],
  ['events per background fingerprint (min/median/max)', `${withBudget.background.min}/${withBudget.background.median}/${withBudget.background.max}`, `${without.background.min}/${without.background.median}/${without.background.max}`],
  ['every fingerprint at the ingest: worst delay after its first crash', minutes(withBudget.maxDelay), minutes(without.maxDelay)],
  ['fingerprints not at the ingest by the end / lost', `${withBudget.missing} / ${withBudget.lost}`, `${without.missing} / ${without.lost}`],
  ['bytes sent (wire, stand-in bundles)', mib(withBudget.wireBytes), mib(without.wireBytes)],
  ['items still pending at the end', n(withBudget.pendingItems), n(without.pendingItems)],
  ['items evicted by the outbox bounds', n(withBudget.evicted), n(without.evicted)],
  ['held back by clients', n(withBudget.heldByClients), n(without.heldByClients)],
  ['  carried to the ingest in diag.held_back', n(withBudget.heldCarried), n(without.heldCarried)],
  ['  still counted on clients (next event / session)', n(withBudget.heldInLedgers), n(without.heldInLedgers)],
  ['occurrences accounted for / seen by clients', `${n(withBudget.accountedFor)} / ${n(withBudget.occurrences)}`, `${n(without.accountedFor)} / ${n(without.occurrences)}`],
];
const width = Math.max(...rows.map((r) => r[0].length));
process.stdout.write(`\n${'figure'.padEnd(width)}  ${'with budget'.padStart(14)}  ${'without'.padStart(14)}\n`);
for (const [label, a, b] of rows) process.stdout.write(`${label.padEnd(width)}  ${a.padStart(14)}  ${b.padStart(14)}\n`);
process.stdout.write(`\nrequests per minute, with budget: ${withBudget.perMinute.join(' ')}\n`);
process.stdout.write(`requests per minute, without:     ${without.perMinute.join(' ')}\n`);

const ratio = withBudget.duringWave / without.duringWave;
const checks = [
  [`ingest requests during the wave with the budget: ${(ratio * 100).toFixed(1)}% of without (target <= 5%)`, ratio <= 0.05],
  [`every distinct fingerprint delivered within 10 simulated minutes of its first crash (worst ${minutes(withBudget.maxDelay)})`, withBudget.maxDelay <= 10 * MIN],
  [`fingerprints lost with the budget: ${withBudget.lost}`, withBudget.lost === 0 && withBudget.missing === 0],
  [
    `held back = carried + still counted: ${n(withBudget.heldByClients)} = ${n(withBudget.heldCarried - (withBudget.heldCarriedByReason.evicted ?? 0))} + ${n(withBudget.heldInLedgers)} (+ in pending items)`,
    withBudget.accountedFor === withBudget.occurrences,
  ],
];
process.stdout.write('\n');
for (const [text, ok] of checks) process.stdout.write(`${ok ? 'ok  ' : 'MISS'} ${text}\n`);
