import Table from "cli-table3";
import { VERDICTS, type Verdict } from "../m1/rules.js";
import { gateTextLines } from "../gates/gates.js";
import { windowLine } from "../time/time-window.js";
import { escapeControls } from "./escape-text.js";
import { renderTimelineText } from "./timeline.js";
import { paintVerdict, SHORT_VERDICT } from "./verdict-style.js";
import type { FunctionSummary, Report, VerdictSummary } from "./report.js";
import {
  formatMs,
  inputLine,
  incompleteLines,
  percent,
  plural,
  spanLine,
  VERDICT_MEANING,
} from "./wording.js";

export interface TableOptions {
  /** ANSI colour for verdicts; only on a terminal, never with NO_COLOR or --no-color. */
  readonly color: boolean;
}

/** How many violations the table shows with their location (the JSON report lists more). */
const SHOWN_VIOLATIONS = 10;
const SHOWN_UNKNOWN_FIELDS = 20;

/** `--format table`: the verdict table, the input summary, the evidence and the stop rule. */
export function renderTable(report: Report, options: TableOptions): string {
  const paint = (verdict: Verdict, text: string): string => paintVerdict(verdict, text, options.color);
  const out: string[] = [];
  out.push(...incompleteLines(report).map(escapeControls));
  if (report.gates !== null) out.push(...gateTextLines(report.gates));
  out.push(
    `Overall: ${paint(report.overall.verdict, report.overall.verdict)} — ${overallLine(report.overall)}`,
  );
  out.push("");
  out.push(verdictTable(report, paint));
  out.push("");
  if (report.timeline !== null)
    out.push(...renderTimelineText(report.timeline, { color: options.color }), "");
  out.push(...inputSection(report));
  out.push("");
  out.push(...evidenceSection(report, paint));
  out.push("");
  out.push(report.stopRule);
  return `${out.join("\n")}\n`;
}

function overallLine(overall: VerdictSummary): string {
  if (overall.incidents === 0) return `${plural(overall.units, "unit")}, no incidents`;
  return (
    `${VERDICT_MEANING[overall.verdict]} (${percent(overall.share)} of ` +
    `${plural(overall.incidents, "incident")} in ${plural(overall.units, "unit")})`
  );
}

function verdictTable(report: Report, paint: (v: Verdict, t: string) => string): string {
  const table = new Table({
    head: [
      "function",
      "verdict",
      "share",
      "units",
      "incidents",
      ...VERDICTS.slice(1).map((v) => SHORT_VERDICT[v]),
      "p50/p95/p99 ms",
    ],
    // cli-table3 colours headers and borders unless its style is emptied, even when piped.
    style: { head: [], border: [], compact: true },
    colAligns: [
      "left",
      "left",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
      "right",
    ],
  });
  const row = (name: string, s: VerdictSummary, latency: string): string[] => [
    name,
    paint(s.verdict, s.verdict),
    s.incidents === 0 ? "–" : percent(s.share),
    String(s.units),
    String(s.incidents),
    ...VERDICTS.slice(1).map((v) => String(s.verdicts[v])),
    latency,
  ];
  for (const fn of report.functions) {
    const { p50, p95, p99 } = fn.latencyMs;
    table.push(row(escapeControls(fn.function), fn, `${formatMs(p50)}/${formatMs(p95)}/${formatMs(p99)}`));
  }
  table.push(row("(overall)", report.overall, ""));
  return table.toString();
}

function inputSection(report: Report): string[] {
  const input = report.input;
  const sources = report.sources.map((s) => escapeControls(s.source)).join(", ");
  const out = [
    `Input: ${inputLine(report)}`,
    `  from ${sources || "no source"}`,
    `  time span: ${spanLine(report)}`,
    ...(report.window === null ? [] : [`  ${windowLine(report.window)}`]),
  ];
  const reasons = Object.entries(input.violationsByReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    out.push("  violations by reason:");
    for (const [reason, count] of reasons)
      out.push(`    ${String(count).padStart(6)}  ${escapeControls(reason)}`);
    out.push("  first violations:");
    for (const v of input.violations.slice(0, SHOWN_VIOLATIONS)) {
      out.push(`    ${escapeControls(v.source)}:${v.line}: ${escapeControls(v.reason)}`);
    }
    if (input.invalid > SHOWN_VIOLATIONS)
      out.push(
        `    … and ${input.invalid - SHOWN_VIOLATIONS} more (--format json lists ${input.violations.length})`,
      );
  }
  const unknown = Object.entries(input.unknownFields).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (unknown.length > 0 || input.unknownFieldsNotListed > 0) {
    const shown = unknown.slice(0, SHOWN_UNKNOWN_FIELDS).map(([name, n]) => `${escapeControls(name)} ×${n}`);
    if (unknown.length > SHOWN_UNKNOWN_FIELDS)
      shown.push(`${unknown.length - SHOWN_UNKNOWN_FIELDS} more names`);
    if (input.unknownFieldsNotListed > 0)
      shown.push(`${input.unknownFieldsNotListed} occurrences of names not listed (past the limits)`);
    out.push(`  unknown fields: ${shown.join(", ")} (silence with --allow-fields, reject with --strict)`);
  }
  return out;
}

function evidenceSection(report: Report, paint: (v: Verdict, t: string) => string): string[] {
  const out = ["Evidence:"];
  const incidents = report.functions.filter((fn) => fn.evidence.length > 0);
  if (incidents.length === 0) out.push("  no incidents: nothing to attribute");
  for (const fn of incidents) out.push(...functionEvidence(fn, paint));
  return out;
}

function functionEvidence(fn: FunctionSummary, paint: (v: Verdict, t: string) => string): string[] {
  const out = [`  ${escapeControls(fn.function)}:`];
  for (const e of fn.evidence) {
    out.push(`    ${paint(e.verdict, e.verdict)} ×${e.count}: ${escapeControls(e.summary)}`);
    out.push(`      e.g. ${e.samples.map(escapeControls).join(", ")}`);
  }
  return out;
}
