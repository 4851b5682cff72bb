// attribute diff's renderers (issue 5): a table for the terminal, GitHub-flavoured Markdown and JSON, with
// every name from the reports escaped.
import { describe, expect, it } from "vitest";
import { diffReports } from "../../src/diff/diff-reports.js";
import { renderDiffJson, renderDiffMarkdown, renderDiffTable } from "../../src/diff/render-diff.js";
import { fakeReport, fn } from "../fake-report.js";
import { asJson, codes, lastNight, tonight } from "./reports.js";

describe("renderers", () => {
  const diff = diffReports(lastNight, tonight, { old: "last.json", new: "tonight.json" });

  it("table: the overall change, the changes in words, then every function", () => {
    const text = renderDiffTable(diff);
    expect(text).toContain(
      "Overall: VENDOR → APPLICATION (62% of 13 incidents); incident rate 3.1% → 8.5% (+5.4 pp); UNKNOWN share 20% → 15.4% (-4.6 pp)",
    );
    expect(text).toContain(
      [
        "Changes:",
        "  billing   added: VENDOR (100% of 3 incidents); new error codes: UPSTREAM_TIMEOUT",
        "  checkout  verdict VENDOR → APPLICATION (80% of 10 incidents); new error codes: INVALID_CART",
        "  legacy    removed: was OK (no incidents)",
      ].join("\n"),
    );
    expect(text).toMatch(/│ search\s+│ OK\s+│ OK\s+│\s+0% → 0% │\s+0 pp │\s+– → – │\s+– │/);
    expect(text).toMatch(/│ legacy\s+│ OK\s+│ \(absent\)\s+│/);
  });

  it("table: says so when nothing changed", () => {
    expect(renderDiffTable(diffReports(lastNight, lastNight))).toContain(
      "No function changed verdict, appeared or disappeared.",
    );
  });

  it("Markdown: GitHub-flavoured, with the changes and a table", () => {
    const md = renderDiffMarkdown(diff);
    expect(md).toContain("**Overall:** VENDOR → APPLICATION (62% of 13 incidents)");
    expect(md).toContain(
      "- **checkout**: verdict VENDOR → APPLICATION \\(80% of 10 incidents\\); new error codes: INVALID\\_CART",
    );
    expect(md).toContain("| checkout | VENDOR | APPLICATION | 5% → 10% | +5 pp | 20% → 20% | 0 pp |");
  });

  it("JSON: the diff itself, schema attribute.diff/v1", () => {
    const json = JSON.parse(renderDiffJson(diff)) as Record<string, unknown>;
    expect(json).toEqual(asJson(diff));
    expect(json.schema).toBe("attribute.diff/v1");
  });

  describe("hostile names from the logs", () => {
    const hostile = "::error::pwned\u001b[2J\n| <img src=x> @team";
    const a = asJson(fakeReport([fn(hostile, { OK: 1 }, "OK")]));
    const b = asJson(fakeReport([fn(hostile, { VENDOR: 1 }, "VENDOR", 1, codes("E\u202eX\n::warning::y"))]));
    const d = diffReports(a, b, { old: "::old\u001b.json", new: "new.json" });

    it("never reach the terminal raw", () => {
      const text = renderDiffTable(d);
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u202e]/);
      expect(text).toContain("::error::pwned\\x1b[2J\\x0a| <img src=x> @team");
    });

    it("never make Markdown, HTML, a mention or a workflow command", () => {
      const md = renderDiffMarkdown(d);
      for (const line of md.split("\n")) {
        expect(line.startsWith("::")).toBe(false);
        expect(line).not.toMatch(/[\u0000-\u001f\u202e]/);
      }
      expect(md).not.toContain("<img");
      expect(md).toContain("\\| &lt;img src=x&gt; \\@team");
    });

    it("stay plain data in JSON, with terminal-unsafe characters as escapes", () => {
      const json = renderDiffJson(d);
      expect(json).not.toMatch(/[\u001b\u202e]/);
      expect((JSON.parse(json) as { functions: { function: string }[] }).functions[0]?.function).toBe(
        hostile,
      );
    });
  });
});
