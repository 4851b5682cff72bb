import { LineSplitter } from "../src/input/line-splitter.js";
import { Intake } from "../src/m1/intake.js";
import { DEFAULT_THRESHOLDS, type Thresholds } from "../src/m1/rules.js";
import type { ReadResult } from "../src/read-logs.js";
import { buildReport } from "../src/report/build-report.js";
import type { Report } from "../src/report/report.js";

/** In-memory sources: name → text. */
export type Sources = Readonly<Record<string, string>>;

/** Runs the pure pipeline (split, parse, validate, merge) over in-memory sources, in the order given. */
export function readText(sources: Sources, maxLineBytes = 1024 * 1024): ReadResult {
  const intake = new Intake({ strict: false, allowed: new Set() });
  const results = Object.entries(sources).map(([source, text], index) => {
    const splitter = new LineSplitter(intake.sinkFor({ index, name: source }), maxLineBytes);
    splitter.push(Buffer.from(text));
    splitter.end();
    return { source, lines: splitter.lines, bytes: Buffer.byteLength(text), error: null };
  });
  return { intake, units: intake.units, sources: results, complete: true, threads: 1 };
}

/** The report for in-memory sources. */
export function reportFor(sources: Sources, thresholds: Thresholds = DEFAULT_THRESHOLDS): Report {
  return buildReport(readText(sources), { thresholds });
}

/** A valid M1 record with every required field (an upstream failure), for the validators' tests. */
export const SAMPLE_RECORD = {
  request_id: "r1",
  function: "checkout",
  stage: "upstream",
  status: 502,
  latency_ms: 812,
  error_code: "UPSTREAM_ERROR",
  upstream_status: 503,
  upstream_latency_ms: 790,
};

/** One M1 line, with defaults for the fields a case does not care about. */
export function m1(fields: Readonly<Record<string, unknown>> = {}): string {
  return JSON.stringify({
    request_id: "r1",
    function: "checkout",
    stage: "respond",
    status: 200,
    latency_ms: 10,
    error_code: null,
    upstream_status: 200,
    upstream_latency_ms: 5,
    ...fields,
  });
}
