// Canonical lowercase UUIDs kept as 16 bytes in the unit table, and read back as the same text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashBytes } from "../../src/m1/byte-keys.js";
import {
  functionOfTag,
  hashPacked,
  PACKED_UUID,
  packUuid,
  RequestIdBytes,
  unitTag,
  unpackUuid,
} from "../../src/m1/packed-uuid.js";
import { UnitTable } from "../../src/m1/unit-table.js";
import { FrozenUnits } from "../../src/m1/frozen-units.js";
import { readText, m1 } from "../helpers.js";

const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const bytesOf = (text: string): Buffer => Buffer.from(text, "latin1");

/** Packs `text` (36 bytes) found at offset 3 of a larger buffer; null when it is not packed. */
function pack(text: string): Uint8Array | null {
  const into = new Uint8Array(20);
  return packUuid(bytesOf(`abc${text}xyz`), 3, into, 2) ? into.subarray(2, 18) : null;
}

function unpack(packed: Uint8Array): string {
  const text = new Uint8Array(36);
  unpackUuid(packed, 0, text);
  return Buffer.from(text).toString("latin1");
}

describe("packUuid and unpackUuid", () => {
  it("pack a canonical lowercase UUID into its 16 bytes, and unpack them to the same text", () => {
    const id = "12435f5f-3d40-4a6b-bdd1-000000314116";
    const packed = pack(id);
    expect(packed && Buffer.from(packed).toString("hex")).toBe(id.replaceAll("-", ""));
    expect(unpack(packed as Uint8Array)).toBe(id);
    expect(unpack(pack("ffffffff-ffff-ffff-ffff-ffffffffffff") as Uint8Array)).toBe(
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
    );
  });

  it.each([
    ["upper case", "12435F5F-3D40-4A6B-BDD1-000000314116"],
    ["one upper-case digit", "12435f5f-3d40-4a6b-bdd1-00000031411A"],
    ["a dash moved", "12435f5f3-d40-4a6b-bdd1-000000314116"],
    ["no dashes, padded", "12435f5f3d404a6bbdd1000000314116----"],
    ["a letter past f", "12435f5f-3d40-4a6b-bdd1-00000031411g"],
    ["a byte past 0x7f", "12435f5f-3d40-4a6b-bdd1-00000031411\u00e9"],
    ["a character just before 0", "12435f5f-3d40-4a6b-bdd1-00000031411/"],
    ["a character just after 9", "12435f5f-3d40-4a6b-bdd1-00000031411:"],
    ["a character just before a", "12435f5f-3d40-4a6b-bdd1-00000031411`"],
    ["braces", "{2435f5f-3d40-4a6b-bdd1-00000031411}"],
  ])("leave anything else as it is: %s", (_, text) => {
    expect(text.length).toBe(36);
    expect(pack(text)).toBeNull();
  });

  it("pack exactly the canonical form, and always unpack to what was packed", () => {
    // Digits, letters and the bytes either side of their ranges, with and without the high bit set.
    const hex = "0123456789abcdefABCDEF-gG/:`@{ \u00b0\u00b9\u00e1\u00e6\u00ff\u0000";
    const char = fc.constantFrom(...hex);
    const nearUuid = fc
      .tuple(fc.array(char, { minLength: 36, maxLength: 36 }), fc.boolean())
      .map(([chars, dashes]) =>
        chars.map((c, i) => (dashes && [8, 13, 18, 23].includes(i) ? "-" : c)).join(""),
      );
    const uuid = fc.uuid().map((id) => id.toLowerCase());
    // A UUID with one character replaced: every position, every kind of byte.
    const oneOff = fc
      .tuple(uuid, fc.integer({ min: 0, max: 35 }), char)
      .map(([id, at, c]) => id.slice(0, at) + c + id.slice(at + 1));
    fc.assert(
      fc.property(fc.oneof(nearUuid, uuid, oneOff), (text) => {
        const packed = pack(text);
        expect(packed !== null).toBe(CANONICAL.test(text));
        if (packed !== null) expect(unpack(packed)).toBe(text);
      }),
      { numRuns: 3000 },
    );
  });

  it("hashPacked is hashBytes of the 16 bytes, wherever they are", () => {
    // The unit table's slot hash of a packed key, which ByteKeys recomputes with hashBytes as it doubles.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 40 }), fc.nat(24), (bytes, shift) => {
        const at = shift % (bytes.length - 15);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        expect(hashPacked(view, at)).toBe(hashBytes(bytes, at, at + 16));
      }),
      { numRuns: 500 },
    );
  });

  it("a unit key's tag keeps its function id and whether it is packed apart", () => {
    for (const id of [0, 1, 5, 2 ** 22 - 1, 2 ** 22, 2 ** 29])
      for (const packed of [false, true]) {
        const tag = unitTag(id, packed);
        expect([functionOfTag(tag), (tag & PACKED_UUID) !== 0]).toEqual([id, packed]);
      }
  });

  it("RequestIdBytes reads a packed key as its text, and any other key as its bytes", () => {
    const reader = new RequestIdBytes();
    const packed = pack("00000000-0000-0000-0000-00000000002a") as Uint8Array;
    expect(Buffer.from(reader.of(unitTag(3, true), packed, 0, 16)).toString()).toBe(
      "00000000-0000-0000-0000-00000000002a",
    );
    expect(Buffer.from(reader.of(unitTag(3, false), packed, 0, 16))).toEqual(Buffer.from(packed));
  });
});

describe("the unit table with packed request ids", () => {
  const uuid = "41424344-4546-4748-494a-4b4c4d4e4f50";
  /** A 16-byte request id whose bytes are those `uuid` packs to. */
  const lookalike = "ABCDEFGHIJKLMNOP";

  it("keeps a UUID, its upper-case spelling and a 16-byte lookalike as three units, ids unchanged", () => {
    expect(Buffer.from(pack(uuid) as Uint8Array).toString()).toBe(lookalike);
    const ids = [uuid, uuid.toUpperCase(), uuid, "short-id", uuid.slice(0, 35)];
    const table = new UnitTable();
    for (const request_id of ids) table.addRecord(JSON.parse(m1({ request_id })));
    table.addRecord(JSON.parse(m1({ request_id: lookalike })));
    const read = (units: UnitTable | FrozenUnits): string[] =>
      Array.from({ length: units.size }, (_, i) => units.requestIdOf(i));
    const expected = [uuid, uuid.toUpperCase(), "short-id", uuid.slice(0, 35), lookalike];
    expect(read(table)).toEqual(expected);
    expect(table.unit(0).function).toBe("checkout");
    expect(Buffer.from(table.requestIdBytes(0)).toString()).toBe(uuid);
    // Read from another thread's snapshot, and absorbed into another table (how workers hand units on).
    const frozen = new FrozenUnits(table.compactSnapshot());
    expect(read(frozen)).toEqual(expected);
    expect(frozen.functions[frozen.functionIdOf(0)]).toBe("checkout");
    const other = new UnitTable();
    other.addRecord(JSON.parse(m1({ request_id: uuid, status: 503 })));
    other.absorb(table.snapshot());
    expect(read(other)).toEqual(expected);
    expect(other.unit(0).status).toBe(503);
    expect(other.distinctRecords).toBe(table.distinctRecords + 1);
  });

  it("merges the records of a UUID read by the fast path and by the general path into one unit", () => {
    // The second line has an escape, so JSON.parse and the schema read it (addRecord).
    const { intake } = readText({
      x: [
        m1({ request_id: uuid, status: 200 }),
        m1({ request_id: uuid, status: 503 }).replace('"stage":"', '"stage":"\\u0061'),
      ].join("\n"),
    });
    expect(intake.units.size).toBe(1);
    expect(intake.units.unit(0)).toMatchObject({ requestId: uuid, status: 503 });
  });
});
