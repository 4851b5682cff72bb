import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareIds } from "../../src/report/evidence.js";

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe("SPEC 5: sample request ids are the smallest in string order, compared from their bytes", () => {
  it("orders UTF-8 bytes exactly as JavaScript orders the strings, non-ASCII included", () => {
    // Characters around the places where UTF-8 (code point) order and UTF-16 order disagree.
    const char = fc.constantFrom(
      "a",
      "b",
      "~",
      "é",
      "\u07ff",
      "\u0800",
      "\ud7ff",
      "\ue000",
      "\uffff",
      "😀",
      "𐀀",
    );
    const id = fc.array(char, { maxLength: 6 }).map((chars) => chars.join(""));
    fc.assert(
      fc.property(id, id, (a, b) => {
        const sample = { bytes: Buffer.from(b, "utf8"), text: b };
        const expected = a < b ? -1 : a > b ? 1 : 0;
        expect(sign(compareIds(Buffer.from(a, "utf8"), sample))).toBe(expected);
      }),
      { seed: 11, numRuns: 3000 },
    );
  });
});
