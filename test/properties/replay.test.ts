// Replayability under hostile input (SPEC.md sections 2 and 5, issue 4): x followed by x gives the verdicts
// of x; shuffling valid lines, or the order of files (whatever they hold), changes no byte of the JSON
// report. Through main(), with files on disk for the file-order law.
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/report.js";
import { runJson, runMain } from "../hostile/run-cli.js";
import { anyLine, logText, seeded, validHostileLine, validLine } from "./arbitraries.js";

const dir = mkdtempSync(join(tmpdir(), "attribute-properties-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a verdict depends on: the overall summary and every function's, with its evidence. */
function verdicts(report: Report) {
  return { overall: report.overall, functions: report.functions, timeSpan: report.timeSpan };
}

describe("x followed by x gives the verdicts of x", () => {
  it("on stdin: x + x (x ending with a newline)", async () => {
    await fc.assert(
      fc.asyncProperty(logText, async (bytes) => {
        const x =
          bytes.length === 0 || bytes[bytes.length - 1] === 0x0a
            ? bytes
            : Buffer.concat([bytes, Buffer.from("\n")]);
        const once = await runJson([], { stdin: x });
        const twice = await runJson([], { stdin: Buffer.concat([x, x]) });
        expect(verdicts(twice.report)).toStrictEqual(verdicts(once.report));
        expect(twice.report.input.lines).toBe(2 * once.report.input.lines);
        // A BOM is ignored only at the start of a source: the second copy's makes its line a violation.
        if (x.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))) return;
        expect(twice.report.input.invalid).toBe(2 * once.report.input.invalid);
        // Every valid record of the second copy repeats one of the first.
        expect(twice.report.input.duplicates).toBe(once.report.input.duplicates + once.report.input.valid);
      }),
      seeded(601, 250),
    );
  });

  it("the same file given twice", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyLine, { maxLength: 20 }), async (lines) => {
        const path = join(dir, "twice.ndjson");
        writeFileSync(path, lines.join("\n"));
        const once = await runJson([path]);
        const twice = await runJson([path, path]);
        expect(verdicts(twice.report)).toStrictEqual(verdicts(once.report));
      }),
      seeded(602, 150),
    );
  });
});

describe("order changes no byte of the JSON report", () => {
  it("shuffling valid lines, hostile strings and unknown keys included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(fc.oneof(validLine, validHostileLine), { maxLength: 30 })
          .chain((lines) =>
            fc.tuple(fc.constant(lines), fc.shuffledSubarray(lines, { minLength: lines.length })),
          ),
        async ([lines, shuffled]) => {
          const a = await runMain(["--format", "json"], { stdin: lines.join("\n") });
          const b = await runMain(["--format", "json"], { stdin: shuffled.join("\n") });
          // The lines are valid (else a violation's line number would move with them).
          expect((JSON.parse(a.stdout) as Report).input.invalid).toBe(0);
          expect(b.stdout).toBe(a.stdout);
        },
      ),
      seeded(603, 300),
    );
  });

  it("shuffling files, whatever they hold (violations, hostile content, CRLF, no final newline)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(logText, { minLength: 2, maxLength: 4 })
          .chain((contents) =>
            fc.tuple(
              fc.constant(contents),
              fc.shuffledSubarray([...contents.keys()], { minLength: contents.length }),
            ),
          ),
        async ([contents, order]) => {
          const paths = contents.map((bytes, i) => {
            const path = join(dir, `file-${i}.ndjson`);
            writeFileSync(path, bytes);
            return path;
          });
          const a = await runMain(["--format", "json", ...paths]);
          const b = await runMain(["--format", "json", ...order.map((i) => paths[i] as string)]);
          expect(b.code).toBe(a.code);
          expect(b.stdout).toBe(a.stdout);
        },
      ),
      seeded(604, 200),
    );
  });
});
