// `attribute diff OLD.json NEW.json` through the CLI (issue 5): two JSON reports made by the CLI itself (two
// samples, and one sample at two thresholds), the functions whose verdict changed, --fail-on-change, the
// formats, and a file that is not a report (exit 2 naming the file and the key).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, sample, tempDir } from "./cli-harness.js";

const dir = tempDir("diff");
const outage = join(dir, "outage.json");
const outageSlow100 = join(dir, "outage-slow100.json");
const deploy = join(dir, "deploy.json");

beforeAll(async () => {
  const make = async (path: string, argv: readonly string[]): Promise<void> => {
    const { code } = await runCli(["--format", "json", "--output", path, ...argv]);
    expect(code).toBe(0);
  };
  await make(outage, [sample("vendor-outage.ndjson")]);
  await make(outageSlow100, ["--slow-ms", "100", sample("vendor-outage.ndjson")]);
  await make(deploy, [sample("app-bug-after-deploy.ndjson")]);
});

describe("attribute diff", () => {
  it("two samples: the verdict changes, functions added and removed, new error codes; exit 0", async () => {
    const { code, stdout, stderr } = await runCli(["diff", outage, deploy]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      [
        `attribute diff: ${outage} → ${deploy}`,
        "  old (2025-03-14T13:00:01.789Z → 2025-03-14T13:59:52.191Z)",
        "  new (2025-03-18T09:00:09.412Z → 2025-03-18T09:59:58.191Z)",
        "",
        "Overall: VENDOR → APPLICATION (99% of 70 incidents); incident rate 8.1% → 10.1% (+2 pp); UNKNOWN share 4.2% → 0% (-4.2 pp)",
        "",
        "Changes:",
        "  cart              added: OK (no incidents)",
        "  checkout          verdict VENDOR → OK (no incidents)",
        "  payments-webhook  removed: was OK (no incidents)",
        "  profile           verdict OK → APPLICATION (99% of 70 incidents); new error codes: UNHANDLED_EXCEPTION, VALIDATION_FAILED, UPSTREAM_TIMEOUT",
        "",
        "┌──────────────────┬──────────┬─────────────┬───────────────┬──────────┬───────────────┬───┐",
        "│ function         │ old      │ new         │ incident rate │        Δ │ UNKNOWN share │ Δ │",
        "├──────────────────┼──────────┼─────────────┼───────────────┼──────────┼───────────────┼───┤",
        "│ cart             │ (absent) │ OK          │        – → 0% │        – │         – → – │ – │",
        "│ checkout         │ VENDOR   │ OK          │    26.7% → 0% │ -26.7 pp │      4.2% → – │ – │",
        "│ payments-webhook │ OK       │ (absent)    │        0% → – │        – │         – → – │ – │",
        "│ profile          │ OK       │ APPLICATION │    0% → 33.3% │ +33.3 pp │        – → 0% │ – │",
        "│ search           │ OK       │ OK          │       0% → 0% │     0 pp │         – → – │ – │",
        "└──────────────────┴──────────┴─────────────┴───────────────┴──────────┴───────────────┴───┘",
        "",
        "",
      ].join("\n"),
    );
  });

  it("one sample at two thresholds: the changed functions, and a note that the thresholds differ", async () => {
    const { code, stdout } = await runCli(["diff", outage, outageSlow100]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Note: the thresholds differ (slowMs 1000, upstreamShare 0.2 → slowMs 100, upstreamShare 0.2): some changes may come from them\n",
    );
    expect(stdout).toContain(
      [
        "Changes:",
        "  checkout  verdict VENDOR → UNATTRIBUTED (73% of 180 incidents)",
        "  search    verdict OK → UNATTRIBUTED (100% of 99 incidents)",
        "",
      ].join("\n"),
    );
    expect(stdout).not.toMatch(/^ {2}(profile|payments-webhook) /m);
  });

  it("--fail-on-change: exit 1 when a verdict changed, 0 when the reports are identical", async () => {
    expect((await runCli(["diff", "--fail-on-change", outage, outageSlow100])).code).toBe(1);
    expect((await runCli(["diff", "--fail-on-change", outage, deploy])).code).toBe(1);
    const same = await runCli(["diff", "--fail-on-change", outage, outage]);
    expect(same.code).toBe(0);
    expect(same.stderr).toBe("");
    expect(same.stdout).toContain(
      "Overall: VENDOR (94% of 48 incidents), unchanged; incident rate 8.1% → 8.1% (0 pp); UNKNOWN share 4.2% → 4.2% (0 pp)\n\nNo function changed verdict, appeared or disappeared.\n",
    );
  });

  it("--format json: attribute.diff/v1 with every function's change", async () => {
    const { code, stdout } = await runCli(["diff", "--format", "json", "--fail-on-change", outage, deploy]);
    expect(code).toBe(1);
    const doc = JSON.parse(stdout) as {
      schema: string;
      changed: boolean;
      old: { name: string; thresholds: object };
      overall: { verdictChanged: boolean; old: { verdict: string }; new: { verdict: string } };
      functions: { function: string; change: string; newErrorCodes: string[] }[];
    };
    expect(doc.schema).toBe("attribute.diff/v1");
    expect(doc.changed).toBe(true);
    expect(doc.old).toMatchObject({ name: outage, thresholds: { slowMs: 1000, upstreamShare: 0.2 } });
    expect([doc.overall.verdictChanged, doc.overall.old.verdict, doc.overall.new.verdict]).toEqual([
      true,
      "VENDOR",
      "APPLICATION",
    ]);
    expect(doc.functions.map((f) => [f.function, f.change, f.newErrorCodes])).toEqual([
      ["cart", "added", []],
      ["checkout", "verdict", []],
      ["payments-webhook", "removed", []],
      ["profile", "verdict", ["UNHANDLED_EXCEPTION", "VALIDATION_FAILED", "UPSTREAM_TIMEOUT"]],
      ["search", "none", []],
    ]);
  });

  it("--format markdown: the changes as a list, the functions as a table", async () => {
    const { code, stdout } = await runCli(["diff", "--format", "markdown", outage, deploy]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "- **profile**: verdict OK → APPLICATION \\(99% of 70 incidents\\); new error codes: UNHANDLED\\_EXCEPTION, VALIDATION\\_FAILED, UPSTREAM\\_TIMEOUT\n",
    );
    expect(stdout).toContain("| checkout | VENDOR | OK | 26.7% → 0% | -26.7 pp | 4.2% → – | – |\n");
  });

  it("a JSON file that is not a report: exit 2, one line naming the file and the key", async () => {
    const notReport = join(dir, "not-report.json");
    writeFileSync(notReport, JSON.stringify({ hello: "world" }));
    const { code, stdout, stderr } = await runCli(["diff", outage, notReport]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `attribute: ${notReport}: schema: missing (expected "attribute.report/v1") (and 3 more problems)\n`,
    );
  });

  it("a report with one bad value: the key path is named", async () => {
    const report = JSON.parse(readFileSync(outage, "utf8")) as { functions: { verdict: string }[] };
    report.functions[1]!.verdict = "MAYBE";
    const bad = join(dir, "bad-verdict.json");
    writeFileSync(bad, JSON.stringify(report));
    const { code, stderr } = await runCli(["diff", bad, outage]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `attribute: ${bad}: functions[1].verdict: expected a verdict: OK, UNKNOWN, VENDOR, APPLICATION, APP_BOTTLENECK, UNATTRIBUTED, got the string "MAYBE"\n`,
    );
  });

  it("a file that is not JSON, or is missing: exit 2 naming it", async () => {
    const log = sample("quiet-night.ndjson");
    const notJson = await runCli(["diff", log, outage]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^attribute: ${log}: not valid JSON: [^\\n]*\\n$`));
    const missing = join(dir, "missing.json");
    const gone = await runCli(["diff", outage, missing]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toBe(`attribute: cannot read ${missing}: no such file\n`);
  });
});
