import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { percentiles, rankOf } from "../../src/report/percentiles.js";

/** SPEC 5's definition, by sorting: the value at rank ⌈p/100 × n⌉. */
function bySorting(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[rankOf(p, sorted.length) - 1] as number;
}

describe("SPEC 5: nearest-rank latency percentiles found by selection", () => {
  it("equal the value at rank ⌈p/100 × n⌉ of the sorted values, for any values and percentiles", () => {
    fc.assert(
      fc.property(
        // Few distinct values (many ties) as well as many.
        fc.oneof(
          fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 300 }),
          fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { maxLength: 300 }),
        ),
        fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        (values, ps) => {
          // In increasing order (as the report asks) and in the order generated.
          const sortedPs = [...ps].sort((a, b) => a - b);
          expect(percentiles(Float64Array.from(values), sortedPs)).toEqual(
            sortedPs.map((p) => bySorting(values, p)),
          );
          expect(percentiles(Float64Array.from(values), ps)).toEqual(ps.map((p) => bySorting(values, p)));
        },
      ),
      { seed: 20261126, numRuns: 500 },
    );
  });

  it("handles sorted, reversed and constant inputs (the quickselect worst cases)", () => {
    const n = 10_001;
    const ascending = Float64Array.from({ length: n }, (_, i) => i);
    const cases = [ascending, ascending.slice().reverse(), new Float64Array(n).fill(4)];
    for (const values of cases) {
      const expected = [50, 95, 99].map((p) => bySorting(Array.from(values), p));
      expect(percentiles(values, [50, 95, 99])).toEqual(expected);
    }
  });
});
