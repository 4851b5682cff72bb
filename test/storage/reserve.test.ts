// Reserved room for tables that fill from the front (src/storage/reserve.ts), and the tables that use it:
// a reservation changes where memory comes from, never what is merged.
import { describe, expect, it } from "vitest";
import { ByteKeys, hashBytes } from "../../src/m1/byte-keys.js";
import { UnitTable } from "../../src/m1/unit-table.js";
import { validateRecord } from "../../src/m1/validate-record.js";
import { MAX_RESERVED_UNITS, MIN_RECORD_BYTES, reserve, unitsAtMost } from "../../src/storage/reserve.js";

const POLICY = { strict: false, allowed: new Set<string>() };

describe("unitsAtMost: the most units a number of bytes of M1 lines can hold", () => {
  it("SPEC 1: the shortest valid record, with its newline, is MIN_RECORD_BYTES long", () => {
    const shortest =
      '{"request_id":"a","function":"b","stage":"c","status":100,"latency_ms":0,"error_code":"d",' +
      '"upstream_status":100,"upstream_latency_ms":0}';
    expect(validateRecord(JSON.parse(shortest), POLICY).ok).toBe(true);
    expect(Buffer.byteLength(`${shortest}\n`)).toBe(MIN_RECORD_BYTES);
    // Each value is at its shortest: an empty string, a shorter status or an absent key is not valid,
    // and null is longer than what it replaces.
    const record = JSON.parse(shortest) as Record<string, unknown>;
    for (const field of ["request_id", "function", "stage", "error_code"]) {
      expect(validateRecord({ ...record, [field]: "" }, POLICY).ok).toBe(false);
    }
    expect(validateRecord({ ...record, status: 99 }, POLICY).ok).toBe(false);
    expect(validateRecord({ ...record, upstream_status: 99 }, POLICY).ok).toBe(false);
    for (const field of Object.keys(record)) {
      const without = { ...record };
      delete without[field];
      expect(validateRecord(without, POLICY).ok).toBe(false);
    }
  });

  it("divides by the shortest record, rounding down, and stops at MAX_RESERVED_UNITS", () => {
    expect(unitsAtMost(0)).toBe(0);
    expect(unitsAtMost(MIN_RECORD_BYTES - 1)).toBe(0);
    expect(unitsAtMost(MIN_RECORD_BYTES * 1000 + 5)).toBe(1000);
    expect(unitsAtMost(Number.MAX_SAFE_INTEGER)).toBe(MAX_RESERVED_UNITS);
  });
});

describe("reserve", () => {
  it("makes what is wanted when it is more than the fallback", () => {
    expect(reserve((n) => new Uint8Array(n), 100, 10).length).toBe(100);
  });

  it("makes the fallback when less is wanted", () => {
    expect(reserve((n) => new Uint8Array(n), 3, 10).length).toBe(10);
  });

  it("makes the fallback when the allocation is refused (RangeError)", () => {
    const made = reserve(
      (n) => {
        if (n > 10) throw new RangeError("Array buffer allocation failed");
        return new Uint8Array(n);
      },
      1_000_000,
      10,
    );
    expect(made.length).toBe(10);
    // A real refusal: more than a typed array can hold.
    expect(reserve((n) => new Float64Array(n), 2 ** 53, 16).length).toBe(16);
  });

  it("lets any other error through", () => {
    expect(() =>
      reserve(
        () => {
          throw new TypeError("a bug");
        },
        100,
        10,
      ),
    ).toThrow(TypeError);
  });
});

describe("tables with room reserved", () => {
  /**
   * 3,000 units over 6,000 records (more than the 1,024 rows a table starts with), some ids longer than
   * the 40 bytes an arena reserves per key.
   */
  function fill(table: UnitTable, id: (unit: number) => string = mixedId): UnitTable {
    for (let i = 0; i < 6000; i++) {
      table.addRecord({
        request_id: id(i),
        function: i % 2 === 0 ? "search" : "checkout",
        stage: `s${i % 3}`,
        status: 200 + (i % 4) * 100,
        latency_ms: i * 1.5,
        error_code: i % 5 === 0 ? null : `E${i % 3}`,
        upstream_status: i % 6 === 0 ? null : 500,
        upstream_latency_ms: i % 4 === 0 ? null : i,
        timeMs: 1_700_000_000_000 + i,
      });
    }
    return table;
  }

  /** Record i's id, of two lengths, some longer than the 40 bytes reserved per key. */
  function mixedId(i: number): string {
    return `${"long-request-id-".repeat(i % 7 === 0 ? 6 : 1)}${i % 3000}`;
  }

  /** Record i's id as a UUID, all kept packed: keys that all take the same room (ByteKeys.entrySize). */
  function uuid(i: number): string {
    return `00000000-0000-4000-8000-${String(i % 3000).padStart(12, "0")}`;
  }

  function contents(table: UnitTable) {
    return Array.from({ length: table.size }, (_, i) => table.unit(i));
  }

  it("merge the same units as a table that doubles from small, within the room and past it", () => {
    const plain = contents(fill(new UnitTable()));
    const n = plain.length;
    expect(n).toBeGreaterThan(3000);
    for (const room of [1, 1500, n - 1, n, 10_000]) {
      expect(contents(fill(new UnitTable(null, room)))).toEqual(plain);
    }
  });

  it("merge the same units when the room cannot be had", () => {
    expect(contents(fill(new UnitTable(null, 2 ** 50)))).toEqual(contents(fill(new UnitTable())));
  });

  it.each([
    ["ids of two lengths", mixedId, 0],
    ["ids that are all UUIDs (where each key starts is not stored)", uuid, 4 + 16],
  ])(
    "a compact snapshot of %s, to post to other threads, holds only the units, and the same units",
    (_, id, entrySize) => {
      const table = fill(new UnitTable(null, 100_000), id);
      expect(table.snapshot().keys.entrySize).toBe(entrySize);
      const compact = table.compactSnapshot();
      const full = table.snapshot();
      // A structured clone copies a view's whole buffer: nothing past the units may be in one.
      expect(full.rows.buffer.byteLength).toBeGreaterThan(compact.rows.byteLength);
      for (const view of [compact.rows, compact.keys.arena, compact.keys.starts]) {
        expect(view.buffer.byteLength).toBe(view.byteLength);
      }
      const viaCompact = new UnitTable();
      viaCompact.absorb(structuredClone(compact));
      expect(contents(viaCompact)).toEqual(contents(table));
      expect(viaCompact.distinctRecords).toBe(table.distinctRecords);
    },
  );

  it("ByteKeys: keys past the reserved columns and arena keep their bytes and tags", () => {
    const keys = new ByteKeys(false, 1024, 5);
    const texts = Array.from({ length: 2000 }, (_, i) => `key-${"x".repeat(i % 90)}-${i}`);
    texts.forEach((text, i) => expect(keys.internText(i % 3, text)).toBe(i));
    texts.forEach((text, i) => {
      expect(keys.text(i)).toBe(text);
      expect(keys.tag(i)).toBe(i % 3);
      const bytes = Buffer.from(text);
      expect(keys.find(i % 3, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length))).toBe(i);
    });
  });
});
