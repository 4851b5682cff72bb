#!/usr/bin/env node
// Deterministic generator of synthetic M1 NDJSON for the benchmark (see SPEC.md section 1).
//
//   node bench/generate.mjs --lines 2000000 --units 666667 --bad 0.001 --seed 1 --out bench/data/m1.ndjson
//
// Options:
//   --seed N     PRNG seed (default 1); the same options give the same bytes.
//   --lines N    total lines written, bad ones included (default 1000000).
//   --units N    distinct (request_id, function) pairs (default lines / 3). Valid records are dealt out
//                over the units in rounds, each round in a different pseudo-random order, so every unit
//                gets floor or ceil(valid / units) records and the records of one unit are spread
//                through the file (the worst case for memory: nothing can be finished early).
//   --bad F      share of bad lines, 0..1 (default 0): non-JSON, truncated JSON, non-object JSON, wrong
//                types (`"status":"500"`), missing keys, values out of range, and blank lines (blank
//                lines are counted by SPEC as blank, not as violations).
//   --out FILE   output file (required; "-" for stdout).
//   --gzip       gzip the output (a single gzip member).
//   --quiet      no summary on stderr.
//
// Each unit follows one scenario, chosen by a hash of (seed, unit), so that its merged record gets a
// known verdict: mostly OK, then VENDOR, APPLICATION, UNKNOWN, APP_BOTTLENECK and a few UNATTRIBUTED.
// A summary (lines, bytes, units, bad lines by kind, and the expected verdict counts by function, exact
// under SPEC.md) goes to stderr as JSON.
import fs from "node:fs";
import zlib from "node:zlib";
import { once } from "node:events";

// ---------- randomness ----------

/** mulberry32: a small, fast, seeded 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit integer hash (lowbias32), used to give each unit stable properties. */
function hash32(x) {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

// ---------- the shape of the data ----------

const FUNCTIONS = [
  ["checkout", 22],
  ["payment-authorize", 18],
  ["inventory-reserve", 14],
  ["search", 14],
  ["user-profile", 12],
  ["shipping-quote", 9],
  ["recommendations", 7],
  ["notify-email", 4],
];
const FUNCTION_TABLE = weightedTable(FUNCTIONS);

const SCENARIOS = [
  ["OK", 855],
  ["VENDOR", 45],
  ["APPLICATION", 35],
  ["UNKNOWN", 30],
  ["APP_BOTTLENECK", 25],
  ["UNATTRIBUTED", 10],
];
const SCENARIO_TABLE = weightedTable(SCENARIOS);

const STAGES = ["auth", "validate", "upstream", "persist", "respond"];

/** A 1000-slot lookup table for a weighted choice driven by a hash. */
function weightedTable(pairs) {
  const total = pairs.reduce((s, [, w]) => s + w, 0);
  const table = new Array(1000);
  let slot = 0;
  pairs.forEach(([name, w], i) => {
    const end = i === pairs.length - 1 ? 1000 : slot + Math.round((w / total) * 1000);
    for (; slot < end; slot++) table[slot] = name;
  });
  return table;
}

function pick(rng, arr) {
  return arr[Math.floor(rng() * arr.length)];
}

/** One decimal place, as services often log latencies. */
function ms(x) {
  return Math.round(x * 10) / 10;
}

const HEX = "0123456789abcdef";
function hex(n, width) {
  let s = "";
  for (let i = 0; i < width; i++) {
    s = HEX[n & 15] + s;
    n = Math.floor(n / 16);
  }
  return s;
}

/** Stable per-unit hashes, function and scenario (the verdict the unit's merged record will have). */
function unitClass(seed, unit) {
  const h1 = hash32(Math.imul(seed, 0x9e3779b1) + unit);
  const h2 = hash32(h1 ^ 0x85ebca6b);
  const h3 = hash32(h2 + unit);
  const fn = FUNCTION_TABLE[hash32(h3 ^ 0x27d4eb2f) % 1000];
  const scenario = SCENARIO_TABLE[hash32(h1 + 0x165667b1) % 1000];
  return { h1, h2, h3, fn, scenario };
}

/** Stable per-unit identity: a UUID-shaped request id (unique: it ends with the unit number) and a function. */
function unitIdentity(seed, unit) {
  const { h1, h2, h3, fn, scenario } = unitClass(seed, unit);
  const requestId = `${hex(h1, 8)}-${hex(h2 >>> 16, 4)}-4${hex(h2, 3)}-${HEX[8 + (h3 & 3)]}${hex(h3 >>> 4, 3)}-${hex(unit, 12)}`;
  return { requestId, fn, scenario };
}

/** The fields of one record of a unit in a given scenario; merging any records of it keeps the verdict. */
function recordFields(rng, scenario) {
  let status, latency, errorCode, upstream, upstreamLatency;
  switch (scenario) {
    case "OK": {
      status = pick(rng, [200, 200, 200, 200, 200, 200, 200, 201, 204, 304]);
      latency = ms(3 + rng() * rng() * 900);
      errorCode = rng() < 0.03 ? "RETRIED" : null;
      const u = rng();
      upstream = u < 0.72 ? 200 : u < 0.92 ? null : u < 0.97 ? 404 : 503;
      upstreamLatency = upstream === null ? null : ms(latency * (0.1 + rng() * 0.85));
      break;
    }
    case "VENDOR": {
      status = pick(rng, [502, 503, 504, 500]);
      upstream = pick(rng, ["timeout", "timeout", 503, 502, 500]);
      latency = ms(upstream === "timeout" ? 3000 + rng() * 7000 : 40 + rng() * 2500);
      errorCode = upstream === "timeout" ? "UPSTREAM_TIMEOUT" : "UPSTREAM_ERROR";
      upstreamLatency = rng() < 0.1 ? null : ms(latency * (0.8 + rng() * 0.19));
      break;
    }
    case "APPLICATION": {
      status = pick(rng, [400, 422, 409, 500]);
      latency = ms(5 + rng() * 800);
      errorCode = pick(rng, ["VALIDATION_FAILED", "INVALID_STATE", "NULL_REFERENCE"]);
      upstream = pick(rng, [200, 200, 201]);
      upstreamLatency = ms(latency * (0.2 + rng() * 0.6));
      break;
    }
    case "UNKNOWN": {
      status = pick(rng, [500, 502, 504]);
      latency = ms(100 + rng() * 5000);
      errorCode = pick(rng, ["UPSTREAM_TIMEOUT", "UPSTREAM_TIMEOUT", "INTERNAL", null]);
      upstream = null;
      upstreamLatency = null;
      break;
    }
    case "APP_BOTTLENECK": {
      status = 200;
      latency = ms(1000 + rng() * 5000);
      errorCode = rng() < 0.5 ? "SLOW_QUERY" : null;
      upstream = 200;
      upstreamLatency = ms(latency * (0.02 + rng() * 0.16));
      break;
    }
    default: {
      // UNATTRIBUTED: slow with most of the time upstream, or a 404 passed through.
      if (rng() < 0.5) {
        status = 200;
        latency = ms(1000 + rng() * 3000);
        errorCode = null;
        upstream = 200;
        upstreamLatency = ms(latency * (0.5 + rng() * 0.45));
      } else {
        status = 404;
        latency = ms(5 + rng() * 300);
        errorCode = "NOT_FOUND";
        upstream = 404;
        upstreamLatency = ms(latency * (0.3 + rng() * 0.6));
      }
    }
  }
  return { status, latency, errorCode, upstream, upstreamLatency };
}

function q(v) {
  return v === null ? "null" : typeof v === "string" ? `"${v}"` : String(v);
}

function formatLine(id, f, stage, ts) {
  return `{"request_id":"${id.requestId}","function":"${id.fn}","stage":"${stage}","status":${f.status},"latency_ms":${f.latency},"error_code":${q(f.errorCode)},"upstream_status":${q(f.upstream)},"upstream_latency_ms":${q(f.upstreamLatency)},"ts":"${ts}"}`;
}

const BAD_KINDS = [
  "not-json",
  "truncated",
  "non-object",
  "status-string",
  "latency-string",
  "missing-key",
  "out-of-range",
  "blank",
];

function badLine(rng, kind, id, f, stage, ts) {
  switch (kind) {
    case "not-json":
      return pick(rng, [
        `${ts} ERROR ${id.fn} request ${id.requestId} failed with status ${f.status}`,
        "<html><body>502 Bad Gateway</body></html>",
        `{request_id: ${id.requestId}, status: ${f.status}}`,
      ]);
    case "truncated": {
      const line = formatLine(id, f, stage, ts);
      return line.slice(0, 20 + Math.floor(rng() * (line.length - 40)));
    }
    case "non-object":
      return pick(rng, ["[]", '"ok"', "null", "42", `[${f.status},${f.latency}]`]);
    case "status-string":
      return formatLine(id, f, stage, ts).replace(`"status":${f.status}`, `"status":"${f.status}"`);
    case "latency-string":
      return formatLine(id, f, stage, ts).replace(`"latency_ms":${f.latency}`, `"latency_ms":"${f.latency}"`);
    case "missing-key": {
      const key = pick(rng, ["status", "latency_ms", "error_code", "upstream_status", "upstream_latency_ms"]);
      const obj = {
        request_id: id.requestId,
        function: id.fn,
        stage,
        status: f.status,
        latency_ms: f.latency,
        error_code: f.errorCode,
        upstream_status: f.upstream,
        upstream_latency_ms: f.upstreamLatency,
        ts,
      };
      delete obj[key];
      return JSON.stringify(obj);
    }
    case "out-of-range":
      return rng() < 0.5
        ? formatLine(id, { ...f, status: 700 }, stage, ts)
        : formatLine(id, { ...f, latency: -f.latency - 1 }, stage, ts);
    default:
      return pick(rng, ["", "   ", "\t"]);
  }
}

// ---------- output ----------

/** A sink that takes strings in big chunks: plain files with writeSync, gzip through a zlib stream. */
function openSink(out, gzip) {
  if (!gzip) {
    const fd = out === "-" ? 1 : fs.openSync(out, "w");
    return {
      async write(s) {
        const buf = Buffer.from(s, "utf8");
        let off = 0;
        while (off < buf.length) off += fs.writeSync(fd, buf, off);
      },
      async close() {
        if (fd !== 1) fs.closeSync(fd);
      },
    };
  }
  const gz = zlib.createGzip({ level: 6 });
  const file = out === "-" ? process.stdout : fs.createWriteStream(out);
  gz.pipe(file);
  return {
    async write(s) {
      if (!gz.write(s)) await once(gz, "drain");
    },
    async close() {
      gz.end();
      if (file !== process.stdout) await once(file, "finish");
    },
  };
}

// ---------- the generator ----------

/**
 * Writes `lines` lines of M1 NDJSON to `out`. Returns a summary.
 * Deterministic: the same options give the same bytes.
 */
export async function generate({ seed = 1, lines = 1_000_000, units, bad = 0, out, gzip = false }) {
  if (!out) throw new Error("--out is required");
  if (!(lines >= 0) || !Number.isInteger(lines)) throw new Error("--lines must be an integer ≥ 0");
  units = units ?? Math.max(1, Math.round(lines / 3));
  if (!(units >= 1) || !Number.isInteger(units)) throw new Error("--units must be an integer ≥ 1");
  if (!(bad >= 0 && bad <= 1)) throw new Error("--bad must be between 0 and 1");

  const rng = mulberry32(seed);
  const sink = openSink(out, gzip);
  const badCounts = Object.fromEntries(BAD_KINDS.map((k) => [k, 0]));
  const CHUNK = 8 * 1024 * 1024; // characters per write
  let parts = [];
  let partChars = 0;
  let bytes = 0;

  // Records are dealt over units in rounds; round r visits unit (a_r * j + b_r) mod units.
  let round = -1;
  let j = units; // forces a new round on the first record
  let a = 1;
  let b = 0;
  const newRound = () => {
    round++;
    j = 0;
    do a = 524288 + 2 * Math.floor(rng() * 262144) + 1;
    while (gcd(a, units) !== 1);
    b = Math.floor(rng() * units);
  };

  // Time: starts at a fixed instant and advances 0–2 ms per line; the ISO prefix is cached per second.
  let t = Date.UTC(2026, 2, 1, 12, 0, 0, 0);
  let sec = -1;
  let prefix = "";
  const idCache = new Map(); // small cache of identities, useful when units are few
  const identity = (unit) => {
    if (units > 200_000) return unitIdentity(seed, unit);
    let id = idCache.get(unit);
    if (id === undefined) idCache.set(unit, (id = unitIdentity(seed, unit)));
    return id;
  };

  let valid = 0;
  for (let i = 0; i < lines; i++) {
    t += Math.floor(rng() * 3);
    const s = Math.floor(t / 1000);
    if (s !== sec) {
      sec = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const m = t - s * 1000;
    const ts = prefix + (m < 10 ? "00" : m < 100 ? "0" : "") + m + "Z";

    if (j >= units) newRound();
    const unit = (a * j + b) % units;
    const id = identity(unit);
    const stage = STAGES[(round + (unit % 2)) % STAGES.length]; // the round is the record's index in its unit
    const f = recordFields(rng, id.scenario);

    let line;
    if (bad > 0 && rng() < bad) {
      const kind = BAD_KINDS[Math.floor(rng() * BAD_KINDS.length)];
      badCounts[kind]++;
      line = badLine(rng, kind, id, f, stage, ts); // does not consume the unit's slot
    } else {
      line = formatLine(id, f, stage, ts);
      j++;
      valid++;
    }
    parts.push(line);
    partChars += line.length + 1;
    if (partChars >= CHUNK) {
      parts.push("");
      const s2 = parts.join("\n");
      bytes += Buffer.byteLength(s2);
      await sink.write(s2);
      parts = [];
      partChars = 0;
    }
  }
  if (parts.length) {
    parts.push("");
    const s2 = parts.join("\n");
    bytes += Buffer.byteLength(s2);
    await sink.write(s2);
  }
  await sink.close();

  // The verdict each unit was built to have, counted by function. Every unit that got at least one valid
  // record has it under SPEC.md (bad lines are left out of attribution), so these are the expected counts.
  // When there were fewer valid records than units, only round 0 ran, and it covered the first `valid`
  // units of its permutation; otherwise every unit got a record.
  const unitsWithRecords = Math.min(units, valid);
  const expected = {};
  for (let k = 0; k < unitsWithRecords; k++) {
    const c = unitClass(seed, valid >= units ? k : (a * k + b) % units);
    const byVerdict = (expected[c.fn] ??= Object.fromEntries(SCENARIOS.map(([v]) => [v, 0])));
    byVerdict[c.scenario]++;
  }
  return {
    seed,
    lines,
    units: unitsWithRecords,
    bad: Object.values(badCounts).reduce((x, y) => x + y, 0),
    badKinds: badCounts,
    validRecords: valid,
    bytes, // uncompressed
    gzip,
    expected: Object.fromEntries(
      Object.keys(expected)
        .sort()
        .map((k) => [k, expected[k]]),
    ),
  };
}

// ---------- command line ----------

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case "--seed":
        opts.seed = Number(value());
        break;
      case "--lines":
        opts.lines = Number(value());
        break;
      case "--units":
        opts.units = Number(value());
        break;
      case "--bad":
        opts.bad = Number(value());
        break;
      case "--out":
        opts.out = value();
        break;
      case "--gzip":
        opts.gzip = true;
        break;
      case "--quiet":
        opts.quiet = true;
        break;
      case "-h":
      case "--help":
        process.stdout.write(
          "usage: node bench/generate.mjs --out FILE [--seed N] [--lines N] [--units N] [--bad F] [--gzip] [--quiet]\n",
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  return opts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const started = process.hrtime.bigint();
    const summary = await generate(opts);
    summary.seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!opts.quiet) process.stderr.write(JSON.stringify(summary) + "\n");
  } catch (err) {
    process.stderr.write(`generate: ${err.message}\n`);
    process.exit(2);
  }
}
