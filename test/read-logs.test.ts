// readLogs: several sources into one intake, counted as SPEC.md section 1 says; a failing source is recorded
// with the lines it gave, and the others are still read.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceSpec } from "../src/input/read-source.js";
import { DEFAULT_LIMITS } from "../src/m1/intake.js";
import { readLogs, type ReadOptions, type ReadResult } from "../src/read-logs.js";

const OPTIONS: ReadOptions = { policy: { strict: false, allowed: new Set() }, maxLineBytes: 1024 * 1024 };
const NO_STDIN = Readable.from([]);
const fixtures = fileURLToPath(new URL("fixtures/", import.meta.url));

/** One valid M1 line (SPEC.md section 1). */
function record(requestId: string): string {
  return JSON.stringify({
    request_id: requestId,
    function: "checkout",
    stage: "respond",
    status: 200,
    latency_ms: 12,
    error_code: null,
    upstream_status: 200,
    upstream_latency_ms: 8,
  });
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "attribute-read-logs-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a fixture named after its case into the temporary directory and returns it as a source. */
function fixture(name: string, bytes: Buffer | string): SourceSpec & { readonly path: string } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { kind: "file", path };
}

/** The counts SPEC.md section 1 defines, from a result's tally. */
function counts({ intake }: ReadResult): { lines: number; valid: number; invalid: number; blank: number } {
  const { lines, valid, invalid, blank } = intake.tally;
  return { lines, valid, invalid, blank };
}

describe("readLogs (SPEC 1)", () => {
  it("SPEC 1: a missing source is recorded with its reason and no lines; the others are still read", async () => {
    const first = fixture("first.ndjson", `${record("r1")}\n${record("r2")}\n`);
    const missing = join(dir, "missing.ndjson");
    const last = fixture("last.ndjson", `${record("r3")}\n`);

    const result = await readLogs([first, { kind: "file", path: missing }, last], NO_STDIN, OPTIONS);

    expect(result.complete).toBe(false);
    expect(result.sources.map(({ source, lines, error }) => ({ source, lines, error }))).toEqual([
      { source: first.path, lines: 2, error: null },
      { source: missing, lines: 0, error: expect.stringContaining(missing) as unknown },
      { source: last.path, lines: 1, error: null },
    ]);
    expect(counts(result)).toEqual({ lines: 3, valid: 3, invalid: 0, blank: 0 });
    expect(result.units.size).toBe(3);
  });

  it("SPEC 1: sources that all read to their end make a complete result", async () => {
    const text = `${record("r1")}\n`;
    const only = fixture("only.ndjson", text);
    const result = await readLogs([only], NO_STDIN, OPTIONS);
    expect(result.complete).toBe(true);
    expect(result.sources).toEqual([
      { source: only.path, lines: 1, bytes: Buffer.byteLength(text), error: null },
    ]);
  });

  it("SPEC 1: a truncated gzip after some good lines keeps those lines counted", async () => {
    const text = `${record("r1")}\n${record("r2")}\n`;
    const truncated = fixture("truncated.gz", gzipSync(text).subarray(0, -8));
    const result = await readLogs(
      [truncated, fixture("after.ndjson", `${record("r3")}\n`)],
      NO_STDIN,
      OPTIONS,
    );

    expect(result.complete).toBe(false);
    expect(result.sources[0]).toMatchObject({ source: truncated.path, lines: 2 });
    expect(result.sources[0]?.error).toContain(truncated.path);
    expect(result.sources[1]).toMatchObject({ lines: 1, error: null });
    expect(counts(result)).toEqual({ lines: 3, valid: 3, invalid: 0, blank: 0 });
  });

  it("SPEC 1: a corrupt gzip (good data, then garbage) keeps the lines before the damage counted", async () => {
    // The member itself is intact (as when a crash leaves a partial write after it): its lines count.
    const text = `${record("r1")}\n${record("r2")}\n`;
    const corrupt = fixture(
      "good-then-garbage.gz",
      Buffer.concat([gzipSync(text), Buffer.from("garbage\n")]),
    );
    const result = await readLogs([corrupt], NO_STDIN, OPTIONS);

    expect(result.complete).toBe(false);
    expect(result.sources[0]?.error).toContain(corrupt.path);
    expect(counts(result)).toEqual({ lines: 2, valid: 2, invalid: 0, blank: 0 });
  });

  it("SPEC 1: a gzip cut mid-line counts the whole lines before the cut, and lines = valid + invalid + blank", async () => {
    const text = Array.from({ length: 4000 }, (_, index) =>
      record(`r${index}-${randomBytes(8).toString("hex")}`),
    )
      .map((line) => `${line}\n`)
      .join("");
    const compressed = gzipSync(text);
    const cut = fixture("cut-mid-line.gz", compressed.subarray(0, compressed.length >> 1));
    const result = await readLogs([cut], NO_STDIN, OPTIONS);

    const { lines, valid, invalid, blank } = counts(result);
    expect(result.complete).toBe(false);
    expect(valid).toBeGreaterThan(1000);
    expect(invalid).toBeLessThanOrEqual(1); // at most the line the cut went through
    expect(lines).toBe(valid + invalid + blank);
    expect(result.sources[0]?.lines).toBe(lines);
  });

  it("SPEC 1: lines = valid + invalid + blank across sources, and violations name their source and line", async () => {
    const mixed = fixture(
      "mixed.ndjson",
      [record("r1"), "{not json", "null", "   ", record("r2"), "", '{"status":"500"}'].join("\n"),
    );
    const crlfBom = { kind: "file", path: join(fixtures, "crlf-bom.ndjson") } as const;
    const stdin: SourceSpec = { kind: "stdin" };
    const piped = Readable.from([gzipSync(`\n${record("r9")}\n[]\n`)]);

    const result = await readLogs([mixed, crlfBom, stdin], piped, OPTIONS);

    expect(result.complete).toBe(true);
    expect(result.sources.map(({ source, lines }) => ({ source, lines }))).toEqual([
      { source: mixed.path, lines: 7 },
      { source: crlfBom.path, lines: 3 },
      { source: "<stdin>", lines: 3 },
    ]);
    expect(counts(result)).toEqual({ lines: 13, valid: 5, invalid: 4, blank: 4 });
    expect(result.intake.tally.violations.map(({ source, line, kind }) => ({ source, line, kind }))).toEqual([
      { source: mixed.path, line: 2, kind: "not valid JSON" },
      { source: mixed.path, line: 3, kind: "not a JSON object" },
      { source: mixed.path, line: 7, kind: expect.any(String) as unknown },
      { source: "<stdin>", line: 3, kind: "not a JSON object" },
    ]);
  });

  it("SPEC 1 (violations may be capped): a source read in many blocks keeps its first violations only, once", async () => {
    // About 3.4 MB: the file is cut into 1 MiB blocks, each read with a sink of its own. A line in 40 is
    // invalid, so each block holds far more violations than the cap.
    const lines: string[] = [];
    for (let i = 1; i <= 24_000; i++) lines.push(i % 40 === 0 ? `{"broken":${i}` : record(`r${i}`));
    const big = fixture("blocks.ndjson", `${lines.join("\n")}\n`);
    const twice: SourceSpec[] = [big, big];
    const limits = { ...DEFAULT_LIMITS, violationsPerSource: 7 };

    const result = await readLogs(twice, NO_STDIN, { ...OPTIONS, limits, jobs: 1 });

    expect(result.intake.tally.invalid).toBe(2 * 600);
    // The same file named twice is two sources: each keeps its own first seven.
    const firstSeven = [40, 80, 120, 160, 200, 240, 280];
    expect(result.intake.tally.violations.map(({ source, line }) => ({ source, line }))).toEqual(
      [...firstSeven, ...firstSeven].map((line) => ({ source: big.path, line })),
    );
  });

  it("SPEC 1: an over-long line is one violation, and the next line of the same source is read", async () => {
    const source = fixture("over-long.ndjson", `${record("r1")}\n${"x".repeat(300)}\n${record("r2")}\n`);
    const result = await readLogs([source], NO_STDIN, { ...OPTIONS, maxLineBytes: 256 });

    expect(counts(result)).toEqual({ lines: 3, valid: 2, invalid: 1, blank: 0 });
    expect(result.intake.tally.violations).toMatchObject([
      {
        source: source.path,
        line: 2,
        kind: "line too long",
        reason: "line too long (300 bytes; the limit is 256)",
      },
    ]);
  });

  it("an interrupted run stops reading a gzip source and still reports what it read", async () => {
    const text = Array.from(
      { length: 20000 },
      (_, index) => `${record(`r${index}`)}${randomBytes(16).toString("hex")}\n`,
    );
    const big = fixture("interrupted.gz", gzipSync(text.join("")));
    const result = await readLogs([big, fixture("never-read.ndjson", `${record("r1")}\n`)], NO_STDIN, {
      ...OPTIONS,
      signal: AbortSignal.abort(),
    });

    expect(result.complete).toBe(false);
    expect(result.sources).toHaveLength(1);
    expect(result.sources[0]?.error).toMatch(/^interrupted while reading /);
    expect(result.sources[0]?.lines).toBe(result.intake.tally.lines);
  }, 10_000);
});
