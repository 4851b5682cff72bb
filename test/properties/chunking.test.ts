// The report does not depend on how the input arrives (issue 4): however stdin is cut into chunks (a line
// break, a CRLF pair, a multi-byte character or the BOM split across chunks, chunks of one byte, empty
// chunks), and whether it is plain, gzip, or gzip in several members cut anywhere, the JSON report is the
// same, byte for byte. The line limit is varied too, so that over-long lines are cut across chunks.
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { runMain } from "../hostile/run-cli.js";
import { chunked, damagedLog, logText, seeded } from "./arbitraries.js";

const lineLimits = fc.constantFrom<string[]>(
  [],
  ["--max-line-bytes", "1"],
  ["--max-line-bytes", "40"],
  ["--max-line-bytes", "150"],
);

async function jsonReport(stdin: Buffer | Buffer[], flags: readonly string[]): Promise<string> {
  const run = await runMain(["--format", "json", ...flags], { stdin });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.stdout;
}

/** Plain logs and damaged ones (invalid UTF-8, stray CR, LF and NUL bytes). */
const logs = fc.oneof(logText, damagedLog);

describe("the same report however the input is cut into chunks", () => {
  it("plain input: any chunking gives the JSON of a single chunk", async () => {
    await fc.assert(
      fc.asyncProperty(
        logs.chain((bytes) => fc.tuple(fc.constant(bytes), chunked(bytes))),
        lineLimits,
        async ([bytes, chunks], flags) => {
          expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
          expect(await jsonReport(chunks, flags)).toBe(await jsonReport(bytes, flags));
        },
      ),
      seeded(501, 400),
    );
  });

  it("multi-byte characters, CRLF and the BOM split at every byte", async () => {
    const text = Buffer.from(
      `\ufeff{"request_id":"é𝄞👩‍💻","function":"ünïcode","stage":"s","status":502,"latency_ms":1,` +
        `"error_code":"E","upstream_status":503,"upstream_latency_ms":1}\r\n\r\n{"x":"€"}\r\n\u00e9\r`,
    );
    const whole = await jsonReport(text, []);
    for (let at = 0; at <= text.length; at++) {
      expect(await jsonReport([text.subarray(0, at), text.subarray(at)], []), `cut at byte ${at}`).toBe(
        whole,
      );
    }
    const bytes = Array.from({ length: text.length }, (_, i) => text.subarray(i, i + 1));
    expect(await jsonReport(bytes, [])).toBe(whole);
  });
});

describe("the same report for x and gzip(x)", () => {
  it("gzip(x), in one chunk or cut anywhere, gives the JSON of x", async () => {
    await fc.assert(
      fc.asyncProperty(
        logs.chain((bytes) => {
          const gz = gzipSync(bytes);
          return fc.tuple(fc.constant(bytes), fc.constant(gz), chunked(gz));
        }),
        lineLimits,
        async ([bytes, gz, chunks], flags) => {
          const plain = await jsonReport(bytes, flags);
          expect(await jsonReport(gz, flags)).toBe(plain);
          expect(await jsonReport(chunks, flags)).toBe(plain);
        },
      ),
      seeded(502, 300),
    );
  });

  it("x cut at arbitrary points into gzip members (rotation, `cat a.gz b.gz`) gives the JSON of x", async () => {
    await fc.assert(
      fc.asyncProperty(
        logs.chain((bytes) =>
          fc.tuple(
            fc.constant(bytes),
            fc.array(fc.nat({ max: bytes.length }), { minLength: 1, maxLength: 4 }),
          ),
        ),
        async ([bytes, cuts]) => {
          const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
          const members = points.slice(1).map((end, i) => gzipSync(bytes.subarray(points[i], end)));
          expect(await jsonReport(Buffer.concat(members), [])).toBe(await jsonReport(bytes, []));
        },
      ),
      seeded(503, 200),
    );
  });
});
