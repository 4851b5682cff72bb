import { describe, expect, it } from "vitest";
import { VERDICTS, type Verdict } from "../../src/m1/rules.js";
import { buildReport, classifyUnits, summarizeVerdicts } from "../../src/report/build-report.js";
import { percentiles } from "../../src/report/percentiles.js";
import { STOP_RULE } from "../../src/report/report.js";
import { m1, readText, reportFor } from "../helpers.js";

const counts = (c: Partial<Record<string, number>>) => ({
  OK: 0,
  UNKNOWN: 0,
  VENDOR: 0,
  APPLICATION: 0,
  APP_BOTTLENECK: 0,
  UNATTRIBUTED: 0,
  ...c,
});

describe("SPEC 4: a function's verdict, and the overall verdict", () => {
  it("no incidents: OK with share 1", () => {
    expect(summarizeVerdicts(5, counts({ OK: 5 }))).toMatchObject({ incidents: 0, verdict: "OK", share: 1 });
  });

  it("otherwise the verdict held by the most incidents, with its share of all incidents", () => {
    expect(summarizeVerdicts(10, counts({ OK: 4, VENDOR: 4, UNKNOWN: 1, APPLICATION: 1 }))).toMatchObject({
      incidents: 6,
      verdict: "VENDOR",
      share: 4 / 6,
    });
  });

  it("UNKNOWN and UNATTRIBUTED count like any verdict", () => {
    expect(summarizeVerdicts(3, counts({ UNATTRIBUTED: 2, VENDOR: 1 })).verdict).toBe("UNATTRIBUTED");
    expect(summarizeVerdicts(3, counts({ UNKNOWN: 2, VENDOR: 1 })).verdict).toBe("UNKNOWN");
  });

  it("a tie for the most is UNKNOWN (split evidence: no blame), with UNKNOWN's own share", () => {
    expect(summarizeVerdicts(4, counts({ VENDOR: 2, APPLICATION: 2 }))).toMatchObject({
      verdict: "UNKNOWN",
      share: 0,
    });
    expect(summarizeVerdicts(5, counts({ VENDOR: 2, APPLICATION: 2, UNKNOWN: 1 }))).toMatchObject({
      verdict: "UNKNOWN",
      share: 0.2,
    });
  });

  it("the overall verdict applies the same rule to all units together", () => {
    const report = reportFor({
      x: [
        m1({ request_id: "a", function: "f1", status: 503, upstream_status: 503 }),
        m1({ request_id: "b", function: "f1", status: 503, upstream_status: 503 }),
        m1({ request_id: "c", function: "f2", status: 500, upstream_status: 200 }),
        m1({ request_id: "d", function: "f3", status: 500, upstream_status: 200 }),
        m1({ request_id: "e", function: "f4", status: 200 }),
      ].join("\n"),
    });
    expect(report.functions.map((f) => [f.function, f.verdict])).toEqual([
      ["f1", "VENDOR"],
      ["f2", "APPLICATION"],
      ["f3", "APPLICATION"],
      ["f4", "OK"],
    ]);
    // 2 VENDOR and 2 APPLICATION over all units: a tie.
    expect(report.overall).toMatchObject({ units: 5, incidents: 4, verdict: "UNKNOWN" });
  });
});

describe("SPEC 5: what every report says", () => {
  it("latency percentiles are nearest-rank over the merged latency of units", () => {
    const shuffled = Float64Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(percentiles(shuffled, [50, 95, 99])).toEqual([50, 95, 99]);
    expect(percentiles(Float64Array.of(7), [50, 95, 99])).toEqual([7, 7, 7]);
    expect(percentiles(Float64Array.of(3, 1, 2), [50])).toEqual([2]);
    expect(percentiles(new Float64Array(0), [50])).toEqual([0]);
    const lines = [10, 20, 30, 40].flatMap((ms, i) => [
      m1({ request_id: `r${i}`, latency_ms: 1 }),
      m1({ request_id: `r${i}`, latency_ms: ms }),
    ]);
    expect(reportFor({ x: lines.join("\n") }).functions[0]?.latencyMs).toEqual({ p50: 20, p95: 40, p99: 40 });
  });

  it("evidence lists up to three sample request ids, the smallest in string order", () => {
    const ids = ["r9", "r10", "r2", "r1", "r30"];
    const report = reportFor({
      x: ids.map((id) => m1({ request_id: id, status: 503, upstream_status: 503 })).join("\n"),
    });
    expect(report.functions[0]?.evidence).toEqual([
      expect.objectContaining({ verdict: "VENDOR", count: 5, samples: ["r1", "r10", "r2"] }),
    ]);
  });

  it("UNKNOWN evidence breaks incidents down by error code, so an unlogged timeout is seen", () => {
    const lines = [
      m1({ request_id: "a", status: 504, upstream_status: null, error_code: "UPSTREAM_TIMEOUT" }),
      m1({ request_id: "b", status: 504, upstream_status: null, error_code: "UPSTREAM_TIMEOUT" }),
      m1({ request_id: "c", status: 500, upstream_status: null, error_code: null }),
    ];
    const unknown = reportFor({ x: lines.join("\n") }).functions[0]?.evidence[0];
    expect(unknown?.verdict).toBe("UNKNOWN");
    expect(unknown?.errorCodes).toEqual([
      { code: "UPSTREAM_TIMEOUT", count: 2 },
      { code: null, count: 1 },
    ]);
    expect(unknown?.summary).toContain("UPSTREAM_TIMEOUT ×2");
    expect(unknown?.summary).toContain('"timeout"');
  });

  it("functions list their most frequent error codes, counted over units", () => {
    const lines = [
      m1({ request_id: "a", error_code: "E1" }),
      m1({ request_id: "a", error_code: "E1", stage: "x" }),
      m1({ request_id: "b", error_code: "E2" }),
    ];
    expect(reportFor({ x: lines.join("\n") }).functions[0]?.errorCodes).toEqual([
      { code: "E1", count: 1 },
      { code: "E2", count: 1 },
    ]);
  });

  it("the input summary counts lines, valid, invalid (by reason, located), blank, duplicates and unknown fields", () => {
    const report = reportFor({
      "b.ndjson": ["", m1({}), m1({}), "not json", m1({ status: "500" }), "  ", m1({ level: "info" })].join(
        "\n",
      ),
    });
    // The record with `level` equals the first two in every known field: two duplicates.
    expect(report.input).toMatchObject({
      lines: 7,
      valid: 3,
      invalid: 2,
      blank: 2,
      duplicates: 2,
      unknownFields: { level: 1 },
    });
    expect(report.input.violations.map((v) => [v.source, v.line])).toEqual([
      ["b.ndjson", 4],
      ["b.ndjson", 5],
    ]);
    expect(report.input.violationsByReason).toEqual({
      "not valid JSON": 1,
      "status: expected an integer 100–599": 1,
    });
  });

  it("the stop rule, word for word", () => {
    expect(reportFor({}).stopRule).toBe(
      "Stop rule: no data rewrite, schema change, or semantic patch without a replay plan and rollback.",
    );
    expect(STOP_RULE).toBe(reportFor({}).stopRule);
  });

  it("an empty input gives an OK report with zero counts", () => {
    expect(reportFor({ x: "" })).toMatchObject({
      input: { lines: 0 },
      overall: { units: 0, incidents: 0, verdict: "OK" },
    });
  });
});

describe("buildReport classifies in its one pass as classifyUnits does (the NDJSON rows' verdicts)", () => {
  it("per function, with a function's own thresholds, and with the evidence counted alike", () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      lines.push(
        m1({
          request_id: `r${i % 150}`,
          function: ["checkout", "search", "__proto__"][i % 3],
          stage: `s${i % 4}`,
          status: [200, 503, 500, 504][i % 4],
          upstream_status: [200, 503, null, "timeout"][(i * 7) % 4],
          latency_ms: (i * 37) % 3000,
          upstream_latency_ms: (i * 13) % 2000,
          error_code: i % 5 === 0 ? null : `E${i % 3}`,
        }),
      );
    }
    // Slow for search's own thresholds (300 ms), not for the others' (1000 ms).
    for (let i = 0; i < 20; i++)
      lines.push(
        m1({
          request_id: `slow${i}`,
          function: "search",
          status: 200,
          upstream_status: 200,
          latency_ms: 500,
          upstream_latency_ms: 100,
        }),
      );
    const read = readText({ x: lines.join("\n") });
    const thresholds = { slowMs: 1000, upstreamShare: 0.2 };
    const options = {
      thresholds,
      thresholdsFor: (fn: string) => (fn === "search" ? { slowMs: 300, upstreamShare: 0.6 } : thresholds),
    };
    const report = buildReport(read, options);
    const verdicts = classifyUnits(read.units, options);
    for (const summary of report.functions) {
      const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
      for (let i = 0; i < read.units.size; i++)
        if (read.units.functions[read.units.functionIdOf(i)] === summary.function)
          counts[VERDICTS[verdicts[i] as number] as Verdict]++;
      expect(summary.verdicts).toEqual(counts);
      for (const evidence of summary.evidence) expect(evidence.count).toBe(counts[evidence.verdict]);
    }
    // The per-function thresholds made a difference that both saw.
    expect(buildReport(read, { thresholds }).functions).not.toEqual(report.functions);
  });
});
