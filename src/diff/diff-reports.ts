import * as z from "zod";
import { describeZodIssue } from "../describe-zod-issue.js";
import { InputError } from "../input-error.js";
import { VERDICTS, type Verdict } from "../m1/rules.js";

// The fields of the JSON report contract (SPEC.md section 6) that a diff reads. Other keys are allowed:
// the contract lets reports gain fields, and a diff of last night's report must not break on them.
const expected = (what: string) => ({ error: `expected ${what}` });
const count = z
  .number(expected("a whole number ≥ 0"))
  .int(expected("a whole number ≥ 0"))
  .min(0, expected("a whole number ≥ 0"));
const share = z
  .number(expected("a number from 0 to 1"))
  .min(0, expected("a number from 0 to 1"))
  .max(1, expected("a number from 0 to 1"));
const verdict = z.enum(VERDICTS, expected(`a verdict: ${VERDICTS.join(", ")}`));
const verdicts = z.object(
  {
    OK: count,
    UNKNOWN: count,
    VENDOR: count,
    APPLICATION: count,
    APP_BOTTLENECK: count,
    UNATTRIBUTED: count,
  },
  expected("an object with a count per verdict"),
);
const summary = { units: count, incidents: count, verdict, share, verdicts };
const isoOrNull = z.string(expected("a time or null")).nullable();

const ReportSchema = z.object(
  {
    schema: z.literal("attribute.report/v1", expected('"attribute.report/v1"')),
    complete: z.boolean(expected("true or false")).optional(),
    thresholds: z.object(
      { slowMs: z.number(expected("a number")), upstreamShare: z.number(expected("a number")) },
      expected("an object"),
    ),
    timeSpan: z.object({ first: isoOrNull, last: isoOrNull }, expected("an object")).optional(),
    overall: z.object(summary, expected("an object")),
    functions: z
      .array(
        z.object(
          {
            function: z.string(expected("a string")),
            ...summary,
            errorCodes: z.array(
              z.object(
                { code: z.string(expected("a string or null")).nullable(), count },
                expected("an object"),
              ),
              expected("an array"),
            ),
          },
          expected("an object"),
        ),
        expected("an array"),
      )
      .superRefine((functions, ctx) => {
        // Two entries for one function would make "what changed" ambiguous.
        const seen = new Set<string>();
        functions.forEach((fn, i) => {
          if (seen.has(fn.function)) {
            ctx.addIssue({
              code: "custom",
              path: [i, "function"],
              message: "expected a name not listed before",
            });
          }
          seen.add(fn.function);
        });
      }),
  },
  expected("a JSON object (an attribute report)"),
);

/** A report as far as a diff reads it. */
export type ReportForDiff = z.infer<typeof ReportSchema>;

/**
 * Validates a parsed JSON report; `name` (the file) starts every error, with the key path, what was
 * expected and what was found: `old.json: overall.incidents: expected a whole number ≥ 0, got …`.
 */
export function parseReportForDiff(value: unknown, name: string): ReportForDiff {
  const result = ReportSchema.safeParse(value);
  if (result.success) return result.data;
  const [first] = result.error.issues;
  const more =
    result.error.issues.length > 1
      ? ` (and ${result.error.issues.length - 1} more problem${result.error.issues.length > 2 ? "s" : ""})`
      : "";
  throw new InputError(`${name}: ${first === undefined ? "invalid" : describeZodIssue(first, value)}${more}`);
}

/** One side of a comparison: the counts and the rates derived from them. */
export interface DiffSide {
  readonly units: number;
  readonly incidents: number;
  readonly verdict: Verdict;
  readonly share: number;
  /** incidents / units; null when there were no units. */
  readonly incidentRate: number | null;
  /** UNKNOWN incidents / incidents (the evidence gap); null when there were no incidents. */
  readonly unknownShare: number | null;
}

/** How one function changed. */
export interface FunctionDiff {
  readonly function: string;
  /** `verdict`: in both, with a different verdict; `none`: in both, same verdict. */
  readonly change: "added" | "removed" | "verdict" | "none";
  readonly old: DiffSide | null;
  readonly new: DiffSide | null;
  /** New rate minus old, in percentage points; null when either side has none. */
  readonly incidentRatePoints: number | null;
  readonly unknownSharePoints: number | null;
  /**
   * Error codes listed in the new report and not in the old, in the new report's order. Reports list a
   * function's most frequent codes only, so a code here may have been present before below that cut.
   */
  readonly newErrorCodes: readonly string[];
}

/** The result of `attribute diff OLD NEW`, and its JSON output (`schema: "attribute.diff/v1"`). */
export interface ReportDiff {
  readonly schema: "attribute.diff/v1";
  readonly old: DiffSource;
  readonly new: DiffSource;
  /**
   * True when the overall verdict or a function's verdict changed, or a function was added or removed:
   * what `--fail-on-change` exits 1 on. Rates and error codes inform, they do not count as a change.
   */
  readonly changed: boolean;
  readonly overall: {
    readonly old: DiffSide;
    readonly new: DiffSide;
    readonly verdictChanged: boolean;
    readonly incidentRatePoints: number | null;
    readonly unknownSharePoints: number | null;
  };
  /** Every function of either report, in name order. */
  readonly functions: readonly FunctionDiff[];
  /** What may explain or qualify the differences (thresholds differ, a report is incomplete). */
  readonly notes: readonly string[];
}

/** Which report a side came from. */
export interface DiffSource {
  readonly name: string;
  readonly complete: boolean;
  readonly timeSpan: { readonly first: string | null; readonly last: string | null } | null;
  readonly thresholds: { readonly slowMs: number; readonly upstreamShare: number };
}

/**
 * Compares two parsed JSON reports (last night's and tonight's). Both are validated first; `names` (the
 * files) are used in errors and in the output.
 */
export function diffReports(
  before: unknown,
  after: unknown,
  names: { readonly old: string; readonly new: string } = { old: "OLD", new: "NEW" },
): ReportDiff {
  const a = parseReportForDiff(before, names.old);
  const b = parseReportForDiff(after, names.new);
  const oldFns = new Map(a.functions.map((fn) => [fn.function, fn]));
  const newFns = new Map(b.functions.map((fn) => [fn.function, fn]));
  const allNames = [...new Set([...oldFns.keys(), ...newFns.keys()])].sort(compareText);
  const functions = allNames.map((name): FunctionDiff => {
    const o = oldFns.get(name);
    const n = newFns.get(name);
    const oldSide = o === undefined ? null : sideOf(o);
    const newSide = n === undefined ? null : sideOf(n);
    const oldCodes = new Set(o?.errorCodes.map((c) => c.code) ?? []);
    return {
      function: name,
      change:
        oldSide === null
          ? "added"
          : newSide === null
            ? "removed"
            : oldSide.verdict !== newSide.verdict
              ? "verdict"
              : "none",
      old: oldSide,
      new: newSide,
      incidentRatePoints: points(oldSide?.incidentRate, newSide?.incidentRate),
      unknownSharePoints: points(oldSide?.unknownShare, newSide?.unknownShare),
      newErrorCodes: (n?.errorCodes ?? []).flatMap((c) =>
        c.code !== null && !oldCodes.has(c.code) ? [c.code] : [],
      ),
    };
  });
  const overallOld = sideOf(a.overall);
  const overallNew = sideOf(b.overall);
  const verdictChanged = overallOld.verdict !== overallNew.verdict;
  return {
    schema: "attribute.diff/v1",
    old: sourceOf(a, names.old),
    new: sourceOf(b, names.new),
    changed: verdictChanged || functions.some((f) => f.change !== "none"),
    overall: {
      old: overallOld,
      new: overallNew,
      verdictChanged,
      incidentRatePoints: points(overallOld.incidentRate, overallNew.incidentRate),
      unknownSharePoints: points(overallOld.unknownShare, overallNew.unknownShare),
    },
    functions,
    notes: notesOf(a, b, names),
  };
}

function sideOf(s: ReportForDiff["overall"]): DiffSide {
  return {
    units: s.units,
    incidents: s.incidents,
    verdict: s.verdict,
    share: s.share,
    incidentRate: s.units === 0 ? null : round(s.incidents / s.units, 6),
    unknownShare: s.incidents === 0 ? null : round(s.verdicts.UNKNOWN / s.incidents, 6),
  };
}

function sourceOf(r: ReportForDiff, name: string): DiffSource {
  return {
    name,
    complete: r.complete ?? true,
    timeSpan: r.timeSpan ?? null,
    thresholds: { slowMs: r.thresholds.slowMs, upstreamShare: r.thresholds.upstreamShare },
  };
}

function notesOf(
  a: ReportForDiff,
  b: ReportForDiff,
  names: { readonly old: string; readonly new: string },
): string[] {
  const notes: string[] = [];
  const t = (r: ReportForDiff): string =>
    `slowMs ${r.thresholds.slowMs}, upstreamShare ${r.thresholds.upstreamShare}`;
  if (t(a) !== t(b)) notes.push(`the thresholds differ (${t(a)} → ${t(b)}): some changes may come from them`);
  for (const [r, name] of [
    [a, names.old],
    [b, names.new],
  ] as const) {
    if (r.complete === false) notes.push(`${name} is INCOMPLETE: it covers only part of its input`);
  }
  return notes;
}

/** Rates are rounded so that JSON shows 0.081, not 0.08100000000000002; a diff is read by people. */
function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function points(before: number | null | undefined, after: number | null | undefined): number | null {
  if (before === null || before === undefined || after === null || after === undefined) return null;
  return round((after - before) * 100, 4);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
