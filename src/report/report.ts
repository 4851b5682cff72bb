import type { GateResult } from "../gates/gates.js";
import type { Thresholds, Verdict } from "../m1/rules.js";
import type { WindowSummary } from "../time/time-window.js";
import type { Timeline } from "./timeline.js";

/** The report of one run: the JSON contract of SPEC.md section 6, and what every renderer shows. */
export interface Report {
  readonly schema: "attribute.report/v1";
  /** The default thresholds in effect. */
  readonly thresholds: Thresholds;
  /** False when a source could not be read to its end or the run was interrupted. */
  readonly complete: boolean;
  /** Each source in name order, with its line count and, if reading stopped early, why. */
  readonly sources: readonly SourceSummary[];
  readonly input: InputSummary;
  /** Earliest and latest record timestamp (UTC ISO-8601), null when no record had one. */
  readonly timeSpan: { readonly first: string | null; readonly last: string | null };
  readonly overall: VerdictSummary;
  /** One entry per function, in name order. */
  readonly functions: readonly FunctionSummary[];
  /** `--since`/`--until`: the window and the valid records it left out; null without a window. */
  readonly window: WindowSummary | null;
  /** `--bucket`: verdict counts per time bucket; null without a bucket. */
  readonly timeline: Timeline | null;
  /** The CI gates asked for and which tripped (`tripped` empty: none). */
  readonly gates: GateResult | null;
  readonly stopRule: string;
}

export interface SourceSummary {
  readonly source: string;
  readonly lines: number;
  readonly error: string | null;
}

export interface InputSummary {
  readonly lines: number;
  readonly valid: number;
  readonly invalid: number;
  readonly blank: number;
  /** Valid records equal to an earlier record of their unit (counted once in attribution). */
  readonly duplicates: number;
  /** The first violations in (source, line) order; `invalid` is the full count. */
  readonly violations: readonly { readonly source: string; readonly line: number; readonly reason: string }[];
  /** How many violations there are of each kind. */
  readonly violationsByReason: Readonly<Record<string, number>>;
  /** Unknown field name → number of valid records that carry it. */
  readonly unknownFields: Readonly<Record<string, number>>;
  /** Occurrences of further unknown field names not listed by name (a memory bound). */
  readonly unknownFieldsNotListed: number;
}

export type VerdictCounts = Readonly<Record<Verdict, number>>;

export interface VerdictSummary {
  readonly units: number;
  /** Units whose verdict is not OK. */
  readonly incidents: number;
  readonly verdict: Verdict;
  /** The share of incidents holding `verdict` (1 when there are none). */
  readonly share: number;
  readonly verdicts: VerdictCounts;
}

export interface FunctionSummary extends VerdictSummary {
  readonly function: string;
  /** Nearest-rank percentiles of the merged latency_ms over the function's units. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number };
  /** The most frequent error codes, counted over units. */
  readonly errorCodes: readonly CodeCount[];
  /** One entry per verdict other than OK that some unit holds. */
  readonly evidence: readonly Evidence[];
}

export interface CodeCount {
  /** An error code, or null for units that logged none. */
  readonly code: string | null;
  readonly count: number;
}

export interface Evidence {
  readonly verdict: Verdict;
  readonly count: number;
  /** What the evidence was, in one sentence. */
  readonly summary: string;
  /** Up to three request ids, the smallest in string order. */
  readonly samples: readonly string[];
  /** For UNKNOWN: the incidents by error code, so that an unlogged timeout shows. */
  readonly errorCodes?: readonly CodeCount[];
  /** Incidents whose codes are past the 100 listed in `errorCodes` (present only when some are). */
  readonly errorCodesNotListed?: number;
}

/** SPEC.md section 5, word for word. */
export const STOP_RULE =
  "Stop rule: no data rewrite, schema change, or semantic patch without a replay plan and rollback.";
