// A Report built by hand, for the modules that only read one (gates, the live view, diff): they are
// tested on exact numbers without running the pipeline.
import type { Verdict } from "../src/m1/rules.js";
import type { FunctionSummary, Report, VerdictCounts, VerdictSummary } from "../src/report/report.js";
import { STOP_RULE } from "../src/report/report.js";

const ZERO: VerdictCounts = {
  OK: 0,
  UNKNOWN: 0,
  VENDOR: 0,
  APPLICATION: 0,
  APP_BOTTLENECK: 0,
  UNATTRIBUTED: 0,
};

/** A verdict summary from counts; the verdict and share are given, not derived (tests choose them). */
export function summary(counts: Partial<VerdictCounts>, verdict: Verdict, share = 1): VerdictSummary {
  const verdicts = { ...ZERO, ...counts };
  const units = Object.values(verdicts).reduce((a, b) => a + b, 0);
  return { units, incidents: units - verdicts.OK, verdict, share, verdicts };
}

/** A function's summary with empty latency, error codes and evidence unless given. */
export function fn(
  name: string,
  counts: Partial<VerdictCounts>,
  verdict: Verdict,
  share = 1,
  extra: Partial<FunctionSummary> = {},
): FunctionSummary {
  return {
    function: name,
    ...summary(counts, verdict, share),
    latencyMs: { p50: 10, p95: 20, p99: 30 },
    errorCodes: [],
    evidence: [],
    ...extra,
  };
}

/** A whole report; the overall summary is the sum of the functions' counts unless given. */
export function fakeReport(
  functions: readonly FunctionSummary[],
  overrides: Partial<Omit<Report, "input">> & { input?: Partial<Report["input"]> } = {},
): Report {
  const total: Record<Verdict, number> = { ...ZERO };
  for (const f of functions) for (const v of Object.keys(total) as Verdict[]) total[v] += f.verdicts[v];
  const { input, ...rest } = overrides;
  return {
    schema: "attribute.report/v1",
    thresholds: { slowMs: 1000, upstreamShare: 0.2 },
    complete: true,
    sources: [{ source: "a.ndjson", lines: 100, error: null }],
    input: {
      lines: 100,
      valid: 100,
      invalid: 0,
      blank: 0,
      duplicates: 0,
      violations: [],
      violationsByReason: {},
      unknownFields: {},
      unknownFieldsNotListed: 0,
      ...input,
    },
    timeSpan: { first: "2026-11-25T00:00:00.000Z", last: "2026-11-25T01:00:00.000Z" },
    overall: summary(total, "OK"),
    functions,
    window: null,
    timeline: null,
    gates: null,
    stopRule: STOP_RULE,
    ...rest,
  } as Report;
}
