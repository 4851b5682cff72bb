// Writes the bundled sample logs: `node scripts/make-samples.mjs [output directory]` (default: samples/).
//
// Each sample is a small incident story told in M1 records (SPEC.md section 1); samples/README.md tells the
// stories and states the verdicts that test/samples.test.ts checks. That test also regenerates the samples
// and compares them with the committed files, so the output must be the same bytes on every run and every
// machine: one seeded PRNG per sample, fixed start times, no clock, and only + - * / on random numbers
// (Math.log, Math.exp and friends are not required to round the same way on every engine).

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const DEFAULT_OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "samples");

/** mulberry32: a tiny, well-known 32-bit PRNG; enough for sample data and identical everywhere. */
function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeRandom(seed) {
  const next = mulberry32(seed);
  return {
    between: (min, max) => min + (max - min) * next(),
    // Most values near min with a long tail towards max: roughly the shape of real latencies.
    skewed: (min, max) => {
      const u = next();
      return min + (max - min) * u * u;
    },
    chance: (probability) => next() < probability,
    integer: (min, max) => min + Math.floor((max - min + 1) * next()),
    pick: (items) => items[Math.floor(items.length * next())],
    hex: (digits) => {
      let text = "";
      for (let i = 0; i < digits; i += 1) text += Math.floor(next() * 16).toString(16);
      return text;
    },
  };
}

/**
 * How each function behaves when all is well: the version it runs, how long its upstream (a vendor API, a
 * database, a search index) takes, how long its own work takes, and what it answers. The ranges keep a
 * healthy request well under the 1000 ms slow threshold.
 */
const FUNCTIONS = {
  checkout: { version: "2.14.3", upstreamMs: [140, 620], ownMs: [12, 70], okStatuses: [201] },
  search: { version: "3.8.1", upstreamMs: [18, 190], ownMs: [4, 45], okStatuses: [200] },
  profile: { version: "1.42.0", upstreamMs: [3, 38], ownMs: [5, 32], okStatuses: [200, 200, 200, 200, 304] },
  cart: { version: "4.2.0", upstreamMs: [1, 14], ownMs: [3, 25], okStatuses: [200] },
  "payments-webhook": { version: "0.9.7", upstreamMs: [4, 55], ownMs: [2, 18], okStatuses: [200] },
  "inventory-sync": { version: "1.3.2", upstreamMs: [180, 640], ownMs: [10, 60], okStatuses: [200] },
};

/** The state of one sample while its story is told: random numbers, the clock origin, the records. */
function newLog(seed, startIso) {
  return { random: makeRandom(seed), startMs: Date.parse(startIso), entries: [], requestIds: new Set() };
}

/** A moment of the story, `minutes:seconds` after the start of the log. */
function offset(log, minutes, seconds = 0) {
  return log.startMs + (minutes * 60 + seconds) * 1000;
}

/** `count` arrival times spread at random over [fromMs, toMs), in order. */
function arrivals(log, count, fromMs, toMs) {
  const times = [];
  for (let i = 0; i < count; i += 1) times.push(Math.floor(log.random.between(fromMs, toMs)));
  return times.sort((a, b) => a - b);
}

function newRequestId(log) {
  let id;
  do id = `req-${log.random.hex(12)}`;
  while (log.requestIds.has(id));
  log.requestIds.add(id);
  return id;
}

function levelFor(status) {
  if (status >= 500) return "error";
  if (status >= 400) return "warn";
  return "info";
}

/**
 * Starts one request of one function. Each `stage` call logs a record the way a real handler does:
 * `latency_ms` is the time since the request arrived, so it grows stage by stage, and `ts` moves with it.
 */
function openRequest(log, fn, arrivedMs, version = FUNCTIONS[fn].version) {
  const requestId = newRequestId(log);
  let elapsedMs = 0;
  return {
    fn,
    stage(stage, spentMs, status, details = {}) {
      elapsedMs += spentMs;
      const latencyMs = Math.round(elapsedMs);
      const atMs = arrivedMs + latencyMs;
      const record = {
        ts: new Date(atMs).toISOString(),
        level: levelFor(status),
        request_id: requestId,
        function: fn,
        stage,
        status,
        latency_ms: latencyMs,
        error_code: details.errorCode ?? null,
        upstream_status: details.upstreamStatus ?? null,
        upstream_latency_ms: details.upstreamLatencyMs ?? null,
        version,
      };
      log.entries.push({ atMs, record });
    },
  };
}

function receive(log, req) {
  req.stage("receive", log.random.between(0.2, 1.6), 200);
}

function validate(log, req, status = 200, errorCode = null) {
  req.stage("validate", log.random.between(0.9, 6.5), status, { errorCode });
}

/** The upstream answered: the stage records what it observed, as the seed's logger does. */
function upstreamAnswered(log, req, upstreamStatus, upstreamMs) {
  req.stage("upstream", upstreamMs + log.random.between(0.2, 1.5), upstreamStatus, {
    errorCode: upstreamStatus >= 400 ? "UPSTREAM_ERROR" : null,
    upstreamStatus,
    upstreamLatencyMs: Math.round(upstreamMs),
  });
}

/** A timeout logged the right way: `upstream_status: "timeout"` is the evidence SPEC rule 3 looks for. */
function upstreamTimedOut(log, req, timeoutMs) {
  req.stage("upstream", timeoutMs + log.random.between(0.2, 1.5), 504, {
    errorCode: "UPSTREAM_TIMEOUT",
    upstreamStatus: "timeout",
    upstreamLatencyMs: Math.round(timeoutMs),
  });
}

function respond(log, req, status, errorCode = null) {
  const [min, max] = FUNCTIONS[req.fn].ownMs;
  req.stage("respond", log.random.skewed(min, max), status, { errorCode });
}

/** A request that went well from start to end. */
function healthyRequest(log, fn, arrivedMs, version) {
  const behaviour = FUNCTIONS[fn];
  const req = openRequest(log, fn, arrivedMs, version);
  receive(log, req);
  validate(log, req);
  upstreamAnswered(log, req, 200, log.random.skewed(...behaviour.upstreamMs));
  respond(log, req, log.random.pick(behaviour.okStatuses));
}

/** A client sent a bad body: rejected before any upstream call, so there is no upstream evidence. */
function rejectedRequest(log, fn, arrivedMs, errorCode) {
  const req = openRequest(log, fn, arrivedMs);
  receive(log, req);
  validate(log, req, 400, errorCode);
  respond(log, req, 400, errorCode);
}

function healthyTraffic(log, fn, count, fromMs = log.startMs, toMs = log.endMs) {
  for (const arrivedMs of arrivals(log, count, fromMs, toMs)) healthyRequest(log, fn, arrivedMs);
}

/**
 * 13:18:40-13:41:10: the payment vendor answers 503 or nothing at all; checkout answers 502/504.
 * Before and after, a couple of unrelated checkout incidents; search and profile never notice, and the
 * vendor's webhooks stop during the outage and are redelivered in a burst when it ends.
 */
function vendorOutage(log) {
  const outageFrom = offset(log, 18, 40);
  const outageTo = offset(log, 41, 10);
  const inOutage = (ms) => ms >= outageFrom && ms < outageTo;

  arrivals(log, 180, log.startMs, log.endMs).forEach((arrivedMs, i) => {
    if (inOutage(arrivedMs)) checkoutDuringOutage(log, arrivedMs);
    else if (i === 9 || i === 150) rejectedRequest(log, "checkout", arrivedMs, "INVALID_CART");
    else if (i === 163) checkoutOrderWriteFails(log, arrivedMs);
    else healthyRequest(log, "checkout", arrivedMs);
  });

  for (const arrivedMs of arrivals(log, 60, log.startMs, log.endMs)) {
    if (!inOutage(arrivedMs)) healthyRequest(log, "payments-webhook", arrivedMs);
  }
  healthyTraffic(log, "payments-webhook", 24, outageTo + 20_000, outageTo + 200_000);

  healthyTraffic(log, "search", 230);
  healthyTraffic(log, "profile", 120);
}

function checkoutDuringOutage(log, arrivedMs) {
  const req = openRequest(log, "checkout", arrivedMs);
  receive(log, req);
  validate(log, req);
  if (log.random.chance(0.52)) {
    upstreamAnswered(log, req, 503, log.random.skewed(30, 420));
    respond(log, req, 502, "UPSTREAM_ERROR");
  } else if (log.random.chance(0.65)) {
    // The payment client gives up after 3 s.
    upstreamTimedOut(log, req, 3000 + log.random.between(0.4, 14));
    respond(log, req, 504, "UPSTREAM_TIMEOUT");
  } else {
    // Some charges still go through, slowly but under the slow threshold.
    upstreamAnswered(log, req, 200, log.random.between(380, 820));
    respond(log, req, 201);
  }
}

/** The vendor charged the card, then checkout failed to write the order: our bug, not theirs. */
function checkoutOrderWriteFails(log, arrivedMs) {
  const req = openRequest(log, "checkout", arrivedMs);
  receive(log, req);
  validate(log, req);
  upstreamAnswered(log, req, 200, log.random.skewed(...FUNCTIONS.checkout.upstreamMs));
  respond(log, req, 500, "ORDER_WRITE_FAILED");
}

/**
 * profile 1.43.0 is deployed at 09:24:30 and rolled back at 09:49:05. In between, it crashes on profiles
 * without an avatar (500) and rejects valid updates (422), while the users database answers 200 throughout.
 */
function appBugAfterDeploy(log) {
  const deployedAt = offset(log, 24, 30);
  const rolledBackAt = offset(log, 49, 5);

  arrivals(log, 210, log.startMs, log.endMs).forEach((arrivedMs, i) => {
    if (arrivedMs >= deployedAt && arrivedMs < rolledBackAt) profileOnBadVersion(log, arrivedMs);
    else if (i === 20) profileDatabaseTimeout(log, arrivedMs);
    else healthyRequest(log, "profile", arrivedMs);
  });

  healthyTraffic(log, "checkout", 140);
  healthyTraffic(log, "search", 230);
  healthyTraffic(log, "cart", 110);
}

function profileOnBadVersion(log, arrivedMs) {
  const req = openRequest(log, "profile", arrivedMs, "1.43.0");
  receive(log, req);
  if (log.random.chance(0.42)) {
    validate(log, req);
    upstreamAnswered(log, req, 200, log.random.skewed(...FUNCTIONS.profile.upstreamMs));
    req.stage("exception", log.random.between(2, 14), 500, { errorCode: "UNHANDLED_EXCEPTION" });
  } else if (log.random.chance(0.45)) {
    // 1.43.0 validates the merged profile after loading it, and a new required field fails every old one.
    upstreamAnswered(log, req, 200, log.random.skewed(...FUNCTIONS.profile.upstreamMs));
    validate(log, req, 422, "VALIDATION_FAILED");
    respond(log, req, 422, "VALIDATION_FAILED");
  } else {
    validate(log, req);
    upstreamAnswered(log, req, 200, log.random.skewed(...FUNCTIONS.profile.upstreamMs));
    respond(log, req, 200);
  }
}

/** One unrelated database statement timeout (2 s), logged with its evidence. */
function profileDatabaseTimeout(log, arrivedMs) {
  const req = openRequest(log, "profile", arrivedMs);
  receive(log, req);
  validate(log, req);
  upstreamTimedOut(log, req, 2000 + log.random.between(0.3, 6));
  respond(log, req, 504, "UPSTREAM_TIMEOUT");
}

/**
 * search 3.9.0, deployed at 14:12:05, re-ranks results in-process: 1.5-4 s per query, while the search index
 * still answers in well under 300 ms. Cached queries stay fast. Before the deploy, two queries were slow
 * because the index itself was slow; no rule blames anyone for those.
 */
function appBottleneck(log) {
  const deployedAt = offset(log, 12, 5);

  arrivals(log, 300, log.startMs, log.endMs).forEach((arrivedMs, i) => {
    if (arrivedMs >= deployedAt) searchWithReranking(log, arrivedMs);
    else if (i === 13 || i === 41) searchWithSlowIndex(log, arrivedMs);
    else healthyRequest(log, "search", arrivedMs);
  });

  healthyTraffic(log, "checkout", 120);
  healthyTraffic(log, "profile", 160);
  healthyTraffic(log, "cart", 100);
}

function searchWithReranking(log, arrivedMs) {
  const req = openRequest(log, "search", arrivedMs, "3.9.0");
  receive(log, req);
  validate(log, req);
  if (log.random.chance(0.15)) {
    req.stage("cache", log.random.between(0.4, 3), 200);
  } else {
    upstreamAnswered(log, req, 200, log.random.skewed(45, 240));
    req.stage("rerank", log.random.skewed(1480, 3750), 200);
  }
  respond(log, req, 200);
}

function searchWithSlowIndex(log, arrivedMs) {
  const req = openRequest(log, "search", arrivedMs);
  receive(log, req);
  validate(log, req);
  upstreamAnswered(log, req, 200, log.random.between(1150, 1450));
  respond(log, req, 200);
}

/**
 * 01:22-02:04: the warehouse API behind inventory-sync stops answering. The handler's catch block is the
 * seed's: it logs UPSTREAM_TIMEOUT with `upstream_status: null`, so the evidence that would blame the
 * vendor is missing. The few 503s it did receive were logged properly.
 */
function evidenceGap(log) {
  const troubleFrom = offset(log, 22);
  const troubleTo = offset(log, 64);

  for (const arrivedMs of arrivals(log, 260, log.startMs, log.endMs)) {
    const inTrouble = arrivedMs >= troubleFrom && arrivedMs < troubleTo;
    if (inTrouble && log.random.chance(0.55)) inventorySyncTimeoutLoggedWithoutEvidence(log, arrivedMs);
    else if (inTrouble && log.random.chance(0.22)) inventorySyncVendorError(log, arrivedMs);
    else healthyRequest(log, "inventory-sync", arrivedMs);
  }

  healthyTraffic(log, "checkout", 80);
  healthyTraffic(log, "search", 150);
  healthyTraffic(log, "profile", 90);
}

function inventorySyncTimeoutLoggedWithoutEvidence(log, arrivedMs) {
  const req = openRequest(log, "inventory-sync", arrivedMs);
  receive(log, req);
  validate(log, req);
  // The mistake: the fetch threw after the 5 s timeout, and the catch block logs no upstream evidence.
  req.stage("exception", 5000 + log.random.between(0.5, 9), 500, { errorCode: "UPSTREAM_TIMEOUT" });
}

function inventorySyncVendorError(log, arrivedMs) {
  const req = openRequest(log, "inventory-sync", arrivedMs);
  receive(log, req);
  validate(log, req);
  upstreamAnswered(log, req, 503, log.random.skewed(25, 300));
  respond(log, req, 502, "UPSTREAM_ERROR");
}

/** 00:30-05:30, low traffic, nothing goes wrong: every function's verdict is OK. */
function quietNight(log) {
  healthyTraffic(log, "checkout", 55);
  healthyTraffic(log, "search", 140);
  healthyTraffic(log, "profile", 95);
  healthyTraffic(log, "payments-webhook", 45);
}

const SAMPLES = [
  {
    file: "vendor-outage.ndjson",
    seed: 0x5eed0001,
    start: "2025-03-14T13:00:00.000Z",
    hours: 1,
    story: vendorOutage,
    gzip: true,
  },
  {
    file: "app-bug-after-deploy.ndjson",
    seed: 0x5eed0002,
    start: "2025-03-18T09:00:00.000Z",
    hours: 1,
    story: appBugAfterDeploy,
  },
  {
    file: "app-bottleneck.ndjson",
    seed: 0x5eed0003,
    start: "2025-03-20T14:00:00.000Z",
    hours: 1,
    story: appBottleneck,
  },
  {
    file: "evidence-gap.ndjson",
    seed: 0x5eed0004,
    start: "2025-03-22T01:00:00.000Z",
    hours: 1.5,
    story: evidenceGap,
  },
  {
    file: "quiet-night.ndjson",
    seed: 0x5eed0005,
    start: "2025-03-23T00:30:00.000Z",
    hours: 5,
    story: quietNight,
  },
];

/** Tells one sample's story and returns its NDJSON text, records in time order as a log shipper sees them. */
function renderSample(sample) {
  const log = newLog(sample.seed, sample.start);
  log.endMs = log.startMs + sample.hours * 3_600_000;
  sample.story(log);
  // Array sort is stable, so records with the same millisecond keep the order they were logged in.
  const ordered = log.entries.slice().sort((a, b) => a.atMs - b.atMs);
  const text = ordered.map((entry) => JSON.stringify(entry.record) + "\n").join("");
  return { text, lines: ordered.length, requests: log.requestIds.size };
}

function main() {
  const outDir = process.argv[2] === undefined ? DEFAULT_OUT_DIR : resolve(process.argv[2]);
  mkdirSync(outDir, { recursive: true });
  for (const sample of SAMPLES) {
    const { text, lines, requests } = renderSample(sample);
    writeFileSync(join(outDir, sample.file), text);
    if (sample.gzip) writeFileSync(join(outDir, `${sample.file}.gz`), gzipSync(text));
    console.log(`${sample.file}: ${lines} lines, ${requests} requests`);
  }
}

main();
