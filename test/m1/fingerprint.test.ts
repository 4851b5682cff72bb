// Fingerprint: 64 bits of a record's known fields, never (0, 0) (a unit's row marks an empty place so).
import { describe, expect, it } from "vitest";
import { Fingerprint } from "../../src/m1/fingerprint.js";

describe("Fingerprint", () => {
  it("is never (0, 0): the fingerprint that would be is (0, 1)", () => {
    // Murmur's finalizer maps 0 to 0, so halves of 0 before the end make the one fingerprint (0, 0).
    const p = new Fingerprint();
    p.a = 0;
    p.b = 0;
    p.end();
    expect([p.a, p.b]).toEqual([0, 1]);
  });

  it("gives equal records equal fingerprints, and tells -0 from nothing but 0", () => {
    const of = (status: number, latency: number): [number, number] => {
      const p = new Fingerprint();
      p.begin();
      p.word(1, 2);
      p.number(status);
      p.numberIn(Float64Array.of(latency), 0);
      p.end();
      return [p.a, p.b];
    };
    expect(of(500, 12.5)).toEqual(of(500, 12.5));
    expect(of(500, -0)).toEqual(of(500, 0));
    expect(of(500, 12.5)).not.toEqual(of(501, 12.5));
    expect(of(500, 12.5)).not.toEqual(of(500, Number.NaN));
  });
});
