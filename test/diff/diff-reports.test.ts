// attribute diff (issue 5): two JSON reports validated against the contract (errors name the file and the
// key), then verdict changes, functions added and removed, incident-rate and UNKNOWN-share changes, and
// new error codes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffReports, parseReportForDiff } from "../../src/diff/diff-reports.js";
import { InputError } from "../../src/input-error.js";
import { fakeReport, fn, summary } from "../fake-report.js";
import { asJson, lastNight, tonight } from "./reports.js";

describe("diffReports", () => {
  const diff = diffReports(lastNight, tonight, { old: "last.json", new: "tonight.json" });

  it("lists every function of either report in name order, with how it changed", () => {
    expect(diff.functions.map((f) => [f.function, f.change])).toEqual([
      ["billing", "added"],
      ["checkout", "verdict"],
      ["legacy", "removed"],
      ["search", "none"],
    ]);
    expect(diff.changed).toBe(true);
  });

  it("gives both sides of a verdict change with shares, incident rates and UNKNOWN shares", () => {
    const checkout = diff.functions.find((f) => f.function === "checkout");
    expect(checkout).toEqual({
      function: "checkout",
      change: "verdict",
      old: { units: 100, incidents: 5, verdict: "VENDOR", share: 0.8, incidentRate: 0.05, unknownShare: 0.2 },
      new: {
        units: 100,
        incidents: 10,
        verdict: "APPLICATION",
        share: 0.8,
        incidentRate: 0.1,
        unknownShare: 0.2,
      },
      incidentRatePoints: 5,
      unknownSharePoints: 0,
      newErrorCodes: ["INVALID_CART"],
    });
  });

  it("has no rate change for an added or removed function, and every code of an added one is new", () => {
    const billing = diff.functions[0];
    expect(billing).toMatchObject({
      old: null,
      incidentRatePoints: null,
      newErrorCodes: ["UPSTREAM_TIMEOUT"],
    });
    expect(diff.functions[2]).toMatchObject({ new: null, newErrorCodes: [] });
  });

  it("compares the overall verdict, incident rate and UNKNOWN share (in percentage points)", () => {
    expect(diff.overall).toEqual({
      old: {
        units: 160,
        incidents: 5,
        verdict: "VENDOR",
        share: 0.8,
        incidentRate: 0.03125,
        unknownShare: 0.2,
      },
      new: {
        units: 153,
        incidents: 13,
        verdict: "APPLICATION",
        share: 8 / 13,
        incidentRate: 0.084967,
        unknownShare: 0.153846,
      },
      verdictChanged: true,
      incidentRatePoints: 5.3717,
      unknownSharePoints: -4.6154,
    });
  });

  it("is unchanged for a report against itself; rates alone never count as a change", () => {
    expect(diffReports(lastNight, lastNight)).toMatchObject({ changed: false, notes: [] });
    const busier = asJson(
      fakeReport(
        [
          fn("checkout", { OK: 50, VENDOR: 50 }, "VENDOR"),
          fn("legacy", { OK: 1 }, "OK"),
          fn("search", { OK: 1 }, "OK"),
        ],
        {
          overall: summary({ OK: 52, VENDOR: 50 }, "VENDOR"),
        },
      ),
    );
    expect(diffReports(lastNight, busier).changed).toBe(false);
  });

  it("has null rates where there is nothing to divide by", () => {
    const empty = asJson(fakeReport([]));
    const d = diffReports(empty, empty);
    expect(d.overall.old).toMatchObject({ incidentRate: null, unknownShare: null });
    expect(d.overall.incidentRatePoints).toBeNull();
  });

  it("notes differing thresholds and incomplete reports", () => {
    const other = asJson(
      fakeReport([], { thresholds: { slowMs: 500, upstreamShare: 0.2 }, complete: false }),
    );
    expect(diffReports(asJson(fakeReport([])), other, { old: "a.json", new: "b.json" }).notes).toEqual([
      "the thresholds differ (slowMs 1000, upstreamShare 0.2 → slowMs 500, upstreamShare 0.2): some changes may come from them",
      "b.json is INCOMPLETE: it covers only part of its input",
    ]);
  });

  it("handles a function named __proto__ as a name like any other", () => {
    const a = asJson(fakeReport([fn("__proto__", { OK: 1 }, "OK")]));
    const b = asJson(fakeReport([fn("__proto__", { VENDOR: 1 }, "VENDOR")]));
    expect(diffReports(a, b).functions).toMatchObject([{ function: "__proto__", change: "verdict" }]);
  });

  it("reads the reports the CLI writes (a golden report against itself)", () => {
    const golden = JSON.parse(readFileSync("test/golden/vendor-outage.json", "utf8")) as unknown;
    expect(diffReports(golden, golden).changed).toBe(false);
  });
});

describe("parseReportForDiff: a bad file names the file and the key", () => {
  const problem = (mutate: (r: Record<string, unknown>) => void): string => {
    const report = asJson(lastNight) as Record<string, unknown>;
    mutate(report);
    try {
      parseReportForDiff(report, "old.json");
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("expected the report to be refused");
  };

  it.each<[string, (r: Record<string, unknown>) => void, string]>([
    [
      "another schema",
      (r) => (r.schema = "attribute.diff/v1"),
      'old.json: schema: expected "attribute.report/v1", got the string "attribute.diff/v1"',
    ],
    ["a missing key", (r) => delete r.overall, "old.json: overall: missing (expected an object)"],
    [
      "a count as a string",
      (r) => ((r.functions as { verdicts: Record<string, unknown> }[])[1]!.verdicts.VENDOR = "3"),
      'old.json: functions[1].verdicts.VENDOR: expected a whole number ≥ 0, got the string "3"',
    ],
    [
      "an unknown verdict",
      (r) => ((r.overall as Record<string, unknown>).verdict = "BLAME"),
      'old.json: overall.verdict: expected a verdict: OK, UNKNOWN, VENDOR, APPLICATION, APP_BOTTLENECK, UNATTRIBUTED, got the string "BLAME"',
    ],
    [
      "a function listed twice",
      (r) => (r.functions as unknown[]).push((r.functions as unknown[])[0]),
      'old.json: functions[3].function: expected a name not listed before, got the string "checkout"',
    ],
  ])("%s", (_case, mutate, message) => {
    expect(problem(mutate)).toBe(message);
  });

  it("refuses something that is not a report at all", () => {
    expect(() => parseReportForDiff([], "x.json")).toThrow(
      "x.json: expected a JSON object (an attribute report), got an array",
    );
  });

  it("allows fields it does not read: reports may gain fields", () => {
    const report = asJson(lastNight) as Record<string, unknown>;
    report.timeline = { bucket: "30m" };
    expect(() => parseReportForDiff(report, "old.json")).not.toThrow();
  });
});
