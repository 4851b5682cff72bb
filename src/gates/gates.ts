import type { Verdict } from "../m1/rules.js";
import { escapeControls, escapeMarkdown } from "../report/escape-text.js";
import type { Report } from "../report/report.js";

/** The CI gates a run may ask for (`--fail-on`, `--max-invalid`, `--max-unknown`, or the config file). */
export interface GateOptions {
  /** Trip when the overall verdict or any function's verdict is one of these. */
  readonly failOn?: readonly Verdict[];
  /** Trip when invalid / (valid + invalid) is more than this ratio (0–1). */
  readonly maxInvalid?: number;
  /** Trip when UNKNOWN incidents / all incidents is more than this ratio (0–1): the evidence gap. */
  readonly maxUnknown?: number;
}

/** A gate's name in the report: the flag that asks for it, without its dashes. */
export type GateName = "fail-on" | "max-invalid" | "max-unknown";

/** A gate that tripped, with the one line that says why (numbers included). */
export interface TrippedGate {
  readonly gate: GateName;
  /** Raw text (function names come from logs): renderers escape it. */
  readonly detail: string;
}

/** The `gates` field of the report: what was asked, and what tripped (empty: exit 0). */
export interface GateResult {
  readonly failOn: readonly Verdict[] | null;
  readonly maxInvalid: number | null;
  readonly maxUnknown: number | null;
  readonly tripped: readonly TrippedGate[];
}

/** How many functions a `--fail-on` detail names before it says "and N more": it is one line. */
const NAMED_FUNCTIONS = 10;

/** Evaluates the gates on a finished report; a tripped gate means exit 1, with the report still printed. */
export function evaluateGates(report: Report, options: GateOptions): GateResult {
  const tripped: TrippedGate[] = [];
  const failOn = options.failOn !== undefined && options.failOn.length > 0 ? [...options.failOn] : null;
  if (failOn !== null) {
    const detail = failOnDetail(report, failOn);
    if (detail !== null) tripped.push({ gate: "fail-on", detail });
  }
  const maxInvalid = options.maxInvalid ?? null;
  if (maxInvalid !== null) {
    const { valid, invalid } = report.input;
    const checked = valid + invalid;
    if (checked > 0 && invalid / checked > maxInvalid) {
      tripped.push({
        gate: "max-invalid",
        detail:
          `--max-invalid ${maxInvalid}: ${invalid} of ${checked} records invalid ` +
          `(${ratioText(invalid / checked, maxInvalid)}), more than ${ratioText(maxInvalid)}`,
      });
    }
  }
  const maxUnknown = options.maxUnknown ?? null;
  if (maxUnknown !== null) {
    const { incidents, verdicts } = report.overall;
    // No incidents, no evidence gap: nothing to trip on.
    if (incidents > 0 && verdicts.UNKNOWN / incidents > maxUnknown) {
      tripped.push({
        gate: "max-unknown",
        detail:
          `--max-unknown ${maxUnknown}: ${verdicts.UNKNOWN} of ${incidents} incidents UNKNOWN ` +
          `(${ratioText(verdicts.UNKNOWN / incidents, maxUnknown)}), more than ${ratioText(maxUnknown)}`,
      });
    }
  }
  return { failOn, maxInvalid, maxUnknown, tripped };
}

function failOnDetail(report: Report, failOn: readonly Verdict[]): string | null {
  const listed = new Set(failOn);
  const parts: string[] = [];
  if (listed.has(report.overall.verdict)) parts.push(`overall verdict ${report.overall.verdict}`);
  const hits = report.functions.filter((fn) => listed.has(fn.verdict));
  if (hits.length > 0) {
    const named = hits.slice(0, NAMED_FUNCTIONS).map((fn) => `${fn.function} ${fn.verdict}`);
    if (hits.length > NAMED_FUNCTIONS) named.push(`and ${hits.length - NAMED_FUNCTIONS} more`);
    parts.push(`function verdicts: ${named.join(", ")}`);
  }
  return parts.length === 0 ? null : `--fail-on ${failOn.join(",")}: ${parts.join("; ")}`;
}

/**
 * A ratio as a percentage, with enough decimals that a value just over its limit never reads as equal
 * to it (`1.0001%`, not `1%`, when the limit is 1%).
 */
export function ratioText(ratio: number, limit?: number): string {
  for (let digits = 2; digits <= 8; digits++) {
    const text = formatPercent(ratio, digits);
    if (limit === undefined || ratio === limit || text !== formatPercent(limit, digits)) return text;
  }
  return formatPercent(ratio, 8);
}

function formatPercent(ratio: number, digits: number): string {
  return `${Number((ratio * 100).toFixed(digits))}%`;
}

/** The lines for stderr, one per tripped gate, log content escaped: `attribute: gate tripped: …`. */
export function gateStderrLines(result: GateResult): string[] {
  return result.tripped.map((t) => `attribute: gate tripped: ${escapeControls(t.detail)}`);
}

/** The gates section of the table report (empty when no gate was asked for). */
export function gateTextLines(result: GateResult): string[] {
  const asked = askedGates(result);
  if (asked.length === 0) return [];
  if (result.tripped.length === 0) return [`Gates: ${asked.join(", ")}: none tripped`];
  return [
    `Gates: ${asked.join(", ")}: ${result.tripped.length} tripped`,
    ...result.tripped.map((t) => `  TRIPPED ${escapeControls(t.detail)}`),
  ];
}

/** The gates section of the Markdown report, escaped for a GitHub page (empty when none was asked for). */
export function gateMarkdownLines(result: GateResult): string[] {
  const asked = askedGates(result);
  if (asked.length === 0) return [];
  if (result.tripped.length === 0) return [`**Gates:** ${asked.join(", ")}: none tripped.`, ""];
  return [
    `**Gates:** ${asked.join(", ")}: ${result.tripped.length} tripped.`,
    "",
    ...result.tripped.map((t) => `- **Tripped:** ${escapeMarkdown(t.detail)}`),
    "",
  ];
}

function askedGates(result: GateResult): string[] {
  const asked: string[] = [];
  if (result.failOn !== null) asked.push(`--fail-on ${result.failOn.join(",")}`);
  if (result.maxInvalid !== null) asked.push(`--max-invalid ${result.maxInvalid}`);
  if (result.maxUnknown !== null) asked.push(`--max-unknown ${result.maxUnknown}`);
  return asked;
}
