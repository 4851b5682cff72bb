#!/usr/bin/env node
// The DuckDB peer: SPEC.md sections 2–3 as close as SQL allows, through @duckdb/node-api.
//
//   node bench/peers/duckdb.mjs [--threads N] [--strict] [--slow-ms 1000] [--upstream-share 0.2] FILE
//
// read_ndjson with the eight required fields declared (upstream_status as VARCHAR: it can be
// "timeout"), ignore_errors=true (a line that is not JSON becomes a row of NULLs, dropped by the
// filters); group by (request_id, function) taking max(status), max(latency_ms), the most severe
// upstream status ("timeout" = 600, a number is itself: severity order is numeric order), and
// max(upstream_latency_ms); classify with rules 1–6 of SPEC section 3; count by function and verdict.
// Works on .gz too (DuckDB decompresses gzip NDJSON by the file name).
//
// Known differences from SPEC.md section 1 (DuckDB coerces where the SPEC does not):
//   default:  "status":"500" is read as 500, "latency_ms":"12" as 12, 500.5 as 500 (rounded), true as 1,
//             a string "503" in upstream_status as 503, a number in a string field as a string; a
//             missing nullable key (error_code, upstream_status, upstream_latency_ms) is read as null.
//   --strict: reads the fields as JSON and checks json_type, so wrong types are dropped as the SPEC
//             says; a missing nullable key is still read as null (DuckDB maps JSON null to NULL).
//   both:     the timestamp is not read, so a bad one is not seen; and a broken line that ends where a
//             value is expected (`"key":`, `[`, or `,` in an array) makes DuckDB read on past its newline
//             (skipping blank lines) and lose the next line too, valid or not.
// Ranges (status 100–599, latencies ≥ 0, upstream status) and missing non-nullable keys are checked in
// both modes. bench/check-duckdb.py proves that these are the only differences: --strict matches an
// independent implementation of SPEC.md sections 1–3 given exactly these blind spots.
// Prints one JSON document on stdout.
import { DuckDBInstance } from "@duckdb/node-api";

const VERDICTS = ["OK", "UNKNOWN", "VENDOR", "APPLICATION", "APP_BOTTLENECK", "UNATTRIBUTED"];

function parseArgs(argv) {
  const opts = { threads: 2, strict: false, slowMs: 1000, upstreamShare: 0.2, file: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--threads") opts.threads = Number(argv[++i]);
    else if (a === "--strict") opts.strict = true;
    else if (a === "--slow-ms") opts.slowMs = Number(argv[++i]);
    else if (a === "--upstream-share") opts.upstreamShare = Number(argv[++i]);
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else opts.file = a;
  }
  if (!opts.file) throw new Error("usage: node bench/peers/duckdb.mjs [--threads N] [--strict] FILE");
  if (!(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new Error("--threads must be ≥ 1");
  if (!Number.isFinite(opts.slowMs) || !Number.isFinite(opts.upstreamShare)) throw new Error("bad threshold");
  return opts;
}

const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;

/** The valid records, as (request_id, function, status, latency_ms, us, upstream_latency_ms). */
function recordsSql(file, strict) {
  if (!strict) {
    return `
      SELECT request_id, function, status, latency_ms,
             CASE WHEN upstream_status = 'timeout' THEN 600
                  ELSE TRY_CAST(upstream_status AS INTEGER) END AS us,
             upstream_status, upstream_latency_ms
      FROM read_ndjson(${sqlString(file)},
             columns = {request_id: 'VARCHAR', function: 'VARCHAR', stage: 'VARCHAR', status: 'INTEGER',
                        latency_ms: 'DOUBLE', error_code: 'VARCHAR', upstream_status: 'VARCHAR',
                        upstream_latency_ms: 'DOUBLE'},
             format = 'newline_delimited', ignore_errors = true)
      WHERE length(request_id) BETWEEN 1 AND 256 AND length(function) BETWEEN 1 AND 256
        AND length(stage) BETWEEN 1 AND 128
        AND status BETWEEN 100 AND 599 AND latency_ms >= 0
        AND (error_code IS NULL OR length(error_code) BETWEEN 1 AND 128)
        AND (upstream_latency_ms IS NULL OR upstream_latency_ms >= 0)`;
  }
  // Strict: every field read as JSON, its JSON type checked before it is cast.
  return `
      SELECT request_id ->> '$' AS request_id, function ->> '$' AS function,
             TRY_CAST(status AS INTEGER) AS status, TRY_CAST(latency_ms AS DOUBLE) AS latency_ms,
             CASE WHEN json_type(upstream_status) = 'VARCHAR' THEN 600
                  ELSE TRY_CAST(upstream_status AS INTEGER) END AS us,
             upstream_status, TRY_CAST(upstream_latency_ms AS DOUBLE) AS upstream_latency_ms
      FROM read_ndjson(${sqlString(file)},
             columns = {request_id: 'JSON', function: 'JSON', stage: 'JSON', status: 'JSON', latency_ms: 'JSON',
                        error_code: 'JSON', upstream_status: 'JSON', upstream_latency_ms: 'JSON'},
             format = 'newline_delimited', ignore_errors = true)
      WHERE json_type(request_id) = 'VARCHAR' AND length(request_id ->> '$') BETWEEN 1 AND 256
        AND json_type(function) = 'VARCHAR' AND length(function ->> '$') BETWEEN 1 AND 256
        AND json_type(stage) = 'VARCHAR' AND length(stage ->> '$') BETWEEN 1 AND 128
        AND json_type(status) IN ('UBIGINT', 'BIGINT') AND TRY_CAST(status AS BIGINT) BETWEEN 100 AND 599
        AND json_type(latency_ms) IN ('UBIGINT', 'BIGINT', 'DOUBLE') AND TRY_CAST(latency_ms AS DOUBLE) >= 0
        AND (error_code IS NULL
             OR (json_type(error_code) = 'VARCHAR' AND length(error_code ->> '$') BETWEEN 1 AND 128))
        AND (upstream_status IS NULL OR upstream_status = '"timeout"'
             OR (json_type(upstream_status) IN ('UBIGINT', 'BIGINT')
                 AND TRY_CAST(upstream_status AS BIGINT) BETWEEN 100 AND 599))
        AND (upstream_latency_ms IS NULL
             OR (json_type(upstream_latency_ms) IN ('UBIGINT', 'BIGINT', 'DOUBLE')
                 AND TRY_CAST(upstream_latency_ms AS DOUBLE) >= 0))`;
}

export function attributionSql(file, { strict = false, slowMs = 1000, upstreamShare = 0.2 } = {}) {
  return `
    WITH records AS (${recordsSql(file, strict)}),
    valid AS (
      SELECT * FROM records
      WHERE upstream_status IS NULL OR us = 600 OR us BETWEEN 100 AND 599
    ),
    units AS (
      SELECT request_id, function,
             max(status) AS s, max(latency_ms) AS l, max(us) AS u, max(upstream_latency_ms) AS ul
      FROM valid
      GROUP BY request_id, function
    ),
    classified AS (
      SELECT function,
             CASE
               WHEN NOT (s >= 400 OR l >= ${Number(slowMs)}) THEN 'OK'
               WHEN u IS NULL THEN 'UNKNOWN'
               WHEN u >= 500 AND s BETWEEN 500 AND 599 THEN 'VENDOR'
               WHEN u BETWEEN 200 AND 299 AND s >= 400 THEN 'APPLICATION'
               WHEN l >= ${Number(slowMs)} AND ul IS NOT NULL AND ul <= ${Number(upstreamShare)}::DOUBLE * l
                 THEN 'APP_BOTTLENECK'
               ELSE 'UNATTRIBUTED'
             END AS verdict
      FROM units
    )
    SELECT function, verdict, count(*)::INTEGER AS n
    FROM classified
    GROUP BY function, verdict
    ORDER BY function, verdict`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = process.hrtime.bigint();
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  await conn.run(`SET threads = ${opts.threads}`);
  await conn.run("SET preserve_insertion_order = false");
  const queryStarted = process.hrtime.bigint();
  const reader = await conn.runAndReadAll(attributionSql(opts.file, opts));
  const querySeconds = Number(process.hrtime.bigint() - queryStarted) / 1e9;

  const functions = {};
  const overall = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  let units = 0;
  for (const { function: fn, verdict, n } of reader.getRowObjectsJson()) {
    const row = (functions[fn] ??= Object.fromEntries(VERDICTS.map((v) => [v, 0])));
    row[verdict] = Number(n);
    overall[verdict] += Number(n);
    units += Number(n);
  }
  const version = (await conn.runAndReadAll("SELECT version() AS v")).getRowObjectsJson()[0].v;
  conn.closeSync();
  process.stdout.write(
    JSON.stringify({
      tool: "duckdb",
      version,
      threads: opts.threads,
      strict: opts.strict,
      thresholds: { slowMs: opts.slowMs, upstreamShare: opts.upstreamShare },
      units,
      overall,
      functions,
      querySeconds,
      totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    }) + "\n",
  );
}

main().catch((err) => {
  process.stderr.write(`duckdb peer: ${err.message}\n`);
  process.exit(1);
});
