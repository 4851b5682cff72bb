import Table from "cli-table3";
import { RULES, type Rule, type Thresholds } from "../m1/rules.js";
import { escapeControls, escapeMarkdown } from "../report/escape-text.js";
import { stringifySafely } from "../report/render-json.js";

/** The formats `attribute rules` prints. */
export type RulesFormat = "table" | "markdown" | "json";

/**
 * A rule's condition with the thresholds in effect written in: `latency_ms < 1000` for `latency_ms <
 * slowMs`, and the bare word "slow" spelled out as `latency_ms ≥ 1000`, so a reader needs no glossary.
 */
export function conditionWith(rule: Rule, t: Thresholds): string {
  return rule.when
    .replace(/\bslow\b/g, `latency_ms ≥ ${t.slowMs}`)
    .replace(/\bslowMs\b/g, String(t.slowMs))
    .replace(/\bupstreamShare\b/g, String(t.upstreamShare));
}

/** The definitions the rules lean on, with the thresholds written in (SPEC.md section 3). */
function definitions(t: Thresholds): string {
  return `a unit is slow when latency_ms ≥ ${t.slowMs}, and an incident when status ≥ 400 or it is slow`;
}

/** `attribute rules`: the rule table the classifier runs (RULES), with the thresholds in effect and the per-function overrides. */
export function renderRules(
  thresholds: Thresholds,
  overrides: ReadonlyMap<string, Partial<Thresholds>>,
  format: RulesFormat,
): string {
  // Sorted by name so the output does not depend on the order of the configuration file.
  const functions = [...overrides].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  switch (format) {
    case "json":
      return `${stringifySafely(
        {
          schema: "attribute.rules/v1",
          thresholds,
          definitions: definitions(thresholds),
          rules: RULES.map((r) => ({
            number: r.number,
            when: conditionWith(r, thresholds),
            verdict: r.verdict,
            meaning: r.meaning,
          })),
          functions: functions.map(([name, o]) => ({
            function: name,
            overrides: o,
            thresholds: { ...thresholds, ...o },
          })),
        },
        2,
      )}\n`;
    case "markdown":
      return renderMarkdown(thresholds, functions);
    case "table":
      return renderTable(thresholds, functions);
  }
}

type Overrides = readonly (readonly [string, Partial<Thresholds>])[];

function overrideText(o: Partial<Thresholds>): string {
  const parts: string[] = [];
  if (o.slowMs !== undefined) parts.push(`slowMs ${o.slowMs}`);
  if (o.upstreamShare !== undefined) parts.push(`upstreamShare ${o.upstreamShare}`);
  return parts.join(", ");
}

function renderTable(t: Thresholds, functions: Overrides): string {
  const table = new Table({
    head: ["#", "when", "verdict", "meaning"],
    // cli-table3 colours headers and borders unless its style is emptied, even when piped.
    style: { head: [], border: [], compact: true },
    colWidths: [4, 52, 16, 34],
    wordWrap: true,
  });
  for (const r of RULES) table.push([String(r.number), conditionWith(r, t), r.verdict, r.meaning]);
  const out = [
    `Rules (SPEC.md section 3): the first that matches gives a unit's verdict.`,
    `Thresholds: slowMs ${t.slowMs}, upstreamShare ${t.upstreamShare}; ${definitions(t)}.`,
    "",
    table.toString(),
  ];
  if (functions.length > 0) {
    out.push("", "Per-function thresholds (instead of the above, for that function):");
    const width = Math.max(...functions.map(([name]) => escapeControls(name).length));
    for (const [name, o] of functions)
      out.push(`  ${escapeControls(name).padEnd(width)}  ${overrideText(o)}`);
  }
  return `${out.join("\n")}\n`;
}

function renderMarkdown(t: Thresholds, functions: Overrides): string {
  const out = [
    "## attribute rules",
    "",
    `The first rule that matches gives a unit's verdict. Thresholds: slowMs ${t.slowMs}, ` +
      `upstreamShare ${t.upstreamShare}; ${escapeMarkdown(definitions(t))}.`,
    "",
    "| # | when | verdict | meaning |",
    "| ---: | --- | --- | --- |",
    ...RULES.map(
      (r) =>
        `| ${r.number} | ${escapeMarkdown(conditionWith(r, t))} | ${escapeMarkdown(r.verdict)} | ${escapeMarkdown(r.meaning)} |`,
    ),
    "",
  ];
  if (functions.length > 0) {
    out.push(
      "### Per-function thresholds",
      "",
      "| function | slowMs | upstreamShare |",
      "| --- | ---: | ---: |",
    );
    for (const [name, o] of functions) {
      out.push(`| ${escapeMarkdown(name)} | ${o.slowMs ?? "–"} | ${o.upstreamShare ?? "–"} |`);
    }
    out.push("");
  }
  return out.join("\n");
}
