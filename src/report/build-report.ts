import type { Intake } from "../m1/intake.js";
import {
  classify,
  VERDICTS,
  type Thresholds,
  type UnitFacts,
  type UnitFactsScratch,
  type Verdict,
} from "../m1/rules.js";
import type { UnitsReader } from "../m1/units-reader.js";
import type { ReadResult } from "../read-logs.js";
import { EvidenceGatherer, rankCodes } from "./evidence.js";
import { percentiles } from "./percentiles.js";
import type { FunctionSummary, InputSummary, Report, VerdictCounts, VerdictSummary } from "./report.js";
import { STOP_RULE } from "./report.js";

/** How many violations the report lists with their location (`invalid` stays the full count). */
export const LISTED_VIOLATIONS = 100;
/** How many error codes a function lists. */
const LISTED_ERROR_CODES = 5;

export interface ReportOptions {
  readonly thresholds: Thresholds;
  /** Thresholds for one function, where configuration overrides them; defaults to `thresholds`. */
  readonly thresholdsFor?: (fn: string) => Thresholds;
}

/** The verdict of every unit, by unit index, as an index into VERDICTS. */
export function classifyUnits(units: UnitsReader, options: ReportOptions): Uint8Array {
  const verdicts = new Uint8Array(units.size);
  const perFunction = thresholdsByFunction(units, options);
  for (let i = 0; i < units.size; i++)
    verdicts[i] = verdictIndex(units.facts(i), perFunction[units.functionIdOf(i)] as Thresholds);
  return verdicts;
}

/** Each function's thresholds, by function id. */
function thresholdsByFunction(units: UnitsReader, options: ReportOptions): Thresholds[] {
  return units.functions.map((fn) => options.thresholdsFor?.(fn) ?? options.thresholds);
}

/** A unit's verdict as an index into VERDICTS. */
function verdictIndex(facts: UnitFacts, thresholds: Thresholds): number {
  return VERDICTS.indexOf(classify(facts, thresholds));
}

/**
 * Aggregates the merged units into the report of SPEC.md sections 4–6. Pure, and independent of the
 * order in which lines and sources were read: every list is sorted before it is shown.
 */
export function buildReport(read: ReadResult, options: ReportOptions): Report {
  const { units } = read;
  const functions = summarizeFunctions(units, options).sort((a, b) =>
    a.function < b.function ? -1 : a.function > b.function ? 1 : 0,
  );
  const overallCounts = emptyCounts();
  for (const fn of functions) for (const v of VERDICTS) overallCounts[v] += fn.verdicts[v];
  const { first, last } = units.timeSpan();
  return {
    schema: "attribute.report/v1",
    thresholds: { slowMs: options.thresholds.slowMs, upstreamShare: options.thresholds.upstreamShare },
    complete: read.complete,
    sources: read.sources
      .map(({ source, lines, error }) => ({ source, lines, error }))
      .sort(
        (a, b) =>
          compareText(a.source, b.source) || a.lines - b.lines || compareText(a.error ?? "", b.error ?? ""),
      ),
    input: summarizeInput(read.intake, units),
    timeSpan: { first: toIso(first), last: toIso(last) },
    overall: summarizeVerdicts(units.size, overallCounts),
    functions,
    window: null,
    timeline: null,
    gates: null,
    stopRule: STOP_RULE,
  };
}

function summarizeInput(intake: Intake, units: UnitsReader): InputSummary {
  const { tally } = intake;
  const unknown = intake.listedUnknownFields();
  const violations = [...tally.violations]
    .sort((a, b) => compareText(a.source, b.source) || a.line - b.line)
    .slice(0, LISTED_VIOLATIONS)
    .map(({ source, line, reason }) => ({ source, line, reason }));
  return {
    lines: tally.lines,
    valid: tally.valid,
    invalid: tally.invalid,
    blank: tally.blank,
    // Records left out by a time window were never merged, so they cannot be duplicates.
    duplicates: tally.valid - tally.outsideWindow - tally.noTimestamp - units.distinctRecords,
    violations,
    violationsByReason: sortedRecord(tally.violationsByKind),
    unknownFields: sortedRecord(unknown.listed),
    unknownFieldsNotListed: unknown.notListed,
  };
}

/** What one function's units add up to, gathered in the one pass over all units. */
class FunctionTally {
  readonly perVerdict = new Int32Array(VERDICTS.length);
  readonly latencies: Float64Array;
  units = 0;
  /**
   * Units share a few sets of words (stages and error codes): the sets are counted (by set id, a small
   * integer: an array, not a Map, which costs a hash lookup per unit), then the error codes in them.
   */
  readonly codeSets: number[] = [];
  readonly gatherers: (EvidenceGatherer | undefined)[] = [];

  constructor(size: number) {
    this.latencies = new Float64Array(size);
  }
}

/**
 * Every function's summary, from one pass over the units in index order: rows are read one after
 * another, not once per function with the others' rows in between (which made every read a cache miss).
 */
function summarizeFunctions(units: UnitsReader, options: ReportOptions): FunctionSummary[] {
  const perFunction = thresholdsByFunction(units, options);
  // Each part's units straight from its reader (not through a UnitSet's dispatch per unit).
  const parts = units.parts();
  const sizes = new Int32Array(units.functions.length);
  for (const { reader, functionIds } of parts) {
    for (let i = 0; i < reader.size; i++) {
      const fn = functionIds[reader.functionIdOf(i)] as number;
      sizes[fn] = (sizes[fn] as number) + 1;
    }
  }
  const tallies = Array.from(sizes, (size) => new FunctionTally(size));
  const errorCodesOf = (set: number): string[] => units.errorCodesOf(set);
  // One facts object for every unit: read at once by the classifier and the evidence, never kept.
  const scratch: UnitFactsScratch = { status: 0, latencyMs: 0, upstream: null, upstreamLatencyMs: null };
  for (const { reader, functionIds, setStride, setIndex } of parts) {
    for (let i = 0; i < reader.size; i++) {
      const fn = functionIds[reader.functionIdOf(i)] as number;
      const tally = tallies[fn] as FunctionTally;
      // Classified here, in the same pass (not by classifyUnits first): its facts are read once.
      const facts = reader.facts(i, scratch);
      const verdict = verdictIndex(facts, perFunction[fn] as Thresholds);
      tally.perVerdict[verdict] = (tally.perVerdict[verdict] as number) + 1;
      tally.latencies[tally.units++] = reader.latencyOf(i);
      const codeSet = reader.wordSetOf(i) * setStride + setIndex;
      tally.codeSets[codeSet] = (tally.codeSets[codeSet] ?? 0) + 1;
      if (verdict === OK_INDEX) continue;
      let gatherer = tally.gatherers[verdict];
      if (gatherer === undefined) {
        gatherer = new EvidenceGatherer(VERDICTS[verdict] as Verdict, errorCodesOf);
        tally.gatherers[verdict] = gatherer;
      }
      gatherer.add(reader.requestIdBytes(i), facts, codeSet);
    }
  }
  return tallies.map((tally, id) => summarizeFunction(units, tally, units.functions[id] as string));
}

function summarizeFunction(units: UnitsReader, tally: FunctionTally, fn: string): FunctionSummary {
  const [p50, p95, p99] = percentiles(tally.latencies, [50, 95, 99]) as [number, number, number];
  const codes = new Map<string | null, number>();
  tally.codeSets.forEach((count, set) => {
    for (const code of units.errorCodesOf(set)) codes.set(code, (codes.get(code) ?? 0) + count);
  });
  const counts = emptyCounts();
  VERDICTS.forEach((v, k) => (counts[v] = tally.perVerdict[k] as number));
  return {
    function: fn,
    ...summarizeVerdicts(tally.units, counts),
    latencyMs: { p50, p95, p99 },
    errorCodes: rankCodes(codes).slice(0, LISTED_ERROR_CODES),
    evidence: tally.gatherers.flatMap((gatherer) => (gatherer === undefined ? [] : [gatherer.result()])),
  };
}

const OK_INDEX = VERDICTS.indexOf("OK");

/**
 * SPEC.md section 4: the verdict held by the most incidents; a tie for the most is UNKNOWN (split
 * evidence: no blame); no incidents is OK.
 */
export function summarizeVerdicts(units: number, verdicts: VerdictCounts): VerdictSummary {
  const incidents = units - verdicts.OK;
  if (incidents === 0) return { units, incidents, verdict: "OK", share: 1, verdicts };
  let best: Verdict = "UNKNOWN";
  let bestCount = -1;
  let tied = false;
  for (const v of VERDICTS) {
    if (v === "OK") continue;
    const n = verdicts[v];
    if (n > bestCount) {
      best = v;
      bestCount = n;
      tied = false;
    } else if (n === bestCount) {
      tied = true;
    }
  }
  const verdict = tied ? "UNKNOWN" : best;
  return { units, incidents, verdict, share: verdicts[verdict] / incidents, verdicts };
}

function emptyCounts(): Record<Verdict, number> {
  return { OK: 0, UNKNOWN: 0, VENDOR: 0, APPLICATION: 0, APP_BOTTLENECK: 0, UNATTRIBUTED: 0 };
}

/** A plain object from a Map, keys sorted; safe for keys such as `__proto__` (own data properties). */
function sortedRecord(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort((a, b) => compareText(a[0], b[0])));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** UTC ISO-8601; epoch values beyond what a Date can hold are shown as the number itself. */
function toIso(ms: number): string | null {
  if (Number.isNaN(ms)) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
