// UnitSet: several disjoint unit readers read as one, and its parts (UnitsPart), through which the report
// reads every unit straight from the reader that holds it.
import { describe, expect, it } from "vitest";
import { FrozenUnits } from "../../src/m1/frozen-units.js";
import { UnitSet } from "../../src/m1/unit-set.js";
import type { UnitsReader } from "../../src/m1/units-reader.js";
import { m1, readText } from "../helpers.js";

/** The units of some lines, as a table. */
function tableOf(lines: string[]) {
  return readText({ "a.ndjson": lines.join("\n") }).intake.units;
}

const vendor = { status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" };
// Function names and word sets that differ in id from one reader to the next.
const first = tableOf([
  m1({ request_id: "a1", function: "search" }),
  m1({ request_id: "a2", function: "checkout", ...vendor }),
  m1({ request_id: "a3", function: "search", stage: "respond", error_code: "E1", status: 500 }),
]);
const second = new FrozenUnits(
  tableOf([
    m1({ request_id: "b1", function: "checkout", stage: "respond", error_code: "E2", status: 500 }),
    m1({ request_id: "b2", function: "refund", ...vendor }),
  ]).snapshot(),
);
const third = tableOf([
  m1({ request_id: "c1", function: "refund" }),
  m1({ request_id: "c2", function: "search", ...vendor }),
]);

/** Each unit as the parts give it, in the set's index order. */
function throughParts(set: UnitsReader) {
  return set.parts().flatMap(({ reader, functionIds, setStride, setIndex }) =>
    Array.from({ length: reader.size }, (_, i) => ({
      function: set.functions[functionIds[reader.functionIdOf(i)] as number],
      wordSet: reader.wordSetOf(i) * setStride + setIndex,
      requestId: reader.requestIdOf(i),
      facts: reader.facts(i),
    })),
  );
}

/** Each unit as the set itself gives it, by index. */
function throughSet(set: UnitsReader) {
  return Array.from({ length: set.size }, (_, i) => ({
    function: set.functions[set.functionIdOf(i)],
    wordSet: set.wordSetOf(i),
    requestId: set.requestIdOf(i),
    facts: set.facts(i),
  }));
}

describe("UnitSet.parts()", () => {
  it("a table is its own one part, ids as they are", () => {
    expect(first.parts()).toEqual([{ reader: first, functionIds: [0, 1], setStride: 1, setIndex: 0 }]);
  });

  it("gives every unit of the set, in index order, with the set's function ids and word sets", () => {
    const set = new UnitSet([first, second, third]);
    expect(set.parts().map((part) => part.reader)).toEqual([first, second, third]);
    const units = throughParts(set);
    expect(units).toEqual(throughSet(set));
    expect(units.map((u) => u.requestId)).toEqual(["a1", "a2", "a3", "b1", "b2", "c1", "c2"]);
    // The error codes of a word set, as the set reads them, are those of the unit's own reader.
    expect(units.map((u) => set.errorCodesOf(u.wordSet))).toEqual([
      [],
      ["UPSTREAM_ERROR"],
      ["E1"],
      ["E2"],
      ["UPSTREAM_ERROR"],
      [],
      ["UPSTREAM_ERROR"],
    ]);
  });

  it("a set within a set: its parts are the leaves, their ids mapped through both", () => {
    const nested = new UnitSet([third, new UnitSet([first, second])]);
    expect(nested.parts().map((part) => part.reader)).toEqual([third, first, second]);
    expect(throughParts(nested)).toEqual(throughSet(nested));
  });

  it("facts into a scratch object: the same values, in the object given", () => {
    const scratch = { status: 0, latencyMs: 0, upstream: null, upstreamLatencyMs: null };
    const set = new UnitSet([first, second]);
    for (let i = 0; i < set.size; i++) {
      expect(set.facts(i, scratch)).toBe(scratch);
      expect({ ...scratch }).toEqual(set.facts(i));
    }
  });
});
