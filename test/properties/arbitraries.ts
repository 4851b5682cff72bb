// Generators for the property tests: logs as they arrive (records, garbage, blank lines, CRLF, a BOM,
// multi-byte UTF-8, invalid bytes), hostile strings for any field, key or line, and ways to cut bytes into
// chunks. Every property runs with a fixed seed and a bounded number of runs (`seeded`).
import fc from "fast-check";
import { REQUIRED_FIELDS, TIME_FIELDS } from "../../src/m1/record.js";

/** The seed and size of every property: the same cases on every run, in seconds on two cores. */
export function seeded(seed: number, numRuns = 100): { seed: number; numRuns: number } {
  return { seed, numRuns };
}

/** Pieces that attack a terminal, a bidi renderer or a CI page. */
const HOSTILE_SNIPPETS = [
  "\u001b[2J\u001b[H",
  "\u001b[31m",
  "\u001b]0;title\u0007",
  "\u001b]8;;https://evil.example/\u0007link\u001b]8;;\u0007",
  "\u001b]8;;https://evil.example/\u001b\\st\u001b]8;;\u001b\\",
  "\u001b]52;c;cHduZWQ=\u0007",
  "\u001bP+q544e\u001b\\",
  "\u009b31m",
  "\u009d0;c1 title\u009c",
  "\u007f",
  "\u0000",
  "\r",
  "\n",
  "\r\n",
  "\t",
  "\u000b\u000c",
  "\u202e",
  "\u2066\u2067\u2068\u2069",
  "\u202a\u202b\u202c\u202d",
  "\u200e\u200f\u061c",
  "\u2028\u2029",
  "\u0085",
  "::error::forged",
  "\n::warning file=x::forged",
  "::add-mask::x",
  "|",
  "<script>alert(1)</script>",
  "[x](https://evil.example/)",
  "`",
  "\\",
  "__proto__",
  "constructor",
  "é",
  "𝄞",
  "👩‍💻",
  "\ufeff",
] as const;

/** Characters the escaping must handle, to build strings densely packed with them. */
const HOSTILE_CHARACTERS = fc.constantFrom(
  ..."\u0000\u0001\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u001b\u001f\u007f\u0080\u0085\u009b\u009c\u009f",
  ..."\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
  ..."[]();:|\\`*_#!<>&@~ ",
  "a",
  "é",
  "𝄞",
);

/** A string from the logs: anything, often hostile. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_SNIPPETS) },
  { weight: 3, arbitrary: fc.string({ unit: HOSTILE_CHARACTERS, minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 12 }) },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.oneof(fc.constantFrom(...HOSTILE_SNIPPETS), fc.string({ maxLength: 4 })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => parts.join("")),
  },
);

const REQUIRED = REQUIRED_FIELDS;

/** A valid record over a few ids and functions, so that units merge several records. */
export const validRecord: fc.Arbitrary<Record<string, unknown>> = fc.record({
  request_id: fc.constantFrom("a", "b", "c", "é", "__proto__"),
  function: fc.constantFrom("checkout", "search", "constructor"),
  stage: fc.constantFrom("receive", "upstream", "respond"),
  status: fc.constantFrom(200, 302, 404, 422, 499, 500, 503, 599),
  latency_ms: fc.constantFrom(0, 12.5, 999, 1000, 2400),
  error_code: fc.constantFrom(null, "UPSTREAM_TIMEOUT", "DB_LOCK"),
  upstream_status: fc.constantFrom(null, "timeout", 200, 404, 503),
  upstream_latency_ms: fc.constantFrom(null, 0, 180, 200, 1999),
});

/** A valid record line. */
export const validLine: fc.Arbitrary<string> = validRecord.map((r) => JSON.stringify(r));

/** A record whose strings, keys or values may be hostile: valid or not, it must be shown safely. */
export const hostileRecordLine: fc.Arbitrary<string> = fc
  .tuple(
    validRecord,
    fc.dictionary(fc.constantFrom(...REQUIRED), hostileString, { maxKeys: 3 }),
    fc.dictionary(hostileString, fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 })), { maxKeys: 3 }),
  )
  .map(([record, strings, extra]) => JSON.stringify({ ...record, ...strings, ...extra }));

/** A record of arbitrary JSON values under the M1 keys and others. */
export const arbitraryJsonRecordLine: fc.Arbitrary<string> = fc
  .dictionary(
    fc.oneof(fc.constantFrom(...REQUIRED, ...TIME_FIELDS), fc.string({ maxLength: 6 })),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 10 },
  )
  .map((object) => JSON.stringify(object));

/** A line as logs hold them: records, hostile records, arbitrary JSON, garbage, blank. */
export const anyLine: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: validLine },
  { weight: 3, arbitrary: hostileRecordLine },
  { weight: 2, arbitrary: arbitraryJsonRecordLine },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "\t", "{", "null", "[]", '{"status":"500"}') },
);

/** Lines joined with `\n` or `\r\n`, with or without a final newline, maybe with a BOM: as bytes. */
export const logText: fc.Arbitrary<Buffer> = fc
  .tuple(fc.array(anyLine, { maxLength: 30 }), fc.constantFrom("\n", "\r\n"), fc.boolean(), fc.boolean())
  .map(([lines, eol, finalNewline, bom]) =>
    Buffer.from(`${bom ? "\ufeff" : ""}${lines.join(eol)}${finalNewline && lines.length > 0 ? eol : ""}`),
  );

/** Logs with raw damage: invalid UTF-8 and stray bytes spliced in at random places. */
export const damagedLog: fc.Arbitrary<Buffer> = fc
  .tuple(
    logText,
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 4 }),
          fc.constantFrom(
            Uint8Array.of(0xff),
            Uint8Array.of(0xc3),
            Uint8Array.of(0xed, 0xa0, 0x80),
            Uint8Array.of(0xe2, 0x82),
            Uint8Array.of(0x0d),
            Uint8Array.of(0x0a),
            Uint8Array.of(0x00),
          ),
        ),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([text, splices]) => {
    let bytes = text;
    for (const [at, piece] of splices) {
      const i = bytes.length === 0 ? 0 : at % (bytes.length + 1);
      bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from(piece), bytes.subarray(i)]);
    }
    return bytes;
  });

/** Any bytes at all, sometimes starting with the gzip magic. */
export const arbitraryBytes: fc.Arbitrary<Buffer> = fc
  .tuple(fc.boolean(), fc.uint8Array({ maxLength: 600 }))
  .map(([magic, bytes]) =>
    Buffer.concat([magic ? Buffer.from([0x1f, 0x8b]) : Buffer.alloc(0), Buffer.from(bytes)]),
  );

/**
 * Cut points for a buffer: the buffer cut into chunks (some a single byte, some empty), so that line
 * breaks, CRLF pairs and multi-byte characters fall across chunk boundaries.
 */
export function chunked(bytes: Buffer): fc.Arbitrary<Buffer[]> {
  return fc
    .oneof(
      fc.array(fc.nat({ max: Math.max(0, bytes.length) }), { maxLength: 12 }),
      // Every byte its own chunk.
      fc.constant(Array.from({ length: bytes.length + 1 }, (_, i) => i)),
    )
    .map((cuts) => {
      const sorted = [...cuts].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let from = 0;
      for (const cut of sorted) {
        chunks.push(Buffer.from(bytes.subarray(from, cut)));
        from = cut;
      }
      chunks.push(Buffer.from(bytes.subarray(from)));
      return chunks;
    });
}

const KNOWN_KEYS = new Set<string>([...REQUIRED, ...TIME_FIELDS]);

/** Cut to at most `max` UTF-16 units; never empty. */
const fitting = (max: number) => (text: string) => text.slice(0, max) || "x";

/** A valid record whose strings and unknown keys are hostile. */
export const validHostileLine: fc.Arbitrary<string> = fc
  .tuple(
    validRecord,
    fc.record(
      {
        request_id: hostileString.map(fitting(200)),
        function: hostileString.map(fitting(200)),
        stage: hostileString.map(fitting(100)),
        error_code: hostileString.map(fitting(100)),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      hostileString.filter((key) => !KNOWN_KEYS.has(key)),
      fc.oneof(hostileString, fc.jsonValue({ maxDepth: 2 })),
      { maxKeys: 3 },
    ),
  )
  .map(([record, strings, extra]) => JSON.stringify({ ...record, ...strings, ...extra }));
