// `attribute rules` through the CLI (issue 5): the rule table printed from RULES with the thresholds in
// effect after the configuration file and the flags, per-function overrides listed. (rules.test.ts tests
// the renderer on values; this file tests what reaches it from argv and files.)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../src/m1/rules.js";
import { runCli, tempDir } from "./cli-harness.js";

const dir = tempDir("rules");

function configFile(name: string, config: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

const overrides = configFile("overrides.json", {
  slowMs: 2000,
  functions: { search: { slowMs: 300 }, checkout: { upstreamShare: 0.5 } },
});

describe("attribute rules", () => {
  it("the six rules in order with the default thresholds written in, exit 0", async () => {
    const { code, stdout, stderr } = await runCli(["rules", "--no-config"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      [
        "Rules (SPEC.md section 3): the first that matches gives a unit's verdict.",
        "Thresholds: slowMs 1000, upstreamShare 0.2; a unit is slow when latency_ms ≥ 1000, and an incident when status ≥ 400 or it is slow.",
        "",
        "┌────┬────────────────────────────────────────────────────┬────────────────┬──────────────────────────────────┐",
        "│ #  │ when                                               │ verdict        │ meaning                          │",
        "├────┼────────────────────────────────────────────────────┼────────────────┼──────────────────────────────────┤",
        "│ 1  │ not an incident (status < 400 and latency_ms <     │ OK             │ nothing to attribute             │",
        "│    │ 1000)                                              │                │                                  │",
        "│ 2  │ upstream_status is null                            │ UNKNOWN        │ no upstream evidence: do not     │",
        "│    │                                                    │                │ change data semantics            │",
        '│ 3  │ upstream_status is "timeout" or 5xx, and status is │ VENDOR         │ likely vendor / backbone issue   │',
        "│    │ 5xx                                                │                │                                  │",
        "│ 4  │ upstream_status is 2xx, and status ≥ 400           │ APPLICATION    │ likely application validation /  │",
        "│    │                                                    │                │ logic issue                      │",
        "│ 5  │ latency_ms ≥ 1000, upstream_latency_ms is not      │ APP_BOTTLENECK │ likely application-side          │",
        "│    │ null, and upstream_latency_ms ≤ 0.2 × latency_ms   │                │ bottleneck                       │",
        "│ 6  │ anything else                                      │ UNATTRIBUTED   │ an incident that no rule         │",
        "│    │                                                    │                │ explains: no blame               │",
        "└────┴────────────────────────────────────────────────────┴────────────────┴──────────────────────────────────┘",
        "",
      ].join("\n"),
    );
  });

  it("--slow-ms 500 and --upstream-share 0.3 are written into the conditions", async () => {
    const { code, stdout } = await runCli(["rules", "--slow-ms", "500", "--upstream-share", "0.3"]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Thresholds: slowMs 500, upstreamShare 0.3; a unit is slow when latency_ms ≥ 500, and an incident when status ≥ 400 or it is slow.\n",
    );
    expect(stdout).toContain(
      [
        "│ 1  │ not an incident (status < 400 and latency_ms <     │ OK             │ nothing to attribute             │",
        "│    │ 500)                                               │                │                                  │",
      ].join("\n"),
    );
    expect(stdout).toContain(
      [
        "│ 5  │ latency_ms ≥ 500, upstream_latency_ms is not null, │ APP_BOTTLENECK │ likely application-side          │",
        "│    │ and upstream_latency_ms ≤ 0.3 × latency_ms         │                │ bottleneck                       │",
      ].join("\n"),
    );
    expect(stdout).not.toContain("1000");
  });

  it("a config file's thresholds and per-function overrides show up", async () => {
    const { code, stdout, stderr } = await runCli(["rules", "--config", overrides]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("Thresholds: slowMs 2000, upstreamShare 0.2;");
    expect(stdout).toContain("│ 5  │ latency_ms ≥ 2000, upstream_latency_ms is not      │ APP_BOTTLENECK │");
    expect(
      stdout.endsWith(
        [
          "",
          "Per-function thresholds (instead of the above, for that function):",
          "  checkout  upstreamShare 0.5",
          "  search    slowMs 300",
          "",
        ].join("\n"),
      ),
    ).toBe(true);
  });

  it("a flag overrides the file, per-function values of that threshold included", async () => {
    const { stdout } = await runCli(["rules", "--config", overrides, "--slow-ms", "700"]);
    expect(stdout).toContain("Thresholds: slowMs 700, upstreamShare 0.2;");
    expect(stdout).toContain("\n  checkout  upstreamShare 0.5\n");
    expect(stdout).not.toContain("search");
  });

  it("a bad --config file: exit 2, one line naming the file and the key path", async () => {
    const bad = configFile("bad.json", { functions: { search: { slowMS: 300 } } });
    const { code, stdout, stderr } = await runCli(["rules", "--config", bad]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `attribute: ${bad}: functions.search: unknown key "slowMS": did you mean slowMs? (allowed: slowMs, upstreamShare)\n`,
    );
  });

  it("--format json: attribute.rules/v1, the rules from RULES, the overrides resolved", async () => {
    const { code, stdout } = await runCli(["rules", "--format", "json", "--config", overrides]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toStrictEqual({
      schema: "attribute.rules/v1",
      thresholds: { slowMs: 2000, upstreamShare: 0.2 },
      definitions: "a unit is slow when latency_ms ≥ 2000, and an incident when status ≥ 400 or it is slow",
      rules: [
        {
          number: 1,
          when: "not an incident (status < 400 and latency_ms < 2000)",
          verdict: "OK",
          meaning: "nothing to attribute",
        },
        {
          number: 2,
          when: "upstream_status is null",
          verdict: "UNKNOWN",
          meaning: "no upstream evidence: do not change data semantics",
        },
        {
          number: 3,
          when: 'upstream_status is "timeout" or 5xx, and status is 5xx',
          verdict: "VENDOR",
          meaning: "likely vendor / backbone issue",
        },
        {
          number: 4,
          when: "upstream_status is 2xx, and status ≥ 400",
          verdict: "APPLICATION",
          meaning: "likely application validation / logic issue",
        },
        {
          number: 5,
          when: "latency_ms ≥ 2000, upstream_latency_ms is not null, and upstream_latency_ms ≤ 0.2 × latency_ms",
          verdict: "APP_BOTTLENECK",
          meaning: "likely application-side bottleneck",
        },
        {
          number: 6,
          when: "anything else",
          verdict: "UNATTRIBUTED",
          meaning: "an incident that no rule explains: no blame",
        },
      ],
      functions: [
        {
          function: "checkout",
          overrides: { upstreamShare: 0.5 },
          thresholds: { slowMs: 2000, upstreamShare: 0.5 },
        },
        { function: "search", overrides: { slowMs: 300 }, thresholds: { slowMs: 300, upstreamShare: 0.2 } },
      ],
    });
    // The same rule data the classifier runs: numbers, verdicts and meanings of RULES, in order.
    const doc = JSON.parse(stdout) as { rules: { number: number; verdict: string; meaning: string }[] };
    expect(doc.rules.map((r) => [r.number, r.verdict, r.meaning])).toEqual(
      RULES.map((r) => [r.number, r.verdict, r.meaning]),
    );
  });

  it("--format markdown: a table with the overrides", async () => {
    const { code, stdout } = await runCli(["rules", "--format", "markdown", "--config", overrides]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "| 5 | latency\\_ms ≥ 2000, upstream\\_latency\\_ms is not null, and upstream\\_latency\\_ms ≤ 0.2 × latency\\_ms | APP\\_BOTTLENECK | likely application-side bottleneck |\n",
    );
    expect(stdout).toContain(
      "| function | slowMs | upstreamShare |\n| --- | ---: | ---: |\n| checkout | – | 0.5 |\n| search | 300 | – |\n",
    );
  });
});
