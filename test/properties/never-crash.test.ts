// Whatever the input, attribute produces a report and a documented exit code: arbitrary bytes, arbitrary
// JSON, damaged logs, in every format and with every field policy (issue 4). In-process through main();
// a handful of runs go through the built CLI, where a crash would be a signal or a stack trace.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/report/report.js";
import { assertBuilt, DOCUMENTED_EXIT_CODES, runMain, spawnCli } from "../hostile/run-cli.js";
import { arbitraryBytes, arbitraryJsonRecordLine, damagedLog, seeded } from "./arbitraries.js";

const FORMATS = ["table", "json", "ndjson", "markdown"] as const;
const policies = fc.constantFrom<string[]>(
  [],
  ["--strict"],
  ["--allow-fields", "level,__proto__"],
  ["--max-line-bytes", "64"],
);

/** Runs main on stdin bytes in a format; checks the exit code and, for JSON, the counting law. */
async function runChecked(bytes: Buffer, format: (typeof FORMATS)[number], flags: readonly string[]) {
  const run = await runMain(["--format", format, ...flags], { stdin: bytes });
  expect(DOCUMENTED_EXIT_CODES).toContain(run.code);
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  if (run.code === 0) expect(run.stderr).toBe("");
  if (format === "json") {
    const { input, complete } = JSON.parse(run.stdout) as Report;
    expect(input.lines).toBe(input.valid + input.invalid + input.blank);
    // Only a gzip source can fail part-way on stdin.
    if (!complete) expect(bytes.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(run.code).toBe(complete ? 0 : 2);
  }
  return run;
}

describe("no input crashes the run or gives an undocumented exit code", () => {
  it("arbitrary bytes (sometimes behind a gzip magic), every format", async () => {
    await fc.assert(
      fc.asyncProperty(
        arbitraryBytes,
        fc.constantFrom(...FORMATS),
        policies,
        async (bytes, format, flags) => {
          await runChecked(bytes, format, flags);
        },
      ),
      seeded(401, 400),
    );
  });

  it("logs with invalid UTF-8 and stray bytes spliced in, every format and field policy", async () => {
    await fc.assert(
      fc.asyncProperty(damagedLog, fc.constantFrom(...FORMATS), policies, async (bytes, format, flags) => {
        await runChecked(bytes, format, flags);
      }),
      seeded(402, 300),
    );
  });

  it("arbitrary JSON: any value on a line, any value under the M1 keys; each line valid, a violation or blank", async () => {
    await fc.assert(
      fc.asyncProperty(
        // JSON text never holds a raw newline, so each item is exactly one line.
        fc.array(fc.oneof(fc.json({ maxDepth: 4 }), arbitraryJsonRecordLine), { maxLength: 25 }),
        policies,
        async (lines, flags) => {
          const run = await runChecked(Buffer.from(lines.map((line) => `${line}\n`).join("")), "json", flags);
          expect(run.code).toBe(0);
          const { input } = JSON.parse(run.stdout) as Report;
          expect(input.lines).toBe(lines.length);
        },
      ),
      seeded(403, 300),
    );
  });

  it("through the built CLI: arbitrary bytes end with a documented exit code, never a signal or a stack", () => {
    assertBuilt();
    fc.assert(
      fc.property(fc.oneof(arbitraryBytes, damagedLog), fc.constantFrom(...FORMATS), (bytes, format) => {
        const { status, signal, stderr } = spawnCli(["--format", format], { input: bytes });
        expect(signal).toBeNull();
        expect(DOCUMENTED_EXIT_CODES).toContain(status);
        expect(stderr).not.toMatch(/unexpected error|\n\s+at /);
      }),
      seeded(404, 8),
    );
  });
});
