import Table from "cli-table3";
import { escapeControls, escapeMarkdown } from "../report/escape-text.js";
import { stringifySafely } from "../report/render-json.js";
import type { DiffSide, FunctionDiff, ReportDiff } from "./diff-reports.js";

/** `12.5%`, or `–` when there is no rate (no units, or no incidents for a share). */
function rate(r: number | null): string {
  return r === null ? "–" : `${Number((r * 100).toFixed(1))}%`;
}

/** `+7.6 pp`, `-0.3 pp`, `0 pp`, or `–` when one side has no rate. */
function pointsText(p: number | null): string {
  if (p === null) return "–";
  const rounded = Number(p.toFixed(1));
  return `${rounded > 0 ? "+" : ""}${rounded === 0 ? 0 : rounded} pp`;
}

/** `VENDOR (94% of 48 incidents)`, or `OK (no incidents)`. */
function verdictText(s: DiffSide): string {
  if (s.incidents === 0) return `${s.verdict} (no incidents)`;
  return `${s.verdict} (${Math.round(s.share * 100)}% of ${s.incidents} ${s.incidents === 1 ? "incident" : "incidents"})`;
}

/** What changed in one function, in words; null when nothing a person should look at did. */
function changeText(f: FunctionDiff): string | null {
  const parts: string[] = [];
  if (f.change === "added" && f.new !== null) parts.push(`added: ${verdictText(f.new)}`);
  if (f.change === "removed" && f.old !== null) parts.push(`removed: was ${verdictText(f.old)}`);
  if (f.change === "verdict" && f.old !== null && f.new !== null) {
    parts.push(`verdict ${f.old.verdict} → ${verdictText(f.new)}`);
  }
  if (f.newErrorCodes.length > 0) parts.push(`new error codes: ${f.newErrorCodes.join(", ")}`);
  return parts.length === 0 ? null : parts.join("; ");
}

function overallText(d: ReportDiff): string {
  const o = d.overall;
  const verdict = o.verdictChanged
    ? `${o.old.verdict} → ${verdictText(o.new)}`
    : `${verdictText(o.new)}, unchanged`;
  return (
    `${verdict}; incident rate ${rate(o.old.incidentRate)} → ${rate(o.new.incidentRate)} ` +
    `(${pointsText(o.incidentRatePoints)}); UNKNOWN share ${rate(o.old.unknownShare)} → ` +
    `${rate(o.new.unknownShare)} (${pointsText(o.unknownSharePoints)})`
  );
}

function spanText(s: ReportDiff["old"]): string {
  if (s.timeSpan === null) return "";
  return s.timeSpan.first === null ? " (no timestamps)" : ` (${s.timeSpan.first} → ${s.timeSpan.last})`;
}

/** `attribute diff` as plain text for a terminal; every name from the reports is escaped. */
export function renderDiffTable(diff: ReportDiff): string {
  const out = [
    `attribute diff: ${escapeControls(diff.old.name)} → ${escapeControls(diff.new.name)}`,
    `  old${escapeControls(spanText(diff.old))}`,
    `  new${escapeControls(spanText(diff.new))}`,
    "",
    `Overall: ${overallText(diff)}`,
  ];
  for (const note of diff.notes) out.push(`Note: ${escapeControls(note)}`);
  out.push("");
  const changes = diff.functions.flatMap((f) => {
    const text = changeText(f);
    return text === null ? [] : [[escapeControls(f.function), escapeControls(text)] as const];
  });
  if (changes.length === 0) out.push("No function changed verdict, appeared or disappeared.");
  else {
    out.push("Changes:");
    const width = Math.max(...changes.map(([name]) => name.length));
    for (const [name, text] of changes) out.push(`  ${name.padEnd(width)}  ${text}`);
  }
  out.push("");
  const table = new Table({
    head: ["function", "old", "new", "incident rate", "Δ", "UNKNOWN share", "Δ"],
    // cli-table3 colours headers and borders unless its style is emptied, even when piped.
    style: { head: [], border: [], compact: true },
    colAligns: ["left", "left", "left", "right", "right", "right", "right"],
  });
  for (const f of diff.functions) table.push(row(escapeControls(f.function), f));
  out.push(table.toString(), "");
  return `${out.join("\n")}\n`;
}

function row(name: string, f: FunctionDiff): string[] {
  return [
    name,
    f.old?.verdict ?? "(absent)",
    f.new?.verdict ?? "(absent)",
    `${rate(f.old?.incidentRate ?? null)} → ${rate(f.new?.incidentRate ?? null)}`,
    pointsText(f.incidentRatePoints),
    `${rate(f.old?.unknownShare ?? null)} → ${rate(f.new?.unknownShare ?? null)}`,
    pointsText(f.unknownSharePoints),
  ];
}

/**
 * `attribute diff --format markdown`, for a GitHub job summary: every name and code from the reports is
 * escaped (escapeMarkdown), and every line starts with text of ours, so none is a workflow command.
 */
export function renderDiffMarkdown(diff: ReportDiff): string {
  const out = [
    "## attribute diff",
    "",
    `- Old: ${escapeMarkdown(diff.old.name)}${escapeMarkdown(spanText(diff.old))}`,
    `- New: ${escapeMarkdown(diff.new.name)}${escapeMarkdown(spanText(diff.new))}`,
    "",
    `**Overall:** ${overallText(diff)}`,
    "",
  ];
  for (const note of diff.notes) out.push(`> **Note:** ${escapeMarkdown(note)}`, "");
  const changes = diff.functions.flatMap((f) => {
    const text = changeText(f);
    return text === null ? [] : [`- **${escapeMarkdown(f.function)}**: ${escapeMarkdown(text)}`];
  });
  out.push("### Changes", "");
  if (changes.length === 0) out.push("No function changed verdict, appeared or disappeared.");
  else out.push(...changes);
  out.push(
    "",
    "### Functions",
    "",
    "| function | old | new | incident rate | Δ | UNKNOWN share | Δ |",
    "| --- | --- | --- | ---: | ---: | ---: | ---: |",
  );
  for (const f of diff.functions) out.push(`| ${row(escapeMarkdown(f.function), f).join(" | ")} |`);
  out.push("");
  return `${out.join("\n")}\n`;
}

/** `attribute diff --format json`: the ReportDiff itself (`schema: "attribute.diff/v1"`). */
export function renderDiffJson(diff: ReportDiff): string {
  return `${stringifySafely(diff, 2)}\n`;
}
