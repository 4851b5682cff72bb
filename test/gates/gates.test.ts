// The CI gates: --fail-on, --max-invalid, --max-unknown (issue 5), their edges and their exact wording.
import { describe, expect, it } from "vitest";
import {
  evaluateGates,
  gateMarkdownLines,
  gateStderrLines,
  gateTextLines,
  ratioText,
} from "../../src/gates/gates.js";
import { fakeReport, fn, summary } from "../fake-report.js";

const checkout = fn("checkout", { OK: 10, VENDOR: 9, UNKNOWN: 1 }, "VENDOR", 0.9);
const search = fn("search", { OK: 20, APPLICATION: 2 }, "APPLICATION");
const profile = fn("profile", { OK: 5 }, "OK");
const report = fakeReport([checkout, profile, search], {
  overall: summary({ OK: 35, VENDOR: 9, UNKNOWN: 1, APPLICATION: 2 }, "VENDOR", 9 / 12),
});

describe("--fail-on", () => {
  it("trips on the overall verdict and names every function whose verdict is listed", () => {
    const result = evaluateGates(report, { failOn: ["VENDOR", "APPLICATION"] });
    expect(result.tripped).toEqual([
      {
        gate: "fail-on",
        detail:
          "--fail-on VENDOR,APPLICATION: overall verdict VENDOR; function verdicts: checkout VENDOR, search APPLICATION",
      },
    ]);
  });

  it("trips on a function's verdict even when the overall verdict is not listed", () => {
    const result = evaluateGates(report, { failOn: ["APPLICATION"] });
    expect(result.tripped.map((t) => t.detail)).toEqual([
      "--fail-on APPLICATION: function verdicts: search APPLICATION",
    ]);
  });

  it("does not trip when no verdict is listed, nor with an empty list", () => {
    expect(evaluateGates(report, { failOn: ["APP_BOTTLENECK", "UNATTRIBUTED"] }).tripped).toEqual([]);
    expect(evaluateGates(report, { failOn: [] })).toMatchObject({ failOn: null, tripped: [] });
  });

  it("names ten functions at most, then says how many more", () => {
    const many = Array.from({ length: 13 }, (_, i) =>
      fn(`f${String(i).padStart(2, "0")}`, { VENDOR: 1 }, "VENDOR"),
    );
    const [tripped] = evaluateGates(fakeReport(many), { failOn: ["VENDOR"] }).tripped;
    expect(tripped?.detail).toMatch(/f09 VENDOR, and 3 more$/);
  });
});

describe("--max-invalid", () => {
  const withInvalid = (valid: number, invalid: number) =>
    fakeReport([profile], { input: { valid, invalid } });

  it("trips when invalid / (valid + invalid) exceeds the ratio", () => {
    expect(evaluateGates(withInvalid(4017, 24), { maxInvalid: 0.001 }).tripped).toEqual([
      {
        gate: "max-invalid",
        detail: "--max-invalid 0.001: 24 of 4041 records invalid (0.59%), more than 0.1%",
      },
    ]);
  });

  it("does not trip at exactly the ratio (exceeds means more than)", () => {
    expect(evaluateGates(withInvalid(99, 1), { maxInvalid: 0.01 }).tripped).toEqual([]);
  });

  it("shows enough decimals that a ratio just over the limit never reads as equal to it", () => {
    const [tripped] = evaluateGates(withInvalid(9_899_999, 100_001), { maxInvalid: 0.01 }).tripped;
    expect(tripped?.detail).toBe(
      "--max-invalid 0.01: 100001 of 10000000 records invalid (1.00001%), more than 1%",
    );
  });

  it("does not trip with no records at all, and 0 trips on a single invalid line", () => {
    expect(evaluateGates(withInvalid(0, 0), { maxInvalid: 0 }).tripped).toEqual([]);
    expect(evaluateGates(withInvalid(10, 1), { maxInvalid: 0 }).tripped).toHaveLength(1);
  });
});

describe("--max-unknown", () => {
  it("trips when UNKNOWN incidents / all incidents exceeds the ratio", () => {
    const r = fakeReport([checkout], { overall: summary({ OK: 10, VENDOR: 9, UNKNOWN: 3 }, "VENDOR", 0.75) });
    expect(evaluateGates(r, { maxUnknown: 0.2 }).tripped).toEqual([
      { gate: "max-unknown", detail: "--max-unknown 0.2: 3 of 12 incidents UNKNOWN (25%), more than 20%" },
    ]);
  });

  it("does not trip with no incidents (no incidents, no evidence gap)", () => {
    expect(evaluateGates(fakeReport([profile]), { maxUnknown: 0 }).tripped).toEqual([]);
  });

  it("does not trip at or under the ratio", () => {
    const r = fakeReport([checkout], { overall: summary({ VENDOR: 4, UNKNOWN: 1 }, "VENDOR", 0.8) });
    expect(evaluateGates(r, { maxUnknown: 0.2 }).tripped).toEqual([]);
  });
});

describe("the result and its wording", () => {
  it("records what was asked, so the report states the gates it was held to", () => {
    expect(evaluateGates(report, {})).toEqual({
      failOn: null,
      maxInvalid: null,
      maxUnknown: null,
      tripped: [],
    });
    expect(evaluateGates(report, { failOn: ["VENDOR"], maxInvalid: 0.5, maxUnknown: 1 })).toMatchObject({
      failOn: ["VENDOR"],
      maxInvalid: 0.5,
      maxUnknown: 1,
    });
  });

  it("lists tripped gates in a fixed order: fail-on, max-invalid, max-unknown", () => {
    const r = fakeReport([checkout], {
      input: { valid: 1, invalid: 1 },
      overall: summary({ UNKNOWN: 1, VENDOR: 1 }, "UNKNOWN", 0.5),
    });
    const gates = evaluateGates(r, { maxUnknown: 0.1, maxInvalid: 0.1, failOn: ["UNKNOWN"] }).tripped;
    expect(gates.map((g) => g.gate)).toEqual(["fail-on", "max-invalid", "max-unknown"]);
  });

  it("escapes log content on stderr and in the table and Markdown sections", () => {
    const hostile = fakeReport([fn("::error::\u001b[31mx\n", { VENDOR: 1 }, "VENDOR")]);
    const result = evaluateGates(hostile, { failOn: ["VENDOR"] });
    expect(gateStderrLines(result)).toEqual([
      "attribute: gate tripped: --fail-on VENDOR: function verdicts: ::error::\\x1b[31mx\\x0a VENDOR",
    ]);
    for (const line of [...gateTextLines(result), ...gateMarkdownLines(result)]) {
      expect(line).not.toMatch(/[\u0000-\u001f]/);
      expect(line.startsWith("::")).toBe(false);
    }
    // Markdown shows the escape itself: `\x1b` with its backslash escaped, `[` escaped.
    expect(gateMarkdownLines(result).join("\n")).toContain(String.raw`::error::\\x1b\[31mx\\x0a VENDOR`);
  });

  it("says when gates were asked for and none tripped, and nothing when none were asked for", () => {
    expect(gateTextLines(evaluateGates(report, {}))).toEqual([]);
    expect(gateTextLines(evaluateGates(report, { maxInvalid: 0.01 }))).toEqual([
      "Gates: --max-invalid 0.01: none tripped",
    ]);
    expect(gateTextLines(evaluateGates(report, { failOn: ["VENDOR"] }))).toEqual([
      "Gates: --fail-on VENDOR: 1 tripped",
      "  TRIPPED --fail-on VENDOR: overall verdict VENDOR; function verdicts: checkout VENDOR",
    ]);
  });
});

describe("ratioText", () => {
  it("uses two decimals at most, more only to tell a value from its limit", () => {
    expect(ratioText(0.25)).toBe("25%");
    expect(ratioText(1 / 3)).toBe("33.33%");
    expect(ratioText(0.0100001, 0.01)).toBe("1.00001%");
  });
});
