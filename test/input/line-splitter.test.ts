// LineSplitter against SPEC.md section 1: what a line is and how lines are counted, whatever the chunking.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter, type LineSink } from "../../src/input/line-splitter.js";

/** What the sink received: a line's text, or a rejected line's kind and reason. */
type Event =
  | { readonly line: number; readonly text: string }
  | { readonly line: number; readonly kind: string; readonly reason: string };

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const TOO_LONG = "line too long";
const NOT_UTF8 = "not valid UTF-8";

/** A sink that records what it receives, decoding each line while its bytes are still valid. */
function recorder(): { sink: LineSink; events: Event[] } {
  const events: Event[] = [];
  const sink: LineSink = {
    line: (bytes, start, end, line) => events.push({ line, text: bytes.toString("utf8", start, end) }),
    reject: (line, kind, reason) => events.push({ line, kind, reason }),
  };
  return { sink, events };
}

/**
 * A recorder that also takes lines when they are offered before their end is known (`lineAt`), as the
 * intake does for a record in the shape of the last: a line that starts with `{` or `a` and has its `\n`
 * by the limit, right after its last byte (the intake's records end in `}`, never in `\r`). What it
 * takes must be what `line` would have been given.
 */
function takingRecorder(maxLineBytes: number): { sink: LineSink; events: Event[]; taken: () => number } {
  const { sink, events } = recorder();
  let taken = 0;
  const lineAt = (bytes: Buffer, start: number, limit: number, line: number): number => {
    // Never a line over the limit, nor line 1 (its BOM is the splitter's to drop).
    expect(limit - start).toBeLessThanOrEqual(maxLineBytes);
    expect(line).toBeGreaterThan(1);
    const newline = bytes.indexOf(0x0a, start);
    if (newline < 0 || newline > limit || bytes[newline - 1] === 0x0d) return -1;
    if (bytes[start] !== 0x7b && bytes[start] !== 0x61) return -1;
    events.push({ line, text: bytes.toString("utf8", start, newline) });
    taken++;
    return newline;
  };
  return { sink: { ...sink, lineAt }, events, taken: () => taken };
}

/**
 * Feeds the chunks in order, ends the source, and returns what the sink received; `taking`, with a sink
 * that takes some lines itself (`takingRecorder`).
 */
function split(
  chunks: readonly Buffer[],
  maxLineBytes = 1024,
  taking = false,
): { events: Event[]; lines: number } {
  const { sink, events } = taking ? takingRecorder(maxLineBytes) : recorder();
  const splitter = new LineSplitter(sink, maxLineBytes);
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { events, lines: splitter.lines };
}

/** The bytes cut into chunks of `size` bytes (the last may be shorter). */
function chunksOf(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

/** The bytes cut at the given offsets (any order, duplicates and out-of-range offsets allowed). */
function cutAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets.map((offset) => offset % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(from, cut));
    from = cut;
  }
  return chunks;
}

/** Ways to deliver one source: each must give the same lines. */
const feedings: readonly { readonly name: string; readonly cut: (bytes: Buffer) => Buffer[] }[] = [
  { name: "whole", cut: (bytes) => [bytes] },
  { name: "in 1-byte chunks", cut: (bytes) => chunksOf(bytes, 1) },
  { name: "in 3-byte chunks", cut: (bytes) => chunksOf(bytes, 3) },
];

function lineEvents(...texts: string[]): Event[] {
  return texts.map((text, index) => ({ line: index + 1, text }));
}

describe("LineSplitter: what a line is (SPEC 1)", () => {
  it.each(feedings)(
    "SPEC 1: a line that is not JSON in the middle of a chunk is passed on, fed $name",
    ({ cut }) => {
      const { events } = split(cut(Buffer.from('{"a":1}\n{"b":\n{"c":3}\n')));
      expect(events).toEqual(lineEvents('{"a":1}', '{"b":', '{"c":3}'));
    },
  );

  it.each(feedings)(
    "SPEC 1: the line `null` is passed on as a line and ends nothing, fed $name",
    ({ cut }) => {
      const { events } = split(cut(Buffer.from("{}\nnull\n{}\nnull")));
      expect(events).toEqual(lineEvents("{}", "null", "{}", "null"));
    },
  );

  it("SPEC 1: a BOM at the start of the source is ignored", () => {
    const { events } = split([Buffer.concat([BOM, Buffer.from('{"a":1}\n{}\n')])]);
    expect(events).toEqual(lineEvents('{"a":1}', "{}"));
  });

  it("SPEC 1: a BOM is ignored only at the start of the source, not on a later line", () => {
    const { events } = split([Buffer.concat([Buffer.from("{}\n"), BOM, Buffer.from("{}\n")])]);
    expect(events).toEqual(lineEvents("{}", "\uFEFF{}"));
  });

  it("SPEC 1: a BOM is ignored only once, not repeated at the start of line 1", () => {
    const { events } = split([Buffer.concat([BOM, BOM, Buffer.from("{}\n")])]);
    expect(events).toEqual(lineEvents("\uFEFF{}"));
  });

  it.each([1, 2])("SPEC 1: a BOM split after its byte %i across two chunks is ignored", (at) => {
    const bytes = Buffer.concat([BOM, Buffer.from("{}\n{}\n")]);
    const { events } = split([bytes.subarray(0, at), bytes.subarray(at)]);
    expect(events).toEqual(lineEvents("{}", "{}"));
  });

  it.each(feedings)("SPEC 1: a `\\r` before `\\n` is ignored (CRLF), fed $name", ({ cut }) => {
    const { events } = split(cut(Buffer.from("{}\r\n\r\n{}\r\n")));
    expect(events).toEqual(lineEvents("{}", "", "{}"));
  });

  it("SPEC 1: a `\\r` and its `\\n` in different chunks are one line ending", () => {
    const { events } = split([Buffer.from("{}\r"), Buffer.from("\n{}\r"), Buffer.from("\n")]);
    expect(events).toEqual(lineEvents("{}", "{}"));
  });

  it.each(feedings)("SPEC 1: a lone `\\r` inside a line is kept as content, fed $name", ({ cut }) => {
    const { events } = split(cut(Buffer.from('{"a":"x\ry"}\n\r{}\n{}\r\r\n')));
    expect(events).toEqual(lineEvents('{"a":"x\ry"}', "\r{}", "{}\r"));
  });

  it("SPEC 1: a BOM and CRLF together are both ignored", () => {
    const { events } = split([Buffer.concat([BOM, Buffer.from("{}\r\n{}\r\n")])]);
    expect(events).toEqual(lineEvents("{}", "{}"));
  });
});

describe("LineSplitter: counting lines (SPEC 1)", () => {
  it.each([
    { name: "`a\\nb\\n` has two", input: "a\nb\n", expected: ["a", "b"] },
    { name: "`a\\nb` has two", input: "a\nb", expected: ["a", "b"] },
    { name: "`` (empty) has zero", input: "", expected: [] },
    { name: "`\\n` has one", input: "\n", expected: [""] },
    { name: "`\\n\\n` has two", input: "\n\n", expected: ["", ""] },
    { name: "`a` has one", input: "a", expected: ["a"] },
  ])(
    "SPEC 1: a source's lines are its newline-terminated lines plus a final one: $name",
    ({ input, expected }) => {
      for (const { cut } of feedings) {
        const { events, lines } = split(cut(Buffer.from(input)));
        expect(events).toEqual(lineEvents(...expected));
        expect(lines).toBe(expected.length);
      }
    },
  );

  it("SPEC 1: a final line without a newline is counted", () => {
    const { events, lines } = split([Buffer.from("{}\n"), Buffer.from('{"last":')]);
    expect(events).toEqual(lineEvents("{}", '{"last":'));
    expect(lines).toBe(2);
  });

  it("SPEC 1: empty chunks change nothing", () => {
    const empty = Buffer.alloc(0);
    const { events } = split([empty, Buffer.from("a"), empty, Buffer.from("\n"), empty]);
    expect(events).toEqual(lineEvents("a"));
  });

  it("SPEC 1: a line held between chunks survives the caller reusing its buffer (readSource does)", () => {
    const reused = Buffer.from("ab");
    const { sink, events } = recorder();
    const splitter = new LineSplitter(sink, 1024);
    splitter.push(reused);
    reused.write("c\n");
    splitter.push(reused);
    splitter.end();
    expect(events).toEqual(lineEvents("abc"));
  });
});

describe("LineSplitter: the length limit (SPEC 1)", () => {
  const max = 8;

  it.each(feedings)(
    "SPEC 1: an over-long line is one violation with its line number, and reading resumes at the next line, fed $name",
    ({ cut }) => {
      const { events, lines } = split(cut(Buffer.from(`{}\n${"x".repeat(20)}\n{"n":3}\n`)), max);
      expect(events).toEqual([
        { line: 1, text: "{}" },
        { line: 2, kind: TOO_LONG, reason: "line too long (20 bytes; the limit is 8)" },
        { line: 3, text: '{"n":3}' },
      ]);
      expect(lines).toBe(3);
    },
  );

  it("SPEC 1: a final over-long line without a newline is one violation", () => {
    const { events } = split(chunksOf(Buffer.from(`{}\n${"x".repeat(20)}`), 5), max);
    expect(events).toEqual([
      { line: 1, text: "{}" },
      { line: 2, kind: TOO_LONG, reason: "line too long (20 bytes; the limit is 8)" },
    ]);
  });

  it("SPEC 1: a 50 MB line is rejected without being held in memory, and the next line keeps its number", () => {
    const maxLineBytes = 1024;
    const chunk = Buffer.alloc(64 * 1024, "x");
    const chunks = 800; // 50 MiB
    const { sink, events } = recorder();
    const splitter = new LineSplitter(sink, maxLineBytes);
    splitter.push(Buffer.from("{}\n"));
    const before = process.memoryUsage();
    for (let i = 0; i < chunks; i++) splitter.push(chunk);
    const after = process.memoryUsage();
    splitter.push(Buffer.from("\n{}\n"));
    splitter.end();

    expect(events).toEqual([
      { line: 1, text: "{}" },
      {
        line: 2,
        kind: TOO_LONG,
        reason: `line too long (${chunks * chunk.length} bytes; the limit is 1024)`,
      },
      { line: 3, text: "{}" },
    ]);
    // Holding the line would take 50 MB of buffers; the splitter may hold about maxLineBytes.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(4 * 1024 * 1024);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(16 * 1024 * 1024);
  });

  describe.each(feedings)("fed $name", ({ cut }) => {
    it.each(["\n", "\r\n"])("SPEC 1: a line of exactly maxLineBytes is accepted (ending %j)", (ending) => {
      const text = "x".repeat(max);
      const { events } = split(cut(Buffer.from(`${text}${ending}{}${ending}`)), max);
      expect(events).toEqual(lineEvents(text, "{}"));
    });

    it.each(["\n", "\r\n"])("SPEC 1: a line of maxLineBytes + 1 is rejected (ending %j)", (ending) => {
      const { events } = split(cut(Buffer.from(`${"x".repeat(max + 1)}${ending}{}${ending}`)), max);
      expect(events).toEqual([
        { line: 1, kind: TOO_LONG, reason: expect.stringContaining("the limit is 8") as unknown },
        { line: 2, text: "{}" },
      ]);
    });

    it("SPEC 1: a final line of exactly maxLineBytes is accepted, with or without a `\\r`", () => {
      const text = "x".repeat(max);
      expect(split(cut(Buffer.from(`{}\n${text}`)), max).events).toEqual(lineEvents("{}", text));
      expect(split(cut(Buffer.from(`{}\n${text}\r`)), max).events).toEqual(lineEvents("{}", text));
    });

    it("SPEC 1: the limit counts bytes, not characters", () => {
      const exactly = "é€axx"; // 8 bytes in 5 characters
      const over = "€€€"; // 9 bytes in 3 characters
      const { events } = split(cut(Buffer.from(`${exactly}\n${over}\n`)), max);
      expect(events).toEqual([
        { line: 1, text: exactly },
        { line: 2, kind: TOO_LONG, reason: "line too long (9 bytes; the limit is 8)" },
      ]);
    });
  });
});

describe("LineSplitter: decoding (SPEC 1)", () => {
  const badUtf8 = Buffer.concat([
    Buffer.from("{}\n"),
    Buffer.from([0x7b, 0xff, 0x7d]),
    Buffer.from("\n{}\n"),
  ]);

  it.each(feedings)(
    "SPEC 1: a line that is not valid UTF-8 is a violation and its neighbours in the same chunk survive, fed $name",
    ({ cut }) => {
      const { events } = split(cut(badUtf8));
      expect(events).toEqual([
        { line: 1, text: "{}" },
        { line: 2, kind: NOT_UTF8, reason: NOT_UTF8 },
        { line: 3, text: "{}" },
      ]);
    },
  );

  it.each([
    { name: "a lone continuation byte", bytes: [0x80] },
    { name: "a character cut short by the end of the line", bytes: [0xe2, 0x82] },
    { name: "an encoded surrogate", bytes: [0xed, 0xa0, 0x80] },
    { name: "an overlong encoding", bytes: [0xc0, 0xaf] },
  ])("SPEC 1: $name is not valid UTF-8", ({ bytes }) => {
    const { events } = split([Buffer.concat([Buffer.from("a\n"), Buffer.from(bytes), Buffer.from("\nb")])]);
    expect(events).toEqual([
      { line: 1, text: "a" },
      { line: 2, kind: NOT_UTF8, reason: NOT_UTF8 },
      { line: 3, text: "b" },
    ]);
  });

  it("SPEC 1: a final line that is not valid UTF-8 is a violation", () => {
    const { events } = split([Buffer.from("a\n"), Buffer.from([0xe2, 0x82])]);
    expect(events).toEqual([
      { line: 1, text: "a" },
      { line: 2, kind: NOT_UTF8, reason: NOT_UTF8 },
    ]);
  });

  it("SPEC 1: multi-byte characters cut by any chunk boundary decode intact", () => {
    const text = '{"s":"é€😀"}';
    const bytes = Buffer.from(`{}\n${text}\n${text}`);
    for (let at = 0; at <= bytes.length; at++) {
      const { events } = split([bytes.subarray(0, at), bytes.subarray(at)]);
      expect(events, `cut at byte ${at}`).toEqual(lineEvents("{}", text, text));
    }
  });

  it("SPEC 1: a chunk of thousands of lines, one of them not valid UTF-8, gives every line once, in order", () => {
    const texts = Array.from(
      { length: 4000 },
      (_, index) => `{"n":${index},"pad":"${"é".repeat(index % 37)}"}`,
    );
    const bad = 2500;
    const parts = texts.map((text, index) => (index === bad ? Buffer.from([0xff]) : Buffer.from(text)));
    const bytes = Buffer.concat(parts.flatMap((part) => [part, Buffer.from("\n")]));
    expect(bytes.length).toBeGreaterThan(3 * 64 * 1024);

    const { events } = split([bytes], 1024 * 1024);
    expect(events).toEqual(
      texts.map((text, index): Event =>
        index === bad ? { line: index + 1, kind: NOT_UTF8, reason: NOT_UTF8 } : { line: index + 1, text },
      ),
    );
  });

  it("SPEC 1: a line of 100 KiB, under the limit, is one line", () => {
    const long = `{"pad":"${"x".repeat(100 * 1024)}"}`;
    const { events } = split([Buffer.from(`{}\n${long}\n{}\n`)], 1024 * 1024);
    expect(events).toEqual(lineEvents("{}", long, "{}"));
  });
});

/** A character that is anything but `\n`, with `\r`, a BOM and multi-byte characters over-represented. */
const char = fc.oneof(
  fc.constantFrom("\r", "a", "{", " ", "é", "€", "😀", "\uFEFF"),
  fc
    .integer({ min: 0, max: 0x10ffff })
    .filter((code) => code !== 0x0a && (code < 0xd800 || code > 0xdfff))
    .map((code) => String.fromCodePoint(code)),
);
const textLine = fc.string({ unit: char, maxLength: 24 });
const separator = fc.constantFrom("\n", "\r\n");
const seeded = { seed: 42, numRuns: 200 };

/** SPEC.md section 1, read literally: split on `\n`, drop the `\r` before it, and measure bytes. */
function specLines(text: string, maxLineBytes: number): { line: number; text?: string; kind?: string }[] {
  const pieces = text.split("\n");
  if (pieces[pieces.length - 1] === "") pieces.pop();
  return pieces.map((piece, index) => {
    const line = piece.endsWith("\r") ? piece.slice(0, -1) : piece;
    return Buffer.byteLength(line) > maxLineBytes
      ? { line: index + 1, kind: TOO_LONG }
      : { line: index + 1, text: line };
  });
}

describe("LineSplitter: a sink that takes lines before their end is known (lineAt)", () => {
  it("is offered the lines of a valid chunk after line 1, and what it takes is counted as a line", () => {
    const text = `{"n":1}\n{"n":2}\nabc\n{"n":4}\r\n${"a".repeat(20)}\nb\n{"n":7}`;
    const max = 10;
    const taking = takingRecorder(max);
    const splitter = new LineSplitter(taking.sink, max);
    splitter.push(Buffer.from(text));
    splitter.end();
    // Taken: lines 2, 3 (line 1 is never offered; 4 ends in \r; 5 is over the limit; 6 starts with
    // b; 7 has no newline, so it is held, not offered).
    expect(taking.taken()).toBe(2);
    expect(splitter.lines).toBe(7);
    expect(taking.events).toEqual(split([Buffer.from(text)], max).events);
  });

  it("is not offered the lines of a chunk that is not valid UTF-8", () => {
    const taking = takingRecorder(1024);
    const splitter = new LineSplitter(taking.sink, 1024);
    splitter.push(Buffer.concat([Buffer.from("{}\n{}\n"), Buffer.from([0xff]), Buffer.from("\n{}\n")]));
    splitter.end();
    expect(taking.taken()).toBe(0);
    expect(taking.events).toHaveLength(4);
  });
});

describe("LineSplitter: laws (SPEC 1)", () => {
  it("SPEC 1: cutting the bytes into any chunks gives the same lines and violations as feeding them whole", () => {
    // Lines are text or, now and then, raw bytes that need not be UTF-8 (never a `\n`).
    const rawLine = fc
      .uint8Array({ maxLength: 12 })
      .map((bytes) => Buffer.from(bytes.filter((b) => b !== 0x0a)));
    const line = fc.oneof(
      { weight: 5, arbitrary: textLine.map((text) => Buffer.from(text)) },
      { weight: 1, arbitrary: rawLine },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, separator), { maxLength: 20 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (lines, bom, terminated, maxLineBytes, offsets) => {
          const parts = lines.flatMap(([bytes, sep], index) =>
            index < lines.length - 1 || terminated ? [bytes, Buffer.from(sep)] : [bytes],
          );
          const bytes = Buffer.concat(bom ? [BOM, ...parts] : parts);
          const whole = split([bytes], maxLineBytes);
          expect(split(cutAt(bytes, offsets), maxLineBytes)).toEqual(whole);
          expect(split(chunksOf(bytes, 1), maxLineBytes)).toEqual(whole);
          // A sink that takes lines before their end is known gets the same lines, numbered the same.
          expect(split([bytes], maxLineBytes, true)).toEqual(whole);
          expect(split(cutAt(bytes, offsets), maxLineBytes, true)).toEqual(whole);
        },
      ),
      seeded,
    );
  });

  it("SPEC 1: the lines are the SPEC's lines: split on `\\n`, without a `\\r` before it, measured in bytes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(textLine, separator), { maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (lines, terminated, maxLineBytes, offsets) => {
          const text = lines
            .map(([line, sep], index) => (index < lines.length - 1 || terminated ? line + sep : line))
            .join("");
          // Whether a BOM counts towards line 1's length, SPEC.md does not say: leave that case out.
          fc.pre(!text.startsWith("\uFEFF"));
          const expected = specLines(text, maxLineBytes);
          for (const chunks of [[Buffer.from(text)], cutAt(Buffer.from(text), offsets)]) {
            const { events, lines: counted } = split(chunks, maxLineBytes);
            expect(
              events.map((event) => ("text" in event ? event : { line: event.line, kind: event.kind })),
            ).toEqual(expected);
            expect(counted).toBe(expected.length);
          }
        },
      ),
      seeded,
    );
  });
});
