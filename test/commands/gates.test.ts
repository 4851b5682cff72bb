// CI gates through the CLI (issue 5): --fail-on, --max-invalid, --max-unknown exit 1 when they trip, name
// the gate on stderr and in the report, and still print the report in full; an incomplete input is exit 2
// whatever the gates say.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { runCli, runJson, sample, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("gates");
const outage = sample("vendor-outage.ndjson");
const FAIL_ON_VENDOR =
  "attribute: gate tripped: --fail-on VENDOR: overall verdict VENDOR; function verdicts: checkout VENDOR\n";

describe("--fail-on", () => {
  it("VENDOR on vendor-outage: exit 1, the gate on stderr, the report in full and TRIPPED in it", async () => {
    const plain = await runCli([outage]);
    const gated = await runCli(["--fail-on", "VENDOR", outage]);
    expect(gated.code).toBe(1);
    expect(gated.stderr).toBe(FAIL_ON_VENDOR);
    // The whole report, with the gate lines first.
    expect(gated.stdout).toBe(
      "Gates: --fail-on VENDOR: 1 tripped\n" +
        "  TRIPPED --fail-on VENDOR: overall verdict VENDOR; function verdicts: checkout VENDOR\n" +
        plain.stdout,
    );
    expect(gated.stdout).toMatch(/Stop rule: [^\n]+\n$/);
  });

  it("in JSON and Markdown too", async () => {
    const { code, json } = await runJson<{ gates: unknown }>(["--fail-on", "VENDOR,APPLICATION", outage]);
    expect(code).toBe(1);
    expect(json.gates).toStrictEqual({
      failOn: ["VENDOR", "APPLICATION"],
      maxInvalid: null,
      maxUnknown: null,
      tripped: [
        {
          gate: "fail-on",
          detail: "--fail-on VENDOR,APPLICATION: overall verdict VENDOR; function verdicts: checkout VENDOR",
        },
      ],
    });
    const markdown = await runCli(["--format", "markdown", "--fail-on", "VENDOR", outage]);
    expect(markdown.code).toBe(1);
    expect(markdown.stdout).toContain(
      "**Gates:** --fail-on VENDOR: 1 tripped.\n\n- **Tripped:** --fail-on VENDOR: overall verdict VENDOR; function verdicts: checkout VENDOR\n",
    );
  });

  it("APPLICATION on vendor-outage: exit 0, nothing on stderr, the report says none tripped", async () => {
    const { code, stdout, stderr } = await runCli(["--fail-on", "APPLICATION", outage]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^Gates: --fail-on APPLICATION: none tripped\nOverall: VENDOR/);
  });

  it("an unknown verdict: exit 2", async () => {
    const { code, stdout, stderr } = await runCli(["--fail-on", "VENDOR,BLAME", outage]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^attribute: option '--fail-on <verdicts>' argument 'VENDOR,BLAME' is invalid\. unknown verdict "BLAME"; expected some of OK, UNKNOWN, VENDOR, APPLICATION, APP_BOTTLENECK, UNATTRIBUTED\.\n/,
    );
  });
});

describe("--max-invalid", () => {
  // 95 valid records and 5 invalid lines (5%), plus blank lines, which count for nothing.
  const lines = Array.from({ length: 100 }, (_, i) =>
    i % 20 === 7 ? `{"broken": ${i}` : m1({ request_id: `r${i}` }),
  );
  const log = writeLines(dir, "five-percent.ndjson", [...lines, "", "  "]);

  it("0.01 with 5% invalid lines: exit 1, the numbers on stderr", async () => {
    const { code, stdout, stderr } = await runCli(["--max-invalid", "0.01", log]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "attribute: gate tripped: --max-invalid 0.01: 5 of 100 records invalid (5%), more than 1%\n",
    );
    expect(stdout).toContain("  TRIPPED --max-invalid 0.01: 5 of 100 records invalid (5%), more than 1%\n");
    expect(stdout).toContain("Input: 102 lines: 95 valid, 5 invalid, 2 blank;");
  });

  it("0.05 with exactly 5%: not more than the limit, exit 0", async () => {
    const { code, stderr } = await runCli(["--max-invalid", "0.05", log]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });
});

describe("--max-unknown", () => {
  it("0.5 on evidence-gap: exit 1, the evidence gap named with its numbers", async () => {
    const { code, stdout, stderr } = await runCli(["--max-unknown", "0.5", sample("evidence-gap.ndjson")]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      "attribute: gate tripped: --max-unknown 0.5: 68 of 81 incidents UNKNOWN (83.95%), more than 50%\n",
    );
    expect(stdout).toMatch(/^Gates: --max-unknown 0\.5: 1 tripped\n {2}TRIPPED --max-unknown 0\.5: /);
  });

  it("0.9 on evidence-gap: exit 0; several gates: each that trips is named", async () => {
    expect((await runCli(["--max-unknown", "0.9", sample("evidence-gap.ndjson")])).code).toBe(0);
    const both = await runCli([
      "--max-unknown",
      "0.5",
      "--fail-on",
      "UNKNOWN",
      sample("evidence-gap.ndjson"),
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe(
      "attribute: gate tripped: --fail-on UNKNOWN: overall verdict UNKNOWN; function verdicts: inventory-sync UNKNOWN\n" +
        "attribute: gate tripped: --max-unknown 0.5: 68 of 81 incidents UNKNOWN (83.95%), more than 50%\n",
    );
  });
});

describe("an incomplete input wins over a gate", () => {
  it("a missing file: exit 2 even when a gate tripped, and both are said", async () => {
    const missing = join(dir, "missing.ndjson");
    const { code, stdout, stderr } = await runCli(["--fail-on", "VENDOR", outage, missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${missing}: no such file\n${FAIL_ON_VENDOR}`);
    expect(stdout).toMatch(
      new RegExp(
        `^INCOMPLETE: cannot read ${missing}: no such file \\(0 lines read\\)\nGates: --fail-on VENDOR: 1 tripped\n`,
      ),
    );
  });
});
