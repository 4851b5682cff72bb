// Verdict colours and short headings shared by the live view and the timeline.
import { describe, expect, it } from "vitest";
import { paintVerdict, SHORT_VERDICT, VERDICT_COLOURS } from "../../src/report/verdict-style.js";
import { VERDICTS } from "../../src/m1/rules.js";

describe("verdict style", () => {
  it("has a colour and a heading for every verdict", () => {
    for (const v of VERDICTS) {
      expect(VERDICT_COLOURS[v]).toMatch(/^\d+(;\d+)?$/);
      expect(SHORT_VERDICT[v].length).toBeGreaterThan(0);
    }
  });

  it("paints only when colour is on", () => {
    expect(paintVerdict("VENDOR", "x", false)).toBe("x");
    expect(paintVerdict("VENDOR", "x", true)).toBe("\u001b[35;1mx\u001b[0m");
  });
});
