// The intake takes most lines before their end is known (LineSink.lineAt, scanShapedLine): the counts,
// violations and units must be exactly what reading each line after finding its end gives.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter, type LineSink } from "../../src/input/line-splitter.js";
import { Intake } from "../../src/m1/intake.js";
import { linesScannedInWasm } from "../../src/m1/wasm-scan.js";
import { SAMPLE_RECORD } from "../helpers.js";
import { inJsMemory, inWasmMemory, type Place } from "./scan-places.js";
import { damagedLog, logText, seeded, validLine } from "../properties/arbitraries.js";

/** Valid records only, one per line: most lines are in the shape of the line before. */
const recordsLog = fc
  .array(validLine, { minLength: 1, maxLength: 30 })
  .map((lines) => Buffer.from(`${lines.join("\n")}\n`));

/**
 * The intake's state after reading `bytes` in chunks of `chunk` bytes, through `wrap(sink)`, each chunk
 * where `place` puts it (scan-places.ts: in the WebAssembly scanner's memory, it reads them).
 */
function read(
  bytes: Buffer,
  chunk: number,
  maxLineBytes: number,
  wrap: (sink: LineSink) => LineSink,
  place: Place = inJsMemory,
  strict = false,
) {
  const intake = new Intake({ strict, allowed: new Set(strict ? ["level"] : []) });
  const splitter = new LineSplitter(wrap(intake.sinkFor({ index: 0, name: "log" })), maxLineBytes);
  for (let at = 0; at < bytes.length; at += chunk) splitter.push(place(bytes.subarray(at, at + chunk)));
  splitter.end();
  return { lines: splitter.lines, snapshot: intake.snapshot() };
}

/** The sink without `lineAt`: every line is found by its newline first, then read. */
const lineByLine = (sink: LineSink): LineSink => ({
  line: (bytes, start, end, line) => sink.line(bytes, start, end, line),
  reject: (line, kind, reason, raw) => sink.reject(line, kind, reason, raw),
});

/** The sink as it is, counting the lines it takes through `lineAt`. */
function counting(taken: { count: number }) {
  return (sink: LineSink): LineSink => ({
    ...sink,
    lineAt: (bytes, start, limit, line) => {
      const end = (sink.lineAt as NonNullable<LineSink["lineAt"]>)(bytes, start, limit, line);
      if (end >= 0) taken.count++;
      return end;
    },
  });
}

describe("Intake: lines read by the WebAssembly scanner in batches (LineSplitter, one thread)", () => {
  it("give the same counts, violations and units as lines read one by one, whatever the input", () => {
    const batched = linesScannedInWasm(true);
    fc.assert(
      fc.property(
        fc.oneof(logText, damagedLog, recordsLog),
        fc.constantFrom(1 << 20, 64, 7),
        fc.constantFrom(1 << 20, 150),
        fc.boolean(),
        (bytes, chunk, maxLineBytes, strict) => {
          const expected = read(bytes, chunk, maxLineBytes, lineByLine, inJsMemory, strict);
          expect(read(bytes, chunk, maxLineBytes, (sink) => sink, inWasmMemory, strict)).toEqual(expected);
        },
      ),
      seeded(612, 400),
    );
    // Records of one shape follow each other often enough (whole in a chunk) that many are batched.
    expect(linesScannedInWasm(true) - batched).toBeGreaterThan(30);
  });

  it("reads more than a batch of one shape, lines over the limit and a BOM as one by one", () => {
    const lines = Array.from({ length: 100 }, (_, n) =>
      JSON.stringify({ ...SAMPLE_RECORD, request_id: `r${n % 7}`, latency_ms: n }),
    );
    // A valid record in the same shape, but over the length limit.
    lines.splice(50, 0, JSON.stringify({ ...SAMPLE_RECORD, function: "f".repeat(100) }));
    const bytes = Buffer.from(`\ufeff${lines.join("\r\n")}\r\n`);
    const batched = linesScannedInWasm(true);
    const inBatches = read(bytes, 1 << 20, 200, (sink) => sink, inWasmMemory);
    expect(linesScannedInWasm(true) - batched).toBe(99);
    expect(inBatches).toEqual(read(bytes, 1 << 20, 200, lineByLine));
    expect([inBatches.snapshot.valid, inBatches.snapshot.invalid]).toEqual([100, 1]);
  });
});

describe("Intake: lines taken before their end is known", () => {
  it("give the same counts, violations and units as lines read one by one, whatever the input", () => {
    const taken = { count: 0 };
    fc.assert(
      fc.property(
        fc.oneof(logText, damagedLog, recordsLog),
        fc.constantFrom(1 << 20, 64, 7),
        fc.constantFrom(1 << 20, 150),
        (bytes, chunk, maxLineBytes) => {
          const expected = read(bytes, chunk, maxLineBytes, lineByLine);
          expect(read(bytes, chunk, maxLineBytes, counting(taken))).toEqual(expected);
        },
      ),
      seeded(611, 400),
    );
    // Records of one shape follow each other often enough (whole in a chunk) that many are taken.
    expect(taken.count).toBeGreaterThan(50);
  });

  it("takes every line after the first of a log whose records share one shape, ending in \\n or \\r\\n", () => {
    const record = (i: number) =>
      JSON.stringify({
        request_id: `r${i % 5}`,
        function: "checkout",
        stage: "upstream",
        status: 500 + (i % 3),
        latency_ms: i * 1.5,
        error_code: i % 2 === 0 ? null : "E",
        upstream_status: i % 4 === 0 ? "timeout" : 503,
        upstream_latency_ms: null,
        level: "error", // an unknown field: counted for every record, taken or not
      });
    for (const eol of ["\n", "\r\n"]) {
      const bytes = Buffer.from(Array.from({ length: 50 }, (_, i) => `${record(i)}${eol}`).join(""));
      const taken = { count: 0 };
      const result = read(bytes, 1 << 20, 1 << 20, counting(taken));
      expect(taken.count, JSON.stringify(eol)).toBe(49);
      expect(result).toEqual(read(bytes, 1 << 20, 1 << 20, lineByLine));
      expect(result.snapshot.valid).toBe(50);
      expect(result.snapshot.unknownFields).toEqual([["level", 50]]);
    }
  });

  it("reads lines of two shapes, one after the other, as lines read one by one (none is taken)", () => {
    const a = JSON.stringify({ ...SAMPLE_RECORD, request_id: "a" });
    const b = JSON.stringify({ ...SAMPLE_RECORD, request_id: "b", level: "info" });
    const bytes = Buffer.from(`${a}\n${b}\n`.repeat(20));
    const taken = { count: 0 };
    const result = read(bytes, 1 << 20, 1 << 20, counting(taken));
    // Each line differs from the shape of the one before: lineAt gives each back, and `line` reads it
    // key by key without trying that shape a second time.
    expect(taken.count).toBe(0);
    expect(result).toEqual(read(bytes, 1 << 20, 1 << 20, lineByLine));
    expect(result.snapshot.valid).toBe(40);
  });
});
