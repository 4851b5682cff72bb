import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderJson } from "../src/report/render-json.js";
import { m1, readText, reportFor } from "./helpers.js";

/** Records over a few ids and functions, so that units merge many records. */
const record = fc
  .record({
    request_id: fc.constantFrom("a", "b", "c", "d", "é", "__proto__"),
    function: fc.constantFrom("checkout", "search", "constructor"),
    stage: fc.constantFrom("receive", "upstream", "respond"),
    status: fc.constantFrom(200, 302, 404, 422, 500, 503),
    latency_ms: fc.constantFrom(0, 12.5, 999, 1000, 2400),
    error_code: fc.constantFrom(null, "UPSTREAM_TIMEOUT", "DB_LOCK"),
    upstream_status: fc.constantFrom(null, "timeout", 200, 404, 503),
    upstream_latency_ms: fc.constantFrom(null, 0, 180, 200, 1999),
    ts: fc.option(fc.constantFrom("2026-11-25T10:00:00Z", "2026-11-25T11:30:00.5Z"), { nil: undefined }),
  })
  .map((fields) => m1(fields));

/** Lines as a log really holds them: mostly records, some garbage, some blank. */
const line = fc.oneof(
  { weight: 8, arbitrary: record },
  { weight: 1, arbitrary: fc.constantFrom("", "   ", "null", "{", '"x"', '{"status":"500"}', "\u001b[2J") },
);

const seeded = { seed: 1126, numRuns: 150 };

/** The verdict-bearing part of a report: everything but where violations were located. */
function verdictsOf(text: Record<string, string>) {
  const { overall, functions, input } = reportFor(text);
  return { overall, functions, unknownFields: input.unknownFields };
}

describe("SPEC 1, 2 and 5: laws", () => {
  it("SPEC 1: lines = valid + invalid + blank, whatever the input", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(line, fc.string())),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        (lines, eol, final) => {
          const text = lines.join(eol) + (final ? eol : "");
          const { tally } = readText({ x: text }).intake;
          expect(tally.lines).toBe(tally.valid + tally.invalid + tally.blank);
        },
      ),
      seeded,
    );
  });

  it("SPEC 2: the order of lines changes no verdict, count or percentile", () => {
    fc.assert(
      fc.property(
        fc
          .array(line, { maxLength: 40 })
          .chain((lines) =>
            fc.tuple(
              fc.constant(lines),
              fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }),
            ),
          ),
        ([lines, shuffled]) => {
          expect(verdictsOf({ x: shuffled.join("\n") })).toEqual(verdictsOf({ x: lines.join("\n") }));
        },
      ),
      seeded,
    );
  });

  it("SPEC 5: the order of valid lines changes no byte of the JSON report", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.func(fc.integer()), (lines, key) => {
        const shuffled = [...lines].sort((a, b) => key(a) - key(b));
        expect(renderJson(reportFor({ x: shuffled.join("\n") }))).toBe(
          renderJson(reportFor({ x: lines.join("\n") })),
        );
      }),
      seeded,
    );
  });

  it("SPEC 5: the order of input files changes no byte of the JSON report", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(line, { maxLength: 20 }), (a, b) => {
        const forward = renderJson(reportFor({ "a.ndjson": a.join("\n"), "b.ndjson": b.join("\n") }));
        const backward = renderJson(reportFor({ "b.ndjson": b.join("\n"), "a.ndjson": a.join("\n") }));
        expect(backward).toBe(forward);
      }),
      seeded,
    );
  });

  it("SPEC 2: a line seen twice changes no verdict (x followed by x, and one line repeated)", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 30 }), fc.nat(), (lines, pick) => {
        const once = verdictsOf({ x: lines.join("\n") });
        const repeated = [...lines, lines[pick % lines.length] as string];
        expect(verdictsOf({ x: [...lines, ...lines].join("\n") }).functions).toEqual(once.functions);
        expect(verdictsOf({ x: repeated.join("\n") }).overall).toEqual(once.overall);
      }),
      seeded,
    );
  });

  it("SPEC 2: duplicates count exactly the valid records that repeat an earlier one", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), (lines) => {
        const distinct = new Set(lines).size;
        const report = reportFor({ x: [...lines, ...lines].join("\n") });
        // Records generated from the same fields serialise identically, so set size counts distinct records.
        expect(report.input.duplicates).toBe(2 * lines.length - distinct);
      }),
      seeded,
    );
  });
});
