import { VERDICTS } from "../m1/rules.js";
import { gateMarkdownLines } from "../gates/gates.js";
import { windowLine } from "../time/time-window.js";
import { escapeMarkdown } from "./escape-text.js";
import { renderTimelineMarkdown } from "./timeline.js";
import type { Report, VerdictSummary } from "./report.js";
import {
  formatMs,
  inputLine,
  incompleteLines,
  percent,
  plural,
  spanLine,
  VERDICT_MEANING,
} from "./wording.js";

const SHOWN_VIOLATIONS = 20;

/**
 * `--format markdown`: the report as GitHub-flavoured Markdown for a CI job summary. Every piece of log
 * content is escaped (escapeMarkdown), and every line starts with text of ours, so no line of it can
 * be read as markup from the logs or as a workflow command.
 */
export function renderMarkdown(report: Report, limitBytes = GITHUB_SUMMARY_LIMIT): string {
  const out: string[] = ["## attribute report", ""];
  for (const line of incompleteLines(report)) out.push(`> **${escapeMarkdown(line)}**`, "");
  if (report.gates !== null) out.push(...gateMarkdownLines(report.gates));
  out.push(`**Overall: ${report.overall.verdict}** — ${overall(report.overall)}`, "");
  out.push(
    `| function | verdict | share | units | incidents | ${VERDICTS.slice(1).join(" | ")} | p50 / p95 / p99 ms |`,
    `| --- | --- | ---: | ---: | ---: | ${VERDICTS.slice(1)
      .map(() => "---:")
      .join(" | ")} | ---: |`,
  );
  const row = (name: string, s: VerdictSummary, latency: string): string =>
    `| ${name} | ${s.verdict} | ${percent(s.share)} | ${s.units} | ${s.incidents} | ` +
    `${VERDICTS.slice(1)
      .map((v) => s.verdicts[v])
      .join(" | ")} | ${latency} |`;
  for (const fn of report.functions) {
    const { p50, p95, p99 } = fn.latencyMs;
    out.push(row(escapeMarkdown(fn.function), fn, `${formatMs(p50)} / ${formatMs(p95)} / ${formatMs(p99)}`));
  }
  out.push(row("**(overall)**", report.overall, ""), "");
  if (report.timeline !== null) out.push(...renderTimelineMarkdown(report.timeline));
  out.push("### Evidence", "");
  const withEvidence = report.functions.filter((fn) => fn.evidence.length > 0);
  if (withEvidence.length === 0) out.push("No incidents: nothing to attribute.", "");
  else {
    out.push(
      "| function | verdict | incidents | evidence | sample request ids |",
      "| --- | --- | ---: | --- | --- |",
    );
    for (const fn of withEvidence) {
      for (const e of fn.evidence) {
        const samples = e.samples.map(escapeMarkdown).join(", ");
        out.push(
          `| ${escapeMarkdown(fn.function)} | ${e.verdict} | ${e.count} | ${escapeMarkdown(e.summary)} | ${samples} |`,
        );
      }
    }
    out.push("");
  }
  out.push(...inputSection(report));
  return fitWithin(out, `> ${report.stopRule}\n`, limitBytes);
}

/** GitHub refuses a job summary over 1 MiB; stay under it with room to spare. */
export const GITHUB_SUMMARY_LIMIT = 1024 * 1024 - 4096;

/**
 * Joins the lines, cutting whole lines from the end (the long tables: evidence, violations) when the
 * whole would not fit, with a note of what was left out; the stop rule always closes the report.
 */
function fitWithin(lines: readonly string[], closing: string, limitBytes: number): string {
  const whole = `${lines.join("\n")}\n${closing}`;
  if (Buffer.byteLength(whole) <= limitBytes) return whole;
  const kept: string[] = [];
  let size = Buffer.byteLength(closing) + 400;
  for (const line of lines) {
    const next = Buffer.byteLength(line) + 1;
    if (size + next > limitBytes) break;
    kept.push(line);
    size += next;
  }
  const left = lines.length - kept.length;
  const note =
    `> **Cut to fit a GitHub job summary (1 MiB):** the last ${left} lines of this report were left out. ` +
    "The JSON report (`--format json`) has everything.";
  return `${kept.join("\n")}\n\n${note}\n\n${closing}`;
}

function overall(s: VerdictSummary): string {
  if (s.incidents === 0) return `${plural(s.units, "unit")}, no incidents.`;
  return `${VERDICT_MEANING[s.verdict]} (${percent(s.share)} of ${plural(s.incidents, "incident")} in ${plural(s.units, "unit")}).`;
}

function inputSection(report: Report): string[] {
  const input = report.input;
  const out = ["### Input", "", `- ${inputLine(report)}`, `- Time span: ${escapeMarkdown(spanLine(report))}`];
  if (report.window !== null) out.push(`- ${escapeMarkdown(windowLine(report.window))}`);
  out.push(
    `- Sources: ${report.sources.map((s) => `${escapeMarkdown(s.source)} (${plural(s.lines, "line")})`).join(", ") || "none"}`,
  );
  const unknown = Object.entries(input.unknownFields).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (unknown.length > 0) {
    out.push(
      `- Unknown fields: ${unknown
        .slice(0, 20)
        .map(([n, c]) => `${escapeMarkdown(n)} ×${c}`)
        .join(", ")}${unknown.length > 20 ? `, and ${unknown.length - 20} more names` : ""}`,
    );
  }
  if (input.unknownFieldsNotListed > 0) {
    out.push(
      `- ${input.unknownFieldsNotListed} occurrences of unknown field names not listed (past the limits)`,
    );
  }
  out.push("");
  const reasons = Object.entries(input.violationsByReason).sort((a, b) => b[1] - a[1]);
  if (reasons.length > 0) {
    out.push("| violations | reason |", "| ---: | --- |");
    for (const [reason, count] of reasons) out.push(`| ${count} | ${escapeMarkdown(reason)} |`);
    out.push("", "| source | line | reason |", "| --- | ---: | --- |");
    for (const v of input.violations.slice(0, SHOWN_VIOLATIONS)) {
      out.push(`| ${escapeMarkdown(v.source)} | ${v.line} | ${escapeMarkdown(v.reason)} |`);
    }
    if (input.invalid > SHOWN_VIOLATIONS)
      out.push("", `… and ${input.invalid - SHOWN_VIOLATIONS} more violations.`);
    out.push("");
  }
  return out;
}
