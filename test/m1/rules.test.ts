import { describe, expect, it } from "vitest";
import { classify, DEFAULT_THRESHOLDS, RULES, type UnitFacts, type Verdict } from "../../src/m1/rules.js";

const facts = (
  status: number,
  latencyMs: number,
  upstream: UnitFacts["upstream"],
  upstreamLatencyMs: number | null,
) => ({
  status,
  latencyMs,
  upstream,
  upstreamLatencyMs,
});

// [case, facts, expected verdict], grouped by the SPEC.md section 3 rule that decides them.
const cases: Record<string, [string, UnitFacts, Verdict][]> = {
  "rule 1: not an incident is OK": [
    ["2xx, fast", facts(200, 999.999, 503, 10), "OK"],
    ["3xx, fast, no upstream evidence", facts(399, 0, null, null), "OK"],
    ["1xx", facts(100, 0, "timeout", null), "OK"],
  ],
  "rule 2: an incident without upstream_status is UNKNOWN": [
    ["5xx without upstream", facts(503, 10, null, null), "UNKNOWN"],
    ["slow 200 without upstream", facts(200, 1000, null, 5), "UNKNOWN"],
    ["4xx without upstream", facts(400, 10, null, 100), "UNKNOWN"],
  ],
  "rule 3: upstream timeout or 5xx with a 5xx status is VENDOR": [
    ["503 over 503", facts(503, 10, 503, 5), "VENDOR"],
    ["500 over timeout", facts(500, 3000, "timeout", null), "VENDOR"],
    ["599 over 599", facts(599, 1, 599, 1), "VENDOR"],
  ],
  "rule 4: upstream 2xx with status ≥ 400 is APPLICATION": [
    ["500 over 200", facts(500, 10, 200, 5), "APPLICATION"],
    ["422 over 299", facts(422, 10, 299, 5), "APPLICATION"],
    ["404 over 204, slow", facts(404, 5000, 204, 10), "APPLICATION"],
  ],
  "rule 5: slow with a small upstream share is APP_BOTTLENECK": [
    ["exactly at the share", facts(200, 1000, 200, 200), "APP_BOTTLENECK"],
    ["well under the share", facts(200, 2400, 200, 180), "APP_BOTTLENECK"],
    ["slow 4xx over 4xx upstream, small share", facts(404, 2000, 404, 100), "APP_BOTTLENECK"],
  ],
  "rule 6: any other incident is UNATTRIBUTED": [
    ["slow with a large upstream share", facts(200, 1000, 200, 200.0001), "UNATTRIBUTED"],
    ["slow with no upstream latency", facts(200, 1500, 200, null), "UNATTRIBUTED"],
    ["4xx over upstream 5xx", facts(404, 10, 503, 5), "UNATTRIBUTED"],
    ["5xx over upstream 4xx", facts(504, 10, 404, 5), "UNATTRIBUTED"],
    ["5xx over upstream 3xx", facts(502, 10, 301, 5), "UNATTRIBUTED"],
    ["4xx over timeout", facts(422, 2861, "timeout", 1028), "UNATTRIBUTED"],
  ],
};

describe("SPEC 3: classifying a unit (default thresholds)", () => {
  for (const [rule, rows] of Object.entries(cases)) {
    describe(rule, () => {
      it.each(rows)("%s", (_name, unit, verdict) => {
        expect(classify(unit, DEFAULT_THRESHOLDS)).toBe(verdict);
      });
    });
  }

  it("SPEC 3: slow means latency_ms ≥ slowMs, and the thresholds are honoured", () => {
    const unit = facts(200, 500, 200, 120);
    expect(classify(unit, DEFAULT_THRESHOLDS)).toBe("OK");
    expect(classify(unit, { slowMs: 500, upstreamShare: 0.2 })).toBe("UNATTRIBUTED");
    expect(classify(unit, { slowMs: 500, upstreamShare: 0.3 })).toBe("APP_BOTTLENECK");
  });

  it("SPEC 3: incident means status ≥ 400 (399 is not one)", () => {
    expect(classify(facts(399, 0, null, null), DEFAULT_THRESHOLDS)).toBe("OK");
    expect(classify(facts(400, 0, null, null), DEFAULT_THRESHOLDS)).toBe("UNKNOWN");
  });

  it("SPEC 3: the first rule that matches wins (rule 3 before rule 5 for a slow vendor failure)", () => {
    expect(classify(facts(503, 5000, 503, 10), DEFAULT_THRESHOLDS)).toBe("VENDOR");
  });

  it("the rule table is SPEC 3's, numbered 1–6 in order", () => {
    expect(RULES.map((r) => [r.number, r.verdict])).toEqual([
      [1, "OK"],
      [2, "UNKNOWN"],
      [3, "VENDOR"],
      [4, "APPLICATION"],
      [5, "APP_BOTTLENECK"],
      [6, "UNATTRIBUTED"],
    ]);
  });
});
