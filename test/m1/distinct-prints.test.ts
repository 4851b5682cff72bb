import { describe, expect, it } from "vitest";
import { DistinctPrints } from "../../src/m1/distinct-prints.js";
import { PrintSet } from "../../src/m1/print-set.js";
import { UnitTable } from "../../src/m1/unit-table.js";
import type { ScratchPolicy, ScratchStore } from "../../src/storage/scratch-file.js";
import { m1, readText } from "../helpers.js";

/** Scratch space in memory; `failFrom` makes every write from the n-th on fail, as a full disk would. */
function memoryScratch(printsInMemory: number, failFrom = Infinity) {
  const stores: { bytes: Uint8Array; writes: number; closed: boolean }[] = [];
  const policy: ScratchPolicy = {
    printsInMemory,
    open: (): ScratchStore => {
      const state = { bytes: new Uint8Array(0), writes: 0, closed: false };
      stores.push(state);
      return {
        write(bytes, position) {
          if (++state.writes >= failFrom) throw new Error("ENOSPC: no space left on device");
          if (position + bytes.length > state.bytes.length) {
            const grown = new Uint8Array(Math.max(position + bytes.length, 2 * state.bytes.length));
            grown.set(state.bytes);
            state.bytes = grown;
          }
          state.bytes.set(bytes, position);
        },
        read(into, position) {
          into.set(state.bytes.subarray(position, position + into.length));
        },
        close() {
          state.closed = true;
        },
      };
    },
  };
  return { policy, stores };
}

/** Seeded triples with many repeats: `count` of them over `units` units and `prints` prints a unit. */
function triples(count: number, units: number, prints: number, seed = 7): number[][] {
  let state = seed;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state >>> 8; // an LCG's low bits repeat with short periods
  };
  const out: number[][] = [];
  for (let k = 0; k < count; k++) {
    const unit = next() % units;
    const print = next() % prints;
    // Fingerprint halves are signed 32-bit integers (see Fingerprint).
    out.push([unit, Math.imul(print, 0x9e3779b1), (print * 31 + unit) | 0]);
  }
  return out;
}

function exactDistinct(list: readonly number[][]): number {
  return new Set(list.map((t) => t.join(","))).size;
}

function countWith(scratch: ScratchPolicy | null, list: readonly number[][]): DistinctPrints {
  const prints = new DistinctPrints(scratch);
  for (const [unit, a, b] of list) prints.add(unit as number, a as number, b as number);
  return prints;
}

describe("SPEC 2: duplicates are counted exactly, however many records a unit has", () => {
  // 300k triples fill every bucket's in-memory chunk several times, so chunks are written and read back.
  const many = triples(300_000, 50, 4000);
  const expected = exactDistinct(many);

  it("the case has repeats, and more distinct triples than the budgets below", () => {
    expect(expected).toBeGreaterThan(150_000);
    expect(expected).toBeLessThan(many.length);
  });

  it("in memory", () => {
    expect(countWith(null, many).distinct).toBe(expected);
  });

  it("spilled to scratch space, each bucket counted in one pass", () => {
    const { policy, stores } = memoryScratch(100_000);
    const prints = countWith(policy, many);
    expect(prints.spilled).toBe(true);
    expect(stores[0]?.writes).toBeGreaterThan(0);
    expect(prints.distinct).toBe(expected);
  });

  it("spilled, each bucket counted in many passes (a memory budget smaller than a bucket)", () => {
    const { policy } = memoryScratch(1000);
    expect(countWith(policy, many).distinct).toBe(expected);
  });

  it("counted again after more are added, and the same when asked twice", () => {
    const { policy } = memoryScratch(500);
    const prints = countWith(policy, many.slice(0, 150_000));
    expect(prints.distinct).toBe(exactDistinct(many.slice(0, 150_000)));
    for (const [unit, a, b] of many.slice(150_000)) prints.add(unit as number, a as number, b as number);
    expect(prints.distinct).toBe(expected);
    expect(prints.distinct).toBe(expected);
  });

  it("when writing fails part way (a full disk), the count goes on in memory, still exact", () => {
    // Every triple distinct, so that losing the one being written when the disk filled would show.
    const unique = Array.from({ length: 300_000 }, (_, k) => [k % 50, k, Math.imul(k, 0x9e3779b1)]);
    const { policy, stores } = memoryScratch(1000, 5);
    const prints = countWith(policy, [...unique, ...unique.slice(0, 1000)]);
    expect(stores[0]?.writes).toBe(5);
    expect(stores[0]?.closed).toBe(true);
    expect(prints.spilled).toBe(false);
    expect(prints.distinct).toBe(300_000);
  });

  it("keeps at most its budget in memory: the next distinct triple goes to scratch space", () => {
    const unique = Array.from({ length: 513 }, (_, k) => [k % 5, k, -k]);
    const { policy } = memoryScratch(512);
    expect(countWith(policy, unique.slice(0, 512)).spilled).toBe(false);
    const prints = countWith(policy, unique);
    expect(prints.spilled).toBe(true);
    expect(prints.distinct).toBe(513);
  });

  it("a set of 2^k triples takes 2^(k+1) slots: the budget's set is never more than half full, never doubled", () => {
    const set = new PrintSet();
    for (let k = 0; k < 512; k++) set.add(k % 5, k, -k);
    expect(set.capacity).toBe(1024);
    set.add(0, -1, 1);
    expect(set.capacity).toBe(2048);
    expect(set.size).toBe(513);
  });

  it("when no scratch space can be had, it stays in memory", () => {
    const prints = countWith({ printsInMemory: 10, open: () => null }, many);
    expect(prints.spilled).toBe(false);
    expect(prints.distinct).toBe(expected);
  });

  it("lists every distinct triple once spilled (repeats may be listed twice)", () => {
    const few = triples(20_000, 5, 300);
    const { policy } = memoryScratch(100);
    const listed = countWith(policy, few).entries();
    const seen = new Set<string>();
    for (let k = 0; k < listed.length; k += 3) seen.add(`${listed[k]},${listed[k + 1]},${listed[k + 2]}`);
    expect(seen).toEqual(new Set(few.map((t) => t.join(","))));
  });

  it("closing frees the scratch space", () => {
    const { policy, stores } = memoryScratch(10);
    countWith(policy, many.slice(0, 1000)).close();
    expect(stores[0]?.closed).toBe(true);
  });
});

describe("SPEC 2: a unit table's duplicate count does not depend on where fingerprints are kept", () => {
  /** A log of few units with hundreds of distinct records each, every one of them logged twice. */
  function longRequests(): string {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const line = m1({ request_id: `r${i % 7}`, stage: `s${i % 900}`, latency_ms: i % 1300 });
      lines.push(line, line);
    }
    return lines.join("\n");
  }

  it("the same distinct records in memory and spilled", () => {
    const text = longRequests();
    const inMemory = readText({ a: text }).intake.units;
    const { policy } = memoryScratch(0);
    const spilled = new UnitTable(policy);
    const { intake } = readText({ a: text });
    // The records of the in-memory table, unit by unit, into a table that spills at once.
    spilled.absorb(intake.units.snapshot());
    expect(spilled.spilled).toBe(true);
    expect(spilled.distinctRecords).toBe(inMemory.distinctRecords);
    expect(inMemory.distinctRecords).toBe(6000);
  });
});
