import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashBytes } from "../../src/m1/byte-keys.js";
import { upstreamSeverity } from "../../src/m1/record.js";
import { daysFromCivil, ScannedRecord, scanRecord, scanShapedLine } from "../../src/m1/scan-record.js";
import { validateRecord } from "../../src/m1/validate-record.js";
import { SAMPLE_RECORD } from "../helpers.js";
import { inJsMemory, inWasmMemory, PLACES, type Place } from "./scan-places.js";

const policy = { strict: false, allowed: new Set<string>() };

/** What the general path (JSON.parse and the schema) makes of a line, in the scanner's terms. */
function generalPath(line: string) {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  const result = validateRecord(value, policy);
  if (!result.ok) return null;
  const r = result.record;
  return {
    requestId: r.request_id,
    fn: r.function,
    stage: r.stage,
    errorCode: r.error_code,
    status: r.status,
    latencyMs: r.latency_ms + 0,
    upstream: upstreamSeverity(r.upstream_status),
    upstreamLatencyMs: r.upstream_latency_ms === null ? Number.NaN : r.upstream_latency_ms + 0,
    timeMs: r.timeMs ?? Number.NaN,
    unknown: [...result.unknownFields],
  };
}

/**
 * What the fast path makes of a line, or null when it leaves the line to the general path; `after`, a
 * line read first with the same ScannedRecord, gives it the shape the line is tried on first. `place`
 * decides which scanner reads the line in that shape (scan-places.ts).
 */
function fastPath(
  line: string,
  after?: string,
  place: Place = inJsMemory,
  check?: (bytes: Buffer, out: ScannedRecord) => void,
) {
  const out = new ScannedRecord();
  if (after !== undefined) {
    const first = Buffer.from(after, "utf8");
    scanRecord(first, 0, first.length, out);
  }
  // Inside a larger buffer, as lines are read: the scanner must not look past the line's end.
  const bytes = place(Buffer.from(`${line}\n{"x":1}\n`, "utf8"));
  const lineBytes = Buffer.byteLength(line, "utf8");
  if (!scanRecord(bytes, 0, lineBytes, out)) return null;
  check?.(bytes, out);
  return readOut(bytes, out);
}

/** The scanner's hashes of the strings it read are `hashBytes` of their bytes, as the unit table needs. */
function hashesAreOfTheBytes(bytes: Buffer, out: ScannedRecord): void {
  const hash = (range: number[]) => hashBytes(bytes, range[0] as number, range[1] as number);
  expect(out.requestIdHash).toBe(hash(out.requestId));
  expect(out.fnHash).toBe(hash(out.fn));
  expect(out.stageHash).toBe(hash(out.stage));
  if (out.errorCode[0] !== -1) expect(out.errorCodeHash).toBe(hash(out.errorCode));
}

/** What the scanner read into `out` from `bytes`, as plain values. */
function readOut(bytes: Buffer, out: ScannedRecord) {
  const text = (range: number[]) => bytes.toString("utf8", range[0], range[1]);
  const unknown: string[] = [];
  for (let k = 0; k < out.unknownCount; k++)
    unknown.push(bytes.toString("utf8", out.unknown[2 * k], out.unknown[2 * k + 1]));
  return {
    requestId: text(out.requestId),
    fn: text(out.fn),
    stage: text(out.stage),
    errorCode: out.errorCode[0] === -1 ? null : text(out.errorCode),
    status: out.status,
    latencyMs: out.latencyMs,
    upstream: out.upstream,
    upstreamLatencyMs: out.upstreamLatencyMs,
    timeMs: out.timeMs,
    unknown,
  };
}

const base = SAMPLE_RECORD;

// Number spellings that JSON allows (and a few it does not), as raw text.
const numberText = fc.oneof(
  fc.constantFrom(
    "0",
    "-0",
    "0.0",
    "500",
    "500.0",
    "5e2",
    "5E+2",
    "50000e-2",
    "1e400",
    "-1",
    "1.5",
    "0.1",
    "999.999",
  ),
  fc.constantFrom(
    "1000.0000000000001",
    "123456789012345678",
    "0.30000000000000004",
    "1e-7",
    "01",
    "1.",
    ".5",
    "+1",
    "NaN",
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc.integer({ min: -10, max: 2000 }).map(String),
);
const stringText = fc.oneof(
  fc.constantFrom(
    '"timeout"',
    '"TIMEOUT"',
    '""',
    '"a\\"b"',
    '"caf\\u00e9"',
    '"café"',
    '"订单"',
    '"😀"',
    '"tab\there"',
    '"x\\ny"',
  ),
  fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
  fc.constantFrom(
    '"2026-11-25T03:03:44.534Z"',
    '"2026-11-25T03:03:44Z"',
    '"2026-02-29T00:00:00Z"',
    '"2024-02-29T23:59:59.999999999Z"',
    '"2026-11-25T03:03:44.534+01:00"',
    '"2026-11-25"',
    '"0099-01-01T00:00:00Z"',
    '"2026-13-01T00:00:00Z"',
    '"2026-11-25T24:00:00Z"',
    '"2026-11-25T0x:00:00Z"',
    '"2026-11-25T03:-1:00Z"',
    '"2026-11-25T03:03:4xZ"',
    '"2026-11-25T03:03:44.5x4Z"',
  ),
);
const valueText = fc.oneof(
  numberText,
  stringText,
  fc.constantFrom("null", "true", "false", "{}", "[]", '{"a":1}', "[1,2]"),
);
const keys = fc.constantFrom(
  ...Object.keys(base),
  "ts",
  "timestamp",
  "time",
  "level",
  "__proto__",
  "constructor",
  "request_id ",
  "Status",
  "caf\\u00e9",
);
const space = fc.constantFrom("", " ", "\t", "  ", "\r");

/** A line built from the base record with some values respelled, keys added, repeated or dropped. */
const line = fc
  .record({
    changes: fc.array(fc.tuple(keys, valueText), { maxLength: 4 }),
    drop: fc.subarray(Object.keys(base), { maxLength: 1 }),
    spaces: fc.array(space, { minLength: 6, maxLength: 6 }),
    shuffle: fc.boolean(),
  })
  .map(({ changes, drop, spaces, shuffle }) => {
    const entries: [string, string][] = Object.entries(base)
      .filter(([k]) => !drop.includes(k))
      .map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]);
    for (const [k, v] of changes) {
      const quoted = k.includes("\\") ? `"${k}"` : JSON.stringify(k);
      const at = entries.findIndex(([existing]) => existing === quoted);
      if (at >= 0 && v.length % 2 === 0) entries[at] = [quoted, v];
      else entries.push([quoted, v]);
    }
    if (shuffle) entries.reverse();
    const [a, b, c, d, e, f] = spaces as [string, string, string, string, string, string];
    return `${a}{${b}${entries.map(([k, v]) => `${k}${c}:${d}${v}`).join(`${e},`)}${f}}${a}`;
  });

/** Two lines with the same keys in the same order and the same spacing: the first valid, the second anything. */
const sameShape = fc
  .record({
    extra: fc.subarray(["ts", "level", "time", "constructor"], { maxLength: 2 }),
    values: fc.array(fc.option(valueText, { nil: undefined, freq: 2 }), { minLength: 12, maxLength: 12 }),
    spaces: fc.array(space, { minLength: 4, maxLength: 4 }),
    tail: fc.constantFrom("", "5", ",", " ", "}"),
  })
  .map(({ extra, values, spaces, tail }) => {
    const valid: Record<string, unknown> = {
      ...base,
      ts: "2026-11-25T03:03:44.534Z",
      level: "info",
      time: 7,
    };
    const keysOfLine = [...Object.keys(base), ...extra];
    const [a, b, c, d] = spaces as [string, string, string, string];
    const write = (value: (key: string, k: number) => string): string =>
      `{${a}${keysOfLine.map((key, k) => `${JSON.stringify(key)}${b}:${c}${value(key, k)}`).join(`${d},`)}}`;
    const first = write((key) => JSON.stringify(valid[key]));
    const second = write((key, k) => values[k] ?? JSON.stringify(valid[key])) + tail;
    return [first, second] as const;
  });

/** Records as loggers write them. */
const LOGGED_RECORDS = [
  base,
  {
    ...base,
    error_code: null,
    upstream_status: "timeout",
    upstream_latency_ms: null,
    ts: "2026-11-25T03:03:44.534Z",
  },
  { ...base, upstream_status: null, time: 1764040000000, level: "info", latency_ms: 12.345 },
  { ...base, request_id: "m-000023-é", function: "订单", timestamp: "2026-11-25T03:03:44Z" },
];

describe.each(PLACES)("the shape path in %s agrees with JSON.parse and the schema", (_where, place) => {
  it("a line tried on the shape of the line before it is accepted only as the general path accepts it", () => {
    fc.assert(
      fc.property(sameShape, ([first, second]) => {
        expect(fastPath(first), first).toEqual(generalPath(first));
        const fast = fastPath(second, first, place);
        if (fast === null) return;
        expect(fast).toEqual(generalPath(second));
      }),
      { seed: Number(process.env.FC_SEED ?? 4242), numRuns: Number(process.env.FC_RUNS ?? 5000) },
    );
  });

  it("reads the next line of a learned shape as JavaScript does, whatever its values", () => {
    let taken = 0;
    fc.assert(
      fc.property(fc.oneof(sameShape, likelyValidPair), ([first, second]) => {
        const fast = fastPath(second, first, place, hashesAreOfTheBytes);
        expect(fast).toEqual(fastPath(second, first, inJsMemory));
        expect(shapedLineEnd(first, second, place)).toBe(shapedLineEnd(first, second, inJsMemory));
        if (fast !== null) taken++;
      }),
      { seed: Number(process.env.FC_SEED ?? 4242), numRuns: Number(process.env.FC_RUNS ?? 5000) },
    );
    // The property is about lines read as well as lines refused: enough are read.
    expect(taken).toBeGreaterThan(Number(process.env.FC_RUNS ?? 5000) / 5);
  });

  it("learns the shape of a line it accepts, and reads the next line of that shape by it", () => {
    const out = new ScannedRecord();
    const first = Buffer.from(JSON.stringify(base));
    expect(scanRecord(first, 0, first.length, out)).toBe(true);
    expect(out.shape.fields).toBe(8);
    const second = place(Buffer.from(JSON.stringify({ ...base, request_id: "r2", error_code: null })));
    expect(scanRecord(second, 0, second.length, out)).toBe(true);
    expect(second.toString("utf8", out.requestId[0], out.requestId[1])).toBe("r2");
    expect(out.errorCode).toEqual([-1, -1]);
  });

  it("takes the shape path for the records loggers actually write", () => {
    for (const record of LOGGED_RECORDS) {
      const text = JSON.stringify(record);
      expect(fastPath(text, text, place), text).toEqual(generalPath(text));
      expect(fastPath(text, text, place), text).not.toBeNull();
    }
  });
});

/** Where scanShapedLine ends `line` (with a newline after it) in the shape of `first`, or -1. */
function shapedLineEnd(first: string, line: string, place: Place): number {
  const out = new ScannedRecord();
  const learned = Buffer.from(first, "utf8");
  scanRecord(learned, 0, learned.length, out);
  const bytes = place(Buffer.from(`${line}\n`, "utf8"));
  return scanShapedLine(bytes, 0, bytes.length - 1, out);
}

/**
 * Values at the edges of each rule, as raw JSON text by key: lengths counted in characters, impossible
 * dates, odd fractions of a second, numbers near what is read exactly. Random lines rarely reach these.
 */
const EDGE_VALUES: Record<string, string[]> = {
  request_id: [
    JSON.stringify("x".repeat(256)),
    JSON.stringify("x".repeat(257)),
    JSON.stringify("é".repeat(256)),
    JSON.stringify("é".repeat(257)),
    JSON.stringify("€".repeat(300)),
    JSON.stringify("😀".repeat(256)),
    JSON.stringify("😀".repeat(257)),
    '""',
    JSON.stringify("a".repeat(15)),
    JSON.stringify("a".repeat(16)),
    JSON.stringify("a".repeat(17)),
  ],
  stage: [JSON.stringify("s".repeat(128)), JSON.stringify("s".repeat(129)), JSON.stringify("ß".repeat(129))],
  error_code: [JSON.stringify("E".repeat(128)), JSON.stringify("E".repeat(129)), '""', "null", "1"],
  status: ["99", "100", "599", "600", "200.0", "2e2", "200.5", "-200", "0200", "1e400"],
  latency_ms: [
    "-0",
    "0",
    "-1",
    "0.1234567890123456",
    "123456789012345",
    "1234567890123456",
    "1.5e3",
    "1E3",
    "1.",
    ".5",
    "01",
    "0.000000000000001",
    "0.0000000000000001",
    "9007199254740993",
    "9999999999.999999",
  ],
  upstream_status: ['"timeout"', '"Timeout"', '"timeoup"', '"timeou"', '"timeouts"', "null", "600", "504"],
  upstream_latency_ms: ["-0", "null", "-0.5", "1e2", "12.25"],
  ts: [
    '"2024-02-29T10:00:00Z"',
    '"2023-02-29T10:00:00Z"',
    '"1900-02-29T10:00:00Z"',
    '"2000-02-29T10:00:00Z"',
    '"2026-04-31T10:00:00Z"',
    '"2026-11-31T10:00:00Z"',
    '"2026-09-31T10:00:00Z"',
    '"2100-02-29T10:00:00Z"',
    '"2026-06-30T23:59:59.999Z"',
    '"2026-13-01T10:00:00Z"',
    '"2026-00-01T10:00:00Z"',
    '"2026-01-00T10:00:00Z"',
    '"2026-01-32T10:00:00Z"',
    '"0999-01-01T10:00:00Z"',
    '"1000-01-01T00:00:00Z"',
    '"9999-12-31T23:59:59Z"',
    '"2026-11-25T24:00:00Z"',
    '"2026-11-25T03:60:00Z"',
    '"2026-11-25T03:03:60Z"',
    '"2026-11-25T03:03:44.Z"',
    '"2026-11-25T03:03:44.1Z"',
    '"2026-11-25T03:03:44.123456789Z"',
    '"2026-11-25T03:03:44.1234567890Z"',
    '"2026-11-25T03:03:44x534Z"',
    '"2026-11-25T03:03:44.5x4Z"',
    '"2026-11-25t03:03:44Z"',
    '"2026-11-25T03:03:44z"',
    '"2026-11-25T03:03:44+00:00"',
    '"2026-11-25 03:03:44Z"',
    "1764040000000",
    "1.5",
    "-1",
    "null",
  ],
};

describe("the shape path in WebAssembly reads edge values as JavaScript does", () => {
  it("decides and reads each edge value of each field as the JavaScript scanner and the schema do", () => {
    const first = JSON.stringify({ ...base, ts: "2026-11-25T03:03:44.534Z" });
    let taken = 0;
    let checked = 0;
    for (const [key, values] of Object.entries(EDGE_VALUES)) {
      for (const value of values) {
        const raw = first.replace(
          new RegExp(`("${key}":)("[^"]*"|[^,}]*)`),
          (_all, name: string) => `${name}${value}`,
        );
        expect(raw.includes(`"${key}":${value}`), `${key} ${value}`).toBe(true);
        const wasm = fastPath(raw, first, inWasmMemory, hashesAreOfTheBytes);
        expect(wasm, raw).toEqual(fastPath(raw, first, inJsMemory));
        // Refused by both shape paths alike: scanRecord would hide a refusal (JavaScript reads the line
        // key by key then), scanShapedLine does not.
        expect(shapedLineEnd(first, raw, inWasmMemory), raw).toBe(shapedLineEnd(first, raw, inJsMemory));
        if (wasm !== null) {
          expect(wasm, raw).toEqual(generalPath(raw));
          taken++;
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(80);
    expect(taken).toBeGreaterThan(30);
    expect(checked - taken).toBeGreaterThan(30);
  });
});

describe("the fast path agrees with JSON.parse and the schema (differential)", () => {
  it("accepts only what the general path accepts, with the same values", () => {
    fc.assert(
      fc.property(fc.oneof(line, fc.string(), fc.json()), (text) => {
        if (text.includes("\n")) return;
        const fast = fastPath(text);
        if (fast === null) return;
        const general = generalPath(text);
        expect(general).not.toBeNull();
        expect(fast).toEqual(general);
      }),
      { seed: Number(process.env.FC_SEED ?? 4242), numRuns: Number(process.env.FC_RUNS ?? 5000) },
    );
  });

  it("takes the fast path for the records loggers actually write", () => {
    for (const record of LOGGED_RECORDS) {
      const text = JSON.stringify(record);
      expect(fastPath(text), text).toEqual(generalPath(text));
      expect(fastPath(text), text).not.toBeNull();
    }
  });

  it("leaves escapes, nesting, repeated keys and violations to the general path", () => {
    const cases = [
      JSON.stringify({ ...base, request_id: 'a"b' }),
      JSON.stringify({ ...base, meta: { a: 1 } }),
      JSON.stringify(base).replace("}", ',"status":500}'),
      JSON.stringify({ ...base, status: "500" }),
      JSON.stringify({ ...base, ts: "not a time" }),
      `${JSON.stringify(base)} trailing`,
    ];
    for (const text of cases) expect(fastPath(text), text).toBeNull();
  });
});

/** Two lines of one shape, as `sameShape`, the second with up to three values changed for valid ones. */
const validChange = fc.constantFrom(
  ["request_id", '"r-2"'],
  ["request_id", '"a6c3e2b0-1f4e-4c1a-9b7d-2e5f8a9c0d11"'],
  ["request_id", '"é-x"'],
  ["stage", '"db"'],
  ["status", "200"],
  ["status", "599"],
  ["latency_ms", "0.5"],
  ["latency_ms", "12345"],
  ["error_code", "null"],
  ["upstream_status", "null"],
  ["upstream_status", '"timeout"'],
  ["upstream_latency_ms", "null"],
  ["ts", '"2026-11-25T04:00:00.001Z"'],
  ["time", "8"],
);
const likelyValidPair = fc
  .record({
    extra: fc.subarray(["ts", "time"], { maxLength: 2 }),
    changes: fc.array(validChange, { maxLength: 3 }),
    spaces: fc.array(fc.constantFrom("", " "), { minLength: 3, maxLength: 3 }),
  })
  .map(({ extra, changes, spaces }) => {
    const valid: Record<string, unknown> = { ...base, ts: "2026-11-25T03:03:44.534Z", time: 7 };
    const changed = new Map<string, string>(changes);
    const [a, b, c] = spaces as [string, string, string];
    const write = (value: (key: string) => string): string =>
      `{${[...Object.keys(base), ...extra].map((key) => `${JSON.stringify(key)}${a}:${b}${value(key)}`).join(`${c},`)}}`;
    const first = write((key) => JSON.stringify(valid[key]));
    return [first, write((key) => changed.get(key) ?? JSON.stringify(valid[key]))] as const;
  });

describe.each(PLACES)(
  "scanShapedLine in %s: a line read in the last shape before its end is known",
  (_where, place) => {
    /** Learns the shape of `first`, then offers `bytes` from 0 with the limit at its last byte. */
    const offer = (first: string, bytes: Buffer) => {
      const out = new ScannedRecord();
      const learned = Buffer.from(first, "utf8");
      scanRecord(learned, 0, learned.length, out);
      const end = scanShapedLine(place(bytes), 0, bytes.length - 1, out);
      return { end, out };
    };

    it("takes a line only up to its first newline, with what scanRecord and the general path read", () => {
      let taken = 0;
      fc.assert(
        fc.property(
          fc.oneof(sameShape, likelyValidPair),
          fc.constantFrom("\n", "\r\n", " \n", "\n{}\n", "x\n"),
          fc.option(fc.nat(), { nil: undefined, freq: 3 }),
          ([first, second], after, cut) => {
            // A newline put anywhere inside the second line (JSON whitespace, in strings, in numbers): it
            // ends the line there, and what follows is the next line.
            const text =
              cut === undefined ? second : `${second.slice(0, cut % (second.length + 1))}\n${second}`;
            const bytes = Buffer.from(text + after, "utf8");
            const { end, out } = offer(first, bytes);
            if (end < 0) return;
            taken++;
            expect(end).toBe(bytes.indexOf(0x0a));
            // The line as the splitter hands it on: without a `\r` before its newline.
            const line = bytes.toString("utf8", 0, bytes[end - 1] === 0x0d ? end - 1 : end);
            expect(readOut(bytes, out)).toEqual(generalPath(line));
            expect(readOut(bytes, out)).toEqual(fastPath(line, first));
          },
        ),
        { seed: Number(process.env.FC_SEED ?? 4242), numRuns: Number(process.env.FC_RUNS ?? 5000) },
      );
      // The property is about lines taken: enough of them are.
      expect(taken).toBeGreaterThan(Number(process.env.FC_RUNS ?? 5000) / 20);
    });

    it("takes the next line of a log in the shape of the last, and leaves the rest to scanRecord", () => {
      const first = JSON.stringify(base);
      const next = JSON.stringify({ ...base, request_id: "r2", latency_ms: 9.5, error_code: null });
      const taken = offer(first, Buffer.from(`${next}\n${first}\n`));
      expect(taken.end).toBe(Buffer.byteLength(next));
      expect(readOut(Buffer.from(`${next}\n`), taken.out)).toEqual(generalPath(next));
      // A `\r` before the newline is not part of the line.
      expect(offer(first, Buffer.from(`${next}\r\n${first}\n`)).end).toBe(Buffer.byteLength(next) + 1);
      for (const [text, why] of [
        [`${next}\r\r\n`, "two of them"],
        [`${next}\r`, "a \\r without a newline by the limit"],
        [`${next} \n`, "a space after the record"],
        [`${next}`, "no newline by the limit"],
        [`${JSON.stringify({ ...base, status: 50 })}\n`, "a violation"],
        [`${JSON.stringify({ ...base, request_id: 'a"b' })}\n`, "an escape"],
        [`{"function":"f",${first.slice(1)}\n`, "another shape"],
      ] as const)
        expect(offer(first, Buffer.from(`${text} `)).end, why).toBe(-1);
      // Nothing learned yet: nothing is taken.
      expect(scanShapedLine(Buffer.from(`${first}\n`), 0, first.length, new ScannedRecord())).toBe(-1);
    });

    it("compares every byte of every literal, whatever its length (pieces of eight and four bytes overlap)", () => {
      // Unknown keys of every length from 1 to 18 bytes (UTF-8 among them), so that the literals between
      // values, `,"<key>":` and its spaces, take every length class: under four bytes (`}`), four to
      // seven, eight and more, multiples of four and eight and not.
      const names = ["a", "ab", "abc", "é", "abcd", "abcde", "k€y", "abcdefg", "abcdefgh", "abcdefghijkl"];
      const record: Record<string, unknown> = { ...base };
      for (const name of names) record[name] = 1;
      for (const spacing of ["", " "]) {
        const parts: string[] = [];
        const values: string[] = [];
        for (const [key, value] of Object.entries(record)) {
          parts.push(`${parts.length === 0 ? "{" : ","}${spacing}${JSON.stringify(key)}:${spacing}`);
          values.push(JSON.stringify(value));
        }
        parts.push(`${spacing}}`);
        const line = parts.map((part, k) => part + (values[k] ?? "")).join("");
        expect(offer(line, Buffer.from(`${line}\n`)).end).toBe(Buffer.byteLength(line));
        // Each literal byte changed (to a byte that keeps the line valid UTF-8): the shape no longer fits.
        let at = 0;
        let changed = 0;
        parts.forEach((part, k) => {
          const literal = Buffer.from(part, "utf8");
          for (let b = 0; b < literal.length; b++) {
            const bytes = Buffer.from(`${line}\n`, "utf8");
            const byte = bytes[at + b] as number;
            if (byte >= 0x80) continue;
            bytes[at + b] = byte === 0x78 ? 0x79 : 0x78;
            expect(offer(line, bytes).end, `literal ${k}, byte ${b}`).toBe(-1);
            changed++;
          }
          at += literal.length + Buffer.byteLength(values[k] ?? "");
        });
        expect(changed).toBeGreaterThan(150);
      }
    });
  },
);

describe("timestamps read from the bytes", () => {
  it("daysFromCivil counts days as Date.UTC does, for every year the fast path reads (1000–9999)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1000, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (year, month, day) => {
          expect(daysFromCivil(year, month, day) * 86_400_000).toBe(Date.UTC(year, month - 1, day));
        },
      ),
      { seed: 7, numRuns: 2000 },
    );
    expect(daysFromCivil(2024, 2, 29) * 86_400_000).toBe(Date.UTC(2024, 1, 29));
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
  });
});
