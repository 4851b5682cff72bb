import { describe, expect, it } from "vitest";
import type { M1Record } from "../../src/m1/record.js";
import { UnitTable } from "../../src/m1/unit-table.js";
import { groupByFunction } from "../../src/m1/units-reader.js";
import { readText, m1 } from "../helpers.js";

/** The one merged unit of a set of lines. */
function mergedOf(...lines: string[]) {
  const { intake } = readText({ "a.ndjson": lines.join("\n") });
  expect(intake.units.size).toBe(1);
  return intake.units.unit(0);
}

describe("SPEC 2: units and the merge", () => {
  it("the unit is the pair (request_id, function)", () => {
    const { intake } = readText({
      x: [m1({ request_id: "a" }), m1({ request_id: "a", function: "search" }), m1({ request_id: "b" })].join(
        "\n",
      ),
    });
    expect(intake.units.size).toBe(3);
  });

  it("status: the largest", () => {
    expect(mergedOf(m1({ status: 200 }), m1({ status: 503 }), m1({ status: 404 })).status).toBe(503);
  });

  it("latency_ms: the largest", () => {
    expect(
      mergedOf(m1({ latency_ms: 12.5 }), m1({ latency_ms: 3000 }), m1({ latency_ms: 7 })).latencyMs,
    ).toBe(3000);
  });

  describe("upstream_status: the most severe non-null value", () => {
    it.each([
      [[200, "timeout", 503], "timeout"],
      [[503, 599, 200], 599],
      [[404, 500], 500],
      [[301, 404], 404],
      [[204, 302], 302],
      [[101, 200], 200],
      [[null, 201, null], 201],
      [[null, null], null],
    ])("%j merges to %j", (values, expected) => {
      const lines = values.map((v) => m1({ upstream_status: v }));
      expect(mergedOf(...lines).upstream).toBe(expected);
    });
  });

  it("upstream_latency_ms: the largest non-null value, null only if all are null", () => {
    expect(
      mergedOf(m1({ upstream_latency_ms: null }), m1({ upstream_latency_ms: 40 })).upstreamLatencyMs,
    ).toBe(40);
    expect(
      mergedOf(m1({ upstream_latency_ms: 0 }), m1({ upstream_latency_ms: null })).upstreamLatencyMs,
    ).toBe(0);
    expect(
      mergedOf(m1({ upstream_latency_ms: null }), m1({ upstream_latency_ms: null })).upstreamLatencyMs,
    ).toBe(null);
  });

  it("error_codes: the set of non-null error_code values", () => {
    const unit = mergedOf(
      m1({ error_code: "B" }),
      m1({ error_code: null }),
      m1({ error_code: "A" }),
      m1({ error_code: "B" }),
    );
    expect([...unit.errorCodes].sort()).toEqual(["A", "B"]);
  });

  it("stages: the set of stage values", () => {
    const unit = mergedOf(
      m1({ stage: "upstream" }),
      m1({ stage: "respond" }),
      m1({ stage: "upstream", status: 500 }),
    );
    expect([...unit.stages].sort()).toEqual(["respond", "upstream"]);
  });

  it("error_codes and stages stay apart when a word is both a stage and an error code", () => {
    // A unit keeps its stages and error codes as one set of word ids (unit-words.ts); "timeout" is one
    // word, met first as a stage and then as a code.
    const unit = mergedOf(
      m1({ stage: "timeout", error_code: null }),
      m1({ stage: "upstream", error_code: "timeout" }),
      m1({ stage: "respond", error_code: "upstream" }),
    );
    expect(unit.stages).toEqual(["timeout", "upstream", "respond"]);
    expect(unit.errorCodes).toEqual(["timeout", "upstream"]);
  });

  it("time: the earliest and latest timestamps, where records have one", () => {
    const unit = mergedOf(
      m1({ ts: "2026-11-25T10:00:00Z" }),
      m1({ stage: "x" }),
      m1({ time: Date.UTC(2026, 10, 25, 9) }),
    );
    expect(unit.firstMs).toBe(Date.UTC(2026, 10, 25, 9));
    expect(unit.lastMs).toBe(Date.UTC(2026, 10, 25, 10));
  });

  describe("duplicates", () => {
    const duplicatesOf = (...lines: string[]): number =>
      readText({ x: lines.join("\n") }).intake.tally.valid -
      readText({ x: lines.join("\n") }).intake.units.distinctRecords;

    it("a record equal in all known fields to an earlier one of its unit is a duplicate", () => {
      expect(duplicatesOf(m1({}), m1({}), m1({}))).toBe(2);
    });

    it("a difference in any known field, the timestamp included, makes it a new record", () => {
      for (const change of [
        { stage: "other" },
        { status: 201 },
        { latency_ms: 11 },
        { error_code: "E" },
        { upstream_status: null },
        { upstream_latency_ms: null },
        { ts: 1 },
      ]) {
        expect(duplicatesOf(m1({}), m1(change))).toBe(0);
      }
    });

    it("unknown fields and key order do not matter; the same record in another unit is not a duplicate", () => {
      const reordered =
        '{"upstream_latency_ms":5,"upstream_status":200,"error_code":null,"latency_ms":10,"status":200,"stage":"respond","function":"checkout","request_id":"r1","level":"debug"}';
      expect(duplicatesOf(m1({}), reordered)).toBe(1);
      expect(duplicatesOf(m1({}), m1({ request_id: "r2" }))).toBe(0);
    });

    it("timestamps are compared as times: the same instant written two ways is a duplicate", () => {
      expect(duplicatesOf(m1({ ts: "2026-11-25T10:00:00Z" }), m1({ time: Date.UTC(2026, 10, 25, 10) }))).toBe(
        1,
      );
    });

    it("are counted past the inline fingerprints of a unit", () => {
      const lines = [1, 2, 3, 4, 5].map((n) => m1({ stage: `s${n}` }));
      expect(duplicatesOf(...lines, ...lines, lines[4] as string)).toBe(6);
    });

    it.each([1, 2, 3, 4])("are counted for a unit of %i distinct records, each repeated", (n) => {
      // Up to three fingerprints sit in a unit's row, its empty places (0, 0); the fourth spills.
      const lines = Array.from({ length: n }, (_, k) => m1({ stage: `s${k}` }));
      expect(duplicatesOf(...lines, ...lines.toReversed(), ...lines)).toBe(2 * n);
    });
  });

  it("absorbing one table into another equals reading both inputs into one (the merge of parallel readers)", () => {
    // Ids of each kind of key: short, a UUID (packed), and the longest allowed (a two-word header).
    const uuid = "0b7a4c2e-1f3d-4e5a-9b8c-7d6e5f4a3b2c";
    const longest = "x".repeat(256);
    const a = [
      m1({ status: 500, error_code: "X" }),
      m1({ request_id: "r2" }),
      m1({ stage: "s1" }),
      m1({ request_id: uuid, latency_ms: 5 }),
      m1({ request_id: longest, stage: "s1" }),
    ];
    const b = [
      m1({ upstream_status: "timeout", error_code: "Y" }),
      m1({ request_id: "r2" }),
      m1({ request_id: "r3", function: "f" }),
      m1({ request_id: uuid, latency_ms: 7 }),
      m1({ request_id: longest, stage: "s2" }),
    ];
    const whole = readText({ x: [...a, ...b].join("\n") }).intake.units;
    const left = readText({ x: a.join("\n") }).intake.units;
    left.absorb(readText({ x: b.join("\n") }).intake.units.snapshot());
    expect(left.size).toBe(whole.size);
    expect(left.distinctRecords).toBe(whole.distinctRecords);
    const norm = (u: ReturnType<typeof whole.unit>) => ({
      ...u,
      errorCodes: [...u.errorCodes].sort(),
      stages: [...u.stages].sort(),
    });
    for (let i = 0; i < whole.size; i++) expect(norm(left.unit(i))).toEqual(norm(whole.unit(i)));
    expect(whole.size).toBe(5);
    expect(Array.from({ length: whole.size }, (_, i) => whole.requestIdOf(i))).toContain(longest);
  });
});

describe("the unit table stages records and merges them in batches", () => {
  /** Records of 300 units over 1,000 lines, some repeated: more than a batch, with repeats inside one. */
  function records(): M1Record[] {
    return Array.from({ length: 1000 }, (_, i) => ({
      request_id: `r${(i * 7) % 300}`,
      function: i % 3 === 0 ? "search" : "checkout",
      stage: `s${i % 4}`,
      status: 200 + (i % 5) * 100,
      latency_ms: (i * 13) % 997,
      error_code: i % 6 === 0 ? null : `E${i % 3}`,
      upstream_status: i % 10 === 0 ? "timeout" : i % 9 === 0 ? null : 500 + (i % 3),
      upstream_latency_ms: i % 8 === 0 ? null : i % 50,
      timeMs: i % 11 === 0 ? null : 1_700_000_000_000 + i,
    }));
  }

  function contents(table: UnitTable) {
    return Array.from({ length: table.size }, (_, i) => table.unit(i)).sort((a, b) =>
      `${a.function}/${a.requestId}` < `${b.function}/${b.requestId}` ? -1 : 1,
    );
  }

  it("gives the same units, and the same count of distinct records, as merging each record at once", () => {
    const batched = new UnitTable();
    const oneByOne = new UnitTable();
    for (const record of [...records(), ...records().slice(0, 400)]) {
      batched.addRecord(record);
      oneByOne.addRecord(record);
      // Any read settles the batch: reading after every record merges each one at once.
      expect(oneByOne.size).toBeGreaterThan(0);
    }
    expect(contents(batched)).toEqual(contents(oneByOne));
    expect(batched.distinctRecords).toBe(oneByOne.distinctRecords);
    expect(batched.distinctRecords).toBe(1000);
  });

  it("a sealed table (complete: its hash slots freed) reads every unit as before, merges its staged records first, and refuses any more", () => {
    const sealed = new UnitTable();
    const open = new UnitTable();
    for (const record of [...records(), ...records().slice(0, 50)]) {
      sealed.addRecord(record);
      open.addRecord(record);
    }
    // The last batch is still staged when the table is sealed.
    sealed.seal();
    expect(contents(sealed)).toEqual(contents(open));
    expect(sealed.distinctRecords).toBe(open.distinctRecords);
    expect(() => sealed.addRecord(records()[0] as M1Record)).toThrow(/after seal/);
    expect(() => sealed.absorb(open.snapshot())).toThrow(/after seal/);
  });
});

describe("groupByFunction", () => {
  it("lists each function's unit indexes in increasing order, one typed array per function", () => {
    const ids = [2, 0, 2, 1, 0, 2];
    const lists = groupByFunction({
      size: ids.length,
      functions: ["a", "b", "c", "unused"],
      functionIdOf: (i) => ids[i] as number,
    });
    expect(lists.map((list) => Array.from(list))).toEqual([[1, 4], [3], [0, 2, 5], []]);
    expect(lists[0]).toBeInstanceOf(Int32Array);
  });
});
