import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashBytes } from "../../src/m1/byte-keys.js";
import {
  OWNER_BUCKETS,
  ownerOf,
  ownerOfKey,
  ownersFor,
  owningThreads,
  shareOf,
} from "../../src/m1/intake.js";
import { ownerKey } from "../../src/m1/owner-key.js";
import { attachScanner, extraAt, linesScannedInWasm, scanMemory } from "../../src/m1/wasm-scan.js";
import {
  INDEXED_LINES,
  indexLines,
  ownerOfLine,
  quickOwner,
  type LineIndex,
} from "../../src/parallel/line-owner.js";
import { MOST_THREADS, readingThreads } from "../../src/read-logs.js";

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
      for (const owners of [ownersFor(2), ownersFor(3), ownersFor(4, 1 / 4)]) {
        expect(quickOwner(bytes, 0, bytes.length, owners)).toBe(ownerOf(idBytes, 0, idBytes.length, owners));
      }
    }
  });

  it("finds the key at the start of the line or further in", () => {
    const first = line('{"request_id":"abc","function":"f"}');
    const later = line('{"function":"f","request_id":"abc"}');
    const id = Buffer.from("abc");
    const owners = ownersFor(3);
    expect(quickOwner(first, 0, first.length, owners)).toBe(ownerOf(id, 0, 3, owners));
    expect(quickOwner(later, 0, later.length, owners)).toBe(ownerOf(id, 0, 3, owners));
  });

  it("leaves a line to its line number when the id has an escape or a control byte, or there is none", () => {
    for (const text of [
      '{"request_id":"a\\u0041b","function":"f"}',
      '{"request_id":"a\tb","function":"f"}',
      '{"function":"f"}',
      '{"request_id":"never closed',
    ]) {
      const bytes = line(text);
      expect(quickOwner(bytes, 0, bytes.length, ownersFor(2))).toBeNull();
    }
  });

  it("reads only within the line it is given", () => {
    const bytes = line('{"request_id":"abcdefgh"}\n{"request_id":"zz"}');
    // The first line cut before its id closes: no owner, even though a quote follows past the end.
    expect(quickOwner(bytes, 0, 18, ownersFor(2))).toBeNull();
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
    for (const owners of [ownersFor(2), ownersFor(3)]) {
      const firstLine = 7;
      expect(indexLines(bytes, index, owners, firstLine)).toBe(texts.length);
      let start = 0;
      texts.forEach((text, k) => {
        const end = start + Buffer.byteLength(text);
        expect(index.ends[k], text).toBe(end);
        const owner = quickOwner(bytes, start, end, owners) ?? ownerOfLine(firstLine + k, owners);
        expect(index.owners[k], text).toBe(owner);
        start = end + 1;
      });
    }
  });
});

describe("ownerOfKey and ownersFor: which thread owns a unit", () => {
  it("spreads units over 1–8 threads as the shares say, each owner's table hashes across every low bit a probe starts from", () => {
    for (let threads = 1; threads <= 8; threads++) {
      for (const owners of [ownersFor(threads), ownersFor(threads, 1 / threads)]) {
        const owned = new Array<number>(threads).fill(0);
        // Per owner, how many of its hashes have each value of their low 2 bits (where a probe starts).
        const lowBits = Array.from({ length: threads }, () => [0, 0, 0, 0]);
        const total = 40_000;
        for (let i = 0; i < total; i++) {
          const id = Buffer.from(`req-${i}`);
          const hash = hashBytes(id, 0, id.length);
          const owner = ownerOfKey(ownerKey(id, 0, id.length), owners);
          expect(Number.isInteger(owner) && owner >= 0 && owner < threads).toBe(true);
          owned[owner] = (owned[owner] as number) + 1;
          const byLow = lowBits[owner] as number[];
          byLow[hash & 3] = (byLow[hash & 3] as number) + 1;
        }
        owned.forEach((n, owner) => {
          const expected = total * shareOf(owners, owner);
          expect(Math.abs(n - expected), `${threads} threads, owner ${owner}`).toBeLessThan(total / 40);
        });
        // Taking the owner from the hash modulo the threads gave two owners one low bit each.
        for (const [owner, byLow] of lowBits.entries()) {
          const n = owned[owner] as number;
          for (const m of byLow) expect(m).toBeGreaterThan(n / 4 - n / 20 - 20);
        }
      }
    }
  });

  it("gives the main thread (0) a smaller share, as it also reads and indexes: 0.425 of two, none from eight", () => {
    expect(shareOf(ownersFor(1), 0)).toBe(1);
    expect(shareOf(ownersFor(2), 0)).toBeCloseTo(0.425, 2);
    expect(shareOf(ownersFor(2), 1)).toBeCloseTo(0.575, 2);
    expect(shareOf(ownersFor(3), 0)).toBeCloseTo(0.233, 2);
    expect(shareOf(ownersFor(3), 1)).toBeCloseTo(shareOf(ownersFor(3), 2), 1);
    expect(shareOf(ownersFor(8), 0)).toBe(0);
    expect(shareOf(ownersFor(7), 0)).toBeGreaterThan(0);
    expect(shareOf(ownersFor(4, 1 / 4), 0)).toBe(0.25);
    // Threads given any units: the main thread is not among them when it owns none.
    expect(owningThreads(ownersFor(2))).toBe(2);
    expect(owningThreads(ownersFor(3, 0))).toBe(2);
    expect(owningThreads(ownersFor(9))).toBe(8);
    for (const threads of [2, 5, 16]) {
      const owners = ownersFor(threads);
      expect(owners.length).toBe(OWNER_BUCKETS);
      const sum = Array.from({ length: threads }, (_, k) => shareOf(owners, k)).reduce((a, b) => a + b, 0);
      expect(sum).toBe(1);
    }
  });
});

describe("readingThreads: --jobs is capped", () => {
  it("at MOST_THREADS (64), whose owners fit the bytes they are told apart by", () => {
    expect(readingThreads(1)).toBe(1);
    expect(readingThreads(2)).toBe(2);
    expect(readingThreads(MOST_THREADS + 1)).toBe(MOST_THREADS);
    expect(readingThreads(1000)).toBe(MOST_THREADS);
    const owners = ownersFor(MOST_THREADS);
    expect(Math.max(...owners)).toBe(MOST_THREADS - 1);
    expect(() => ownersFor(OWNER_BUCKETS + 1)).toThrow();
  });
});

describe("indexLines in WebAssembly: the same index, where the block is in the scanner's memory", () => {
  const DATA = 1 << 20;
  const memory = scanMemory(DATA, 1, INDEXED_LINES * 5 + OWNER_BUCKETS);
  if (memory === null) throw new Error("the WebAssembly scanner is not built: run `npm run build` first");
  const buffer = attachScanner(memory, 0);
  const at = extraAt(DATA);
  const ownerTable = new Uint8Array(buffer, at + INDEXED_LINES * 5, OWNER_BUCKETS);

  /** Bytes that are not a block's, with newlines and quotes among them, as a reused slot holds. */
  const stale = Buffer.alloc(DATA, 'x"\\\n', "latin1");
  const js: LineIndex = { ends: new Int32Array(INDEXED_LINES), owners: new Uint8Array(INDEXED_LINES) };

  /** Both indexes of `bytes`: in plain memory (JavaScript) and in the scanner's, at `offset`. */
  const both = (bytes: Buffer, owners: Uint8Array, firstLine: number, offset = 0) => {
    const jsLines = indexLines(bytes, js, owners, firstLine);
    // Stale bytes after the block: the index must stop at the block's end.
    stale.copy(Buffer.from(buffer, 0, DATA), 0, 0, Math.min(DATA, offset + bytes.length + 64));
    const inMemory = Buffer.from(buffer, offset, bytes.length);
    bytes.copy(inMemory);
    ownerTable.set(owners);
    const wasm: LineIndex = {
      ends: new Int32Array(buffer, at, INDEXED_LINES),
      owners: new Uint8Array(buffer, at + INDEXED_LINES * 4, INDEXED_LINES),
      ownerTable,
    };
    wasm.owners.fill(0);
    const before = linesScannedInWasm();
    const wasmLines = indexLines(inMemory, wasm, owners, firstLine);
    return { jsLines, wasmLines, js, wasm, viaWasm: linesScannedInWasm() > before };
  };

  it("gives every line the same end and owner, keys or not, escapes, control bytes, \\r, no final newline", () => {
    const piece = fc.constantFrom(
      '{"request_id":"',
      '{"request_id": "',
      '{"request_id":1',
      '"request_id":"',
      "abc",
      "3c1c849a-cb40-45dd-8e3b-00000000895b",
      "é€😀",
      "\\u0041",
      '\\"',
      '"',
      '","function":"f"}',
      "\t",
      "\u0001",
      "\r",
      "\n",
      "\n",
      " ",
      "x".repeat(40),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }),
        fc.constantFrom(ownersFor(2), ownersFor(3), ownersFor(5, 0)),
        fc.nat(15),
        (pieces, owners, offset) => {
          const bytes = Buffer.from(pieces.join(""), "utf8");
          const { jsLines, wasmLines, js, wasm } = both(bytes, owners, 3, offset);
          expect(wasmLines).toBe(jsLines);
          expect([...wasm.ends.subarray(0, wasmLines)]).toEqual([...js.ends.subarray(0, jsLines)]);
          expect([...wasm.owners.subarray(0, wasmLines)]).toEqual([...js.owners.subarray(0, jsLines)]);
        },
      ),
      { seed: Number(process.env.FC_SEED ?? 4242), numRuns: Number(process.env.FC_RUNS ?? 5000) },
    );
  });

  it("is what the scanner reads (not JavaScript's), and gives up past the lines the index holds, as JavaScript does", () => {
    const owners = ownersFor(2);
    const lines = Array.from({ length: 300 }, (_, n) => `{"request_id":"r${n}","function":"f"}`);
    const read = both(Buffer.from(lines.join("\n")), owners, 1);
    expect(read.viaWasm).toBe(true);
    expect(read.wasmLines).toBe(300);
    expect(new Set(read.wasm.owners.subarray(0, 300))).toEqual(new Set([0, 1]));
    const tooMany = Buffer.from("\n".repeat(INDEXED_LINES + 1));
    const many = both(tooMany, owners, 1);
    expect([many.jsLines, many.wasmLines]).toEqual([-1, -1]);
    const justEnough = both(Buffer.from("\n".repeat(INDEXED_LINES)), owners, 1);
    expect([justEnough.jsLines, justEnough.wasmLines]).toEqual([INDEXED_LINES, INDEXED_LINES]);
  });
});
