// attribute rules (issue 5): the rule table printed from RULES, the data the classifier runs, with the
// thresholds in effect written into the conditions and the per-function overrides listed.
import { describe, expect, it, vi } from "vitest";
import { conditionWith, renderRules } from "../../src/commands/rules.js";
import { DEFAULT_THRESHOLDS, RULES, type Rule } from "../../src/m1/rules.js";

const NONE = new Map<string, { slowMs?: number; upstreamShare?: number }>();

describe("conditionWith", () => {
  it("writes the thresholds into every condition that names them, and spells out 'slow'", () => {
    const t = { slowMs: 500, upstreamShare: 0.3 };
    expect(RULES.map((r) => conditionWith(r, t))).toEqual([
      "not an incident (status < 400 and latency_ms < 500)",
      "upstream_status is null",
      'upstream_status is "timeout" or 5xx, and status is 5xx',
      "upstream_status is 2xx, and status ≥ 400",
      "latency_ms ≥ 500, upstream_latency_ms is not null, and upstream_latency_ms ≤ 0.3 × latency_ms",
      "anything else",
    ]);
  });

  it("leaves no threshold name in any condition", () => {
    for (const rule of RULES)
      expect(conditionWith(rule, DEFAULT_THRESHOLDS)).not.toMatch(/slowMs|upstreamShare|\bslow\b/);
  });
});

describe("renderRules", () => {
  it("table: one row per rule of RULES, in order, with verdict and meaning", () => {
    const text = renderRules(DEFAULT_THRESHOLDS, NONE, "table");
    expect(text).toContain(
      "Thresholds: slowMs 1000, upstreamShare 0.2; a unit is slow when latency_ms ≥ 1000",
    );
    let at = 0;
    for (const rule of RULES) {
      const found = text.indexOf(rule.verdict, at);
      expect(found, rule.verdict).toBeGreaterThan(at);
      at = found;
    }
    // The condition column wraps (the table must fit a terminal); rule 5's starts with its threshold.
    expect(text).toContain("│ latency_ms ≥ 1000, upstream_latency_ms is not");
    expect(text).not.toContain("Per-function");
    // cli-table3 must not colour anything: this is printed to pipes too.
    expect(text).not.toContain("\u001b");
  });

  it("table: lists per-function overrides by name, escaped", () => {
    const overrides = new Map([
      ["search", { slowMs: 300 }],
      ["__proto__", { slowMs: 50, upstreamShare: 0.5 }],
      ["evil\u001b[2J", { upstreamShare: 0.1 }],
    ]);
    const text = renderRules({ slowMs: 2000, upstreamShare: 0.2 }, overrides, "table");
    expect(text).toContain(
      [
        "Per-function thresholds (instead of the above, for that function):",
        "  __proto__    slowMs 50, upstreamShare 0.5",
        "  evil\\x1b[2J  upstreamShare 0.1",
        "  search       slowMs 300",
      ].join("\n"),
    );
  });

  it("Markdown: a GitHub table of the rules, escaped, and the overrides", () => {
    const md = renderRules(DEFAULT_THRESHOLDS, new Map([["::search|x", { slowMs: 300 }]]), "markdown");
    expect(md).toContain(
      "| 1 | not an incident \\(status &lt; 400 and latency\\_ms &lt; 1000\\) | OK | nothing to attribute |",
    );
    expect(md).toContain(
      "| 6 | anything else | UNATTRIBUTED | an incident that no rule explains: no blame |",
    );
    expect(md).toContain("| \\::search\\|x | 300 | – |");
    for (const line of md.split("\n")) expect(line.startsWith("::")).toBe(false);
  });

  it("JSON: the rules with their conditions, and the thresholds in effect per function", () => {
    const json = JSON.parse(
      renderRules(DEFAULT_THRESHOLDS, new Map([["search", { slowMs: 300 }]]), "json"),
    ) as {
      rules: { number: number; verdict: string; when: string; meaning: string }[];
      functions: unknown[];
    };
    expect(json).toMatchObject({ schema: "attribute.rules/v1", thresholds: DEFAULT_THRESHOLDS });
    expect(json.rules.map((r) => [r.number, r.verdict, r.meaning])).toEqual(
      RULES.map((r) => [r.number, r.verdict, r.meaning]),
    );
    expect(json.functions).toEqual([
      { function: "search", overrides: { slowMs: 300 }, thresholds: { slowMs: 300, upstreamShare: 0.2 } },
    ]);
  });
});

describe("renderRules is generated from RULES, not a copy of it", () => {
  it("prints whatever the rule table holds", async () => {
    const fake: Rule[] = [
      {
        number: 1,
        verdict: "VENDOR",
        when: "a made-up condition over slowMs",
        meaning: "made up",
        matches: () => true,
        because: () => "made up",
      },
    ];
    vi.resetModules();
    vi.doMock("../../src/m1/rules.js", async (importOriginal) => ({
      ...(await importOriginal<typeof import("../../src/m1/rules.js")>()),
      RULES: fake,
    }));
    try {
      const { renderRules: render } = await import("../../src/commands/rules.js");
      const json = JSON.parse(render({ slowMs: 7, upstreamShare: 0.2 }, NONE, "json")) as {
        rules: unknown[];
      };
      expect(json.rules).toEqual([
        { number: 1, when: "a made-up condition over 7", verdict: "VENDOR", meaning: "made up" },
      ]);
      expect(render({ slowMs: 7, upstreamShare: 0.2 }, NONE, "table")).toContain(
        "a made-up condition over 7",
      );
    } finally {
      vi.doUnmock("../../src/m1/rules.js");
      vi.resetModules();
    }
  });
});
