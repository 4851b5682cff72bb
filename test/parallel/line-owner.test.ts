import { describe, expect, it } from "vitest";
import { hashBytes } from "../../src/m1/byte-keys.js";
import { ownerOf, ownerOfHash } from "../../src/m1/intake.js";
import { indexLines, quickOwner } from "../../src/parallel/line-owner.js";

const line = (text: string): Buffer => Buffer.from(text, "utf8");

describe("quickOwner: a line's owner read from its bytes, as the worker that parses it finds it", () => {
  it("agrees with ownerOf of the request id, for ids of every length and in any script", () => {
    const ids = Array.from({ length: 41 }, (_, n) => "r".repeat(n) + "x").concat([
      "3c1c849a-cb40-45dd-8e3b-00000000895b",
      "zahlung-über-€-42",
      "要求-7",
      "😀😀😀",
    ]);
    for (const id of ids) {
      const bytes = line(`{"ts":"2026-11-25T10:00:00Z","request_id":"${id}","function":"checkout"}`);
      const idBytes = Buffer.from(id, "utf8");
      for (const count of [2, 3, 4]) {
        expect(quickOwner(bytes, 0, bytes.length, count)).toBe(ownerOf(idBytes, 0, idBytes.length, count));
      }
    }
  });

  it("finds the key at the start of the line or further in", () => {
    const first = line('{"request_id":"abc","function":"f"}');
    const later = line('{"function":"f","request_id":"abc"}');
    const id = Buffer.from("abc");
    expect(quickOwner(first, 0, first.length, 3)).toBe(ownerOf(id, 0, 3, 3));
    expect(quickOwner(later, 0, later.length, 3)).toBe(ownerOf(id, 0, 3, 3));
  });

  it("leaves a line to its line number when the id has an escape or a control byte, or there is none", () => {
    for (const text of [
      '{"request_id":"a\\u0041b","function":"f"}',
      '{"request_id":"a\tb","function":"f"}',
      '{"function":"f"}',
      '{"request_id":"never closed',
    ]) {
      const bytes = line(text);
      expect(quickOwner(bytes, 0, bytes.length, 2)).toBeNull();
    }
  });

  it("reads only within the line it is given", () => {
    const bytes = line('{"request_id":"abcdefgh"}\n{"request_id":"zz"}');
    // The first line cut before its id closes: no owner, even though a quote follows past the end.
    expect(quickOwner(bytes, 0, 18, 2)).toBeNull();
  });
});

describe("indexLines: each line's end and owner, for the workers", () => {
  it("gives every line the end and owner that finding its newline, then quickOwner, gives", () => {
    const texts = [
      '{"request_id":"abc","function":"f"}',
      '{"function":"f","request_id":"abc"}', // the key further in
      '{"request_id":"a\\u0041b","function":"f"}', // an escape: by line number
      "",
      '{"request_id":"never closed', // the id runs into the newline: by line number
      '{"request_id":"after the unclosed one"}',
      '{"request_id":"3c1c849a-cb40-45dd-8e3b-00000000895b"}\r',
      '{"request_id":"', // the key cut short by the newline
      ' "request_id":"x"', // the key after any first byte
      '{"request_id":"last, no newline"}',
    ];
    const bytes = Buffer.from(texts.join("\n"));
    const index = { ends: new Int32Array(64), owners: new Uint8Array(64) };
    for (const count of [2, 3]) {
      const firstLine = 7;
      expect(indexLines(bytes, index, count, firstLine)).toBe(texts.length);
      let start = 0;
      texts.forEach((text, k) => {
        const end = start + Buffer.byteLength(text);
        expect(index.ends[k], text).toBe(end);
        const owner = quickOwner(bytes, start, end, count) ?? (firstLine + k) % count;
        expect(index.owners[k], text).toBe(owner);
        start = end + 1;
      });
    }
  });
});

describe("ownerOfHash: which thread owns a unit", () => {
  it("spreads units evenly over 1–8 threads, each owner's hashes across every low bit a table probes from", () => {
    for (let count = 1; count <= 8; count++) {
      const owned = new Array<number>(count).fill(0);
      // Per owner, how many of its hashes have each value of their low 2 bits (where a probe starts).
      const lowBits = Array.from({ length: count }, () => [0, 0, 0, 0]);
      for (let i = 0; i < 40_000; i++) {
        const hash = hashBytes(Buffer.from(`req-${i}`), 0, `req-${i}`.length);
        const owner = ownerOfHash(hash, count);
        expect(Number.isInteger(owner) && owner >= 0 && owner < count).toBe(true);
        owned[owner] = (owned[owner] as number) + 1;
        const byLow = lowBits[owner] as number[];
        byLow[hash & 3] = (byLow[hash & 3] as number) + 1;
      }
      for (const n of owned) expect(Math.abs(n - 40_000 / count)).toBeLessThan(40_000 / count / 10);
      // Taking the owner from the hash modulo count gave two owners one low bit each.
      for (const [owner, byLow] of lowBits.entries())
        for (const n of byLow)
          expect(n).toBeGreaterThan((owned[owner] as number) / 4 - (owned[owner] as number) / 20);
    }
  });
});
