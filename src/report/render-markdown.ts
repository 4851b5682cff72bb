import { VERDICTS } from "../m1/rules.js";
import { escapeMarkdown } from "./escape-text.js";
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
export function renderMarkdown(report: Report): string {
  const out: string[] = ["## attribute report", ""];
  for (const line of incompleteLines(report)) out.push(`> **${escapeMarkdown(line)}**`, "");
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
  out.push(`> ${report.stopRule}`, "");
  return out.join("\n");
}

function overall(s: VerdictSummary): string {
  if (s.incidents === 0) return `${plural(s.units, "unit")}, no incidents.`;
  return `${VERDICT_MEANING[s.verdict]} (${percent(s.share)} of ${plural(s.incidents, "incident")} in ${plural(s.units, "unit")}).`;
}

function inputSection(report: Report): string[] {
  const input = report.input;
  const out = ["### Input", "", `- ${inputLine(report)}`, `- Time span: ${escapeMarkdown(spanLine(report))}`];
  out.push(
    `- Sources: ${report.sources.map((s) => `${escapeMarkdown(s.source)} (${plural(s.lines, "line")})`).join(", ") || "none"}`,
  );
  const unknown = Object.entries(input.unknownFields).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  if (unknown.length > 0) {
    out.push(
      `- Unknown fields: ${unknown
        .slice(0, 20)
        .map(([n, c]) => `${escapeMarkdown(n)} ×${c}`)
        .join(", ")}${unknown.length > 20 ? `, and ${unknown.length - 20} more` : ""}`,
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
