// The progress line through the CLI (issue 5): on stderr, only when stderr is a terminal and CI is not set,
// only once reading has taken about a second, and erased at the end. The three cases run at once: each
// reads an input that takes about 1.5 s to arrive.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { sourceSpecs, totalBytes } from "../../src/cli/input-flags.js";
import { formatProgress, PROGRESS_CLEAR } from "../../src/progress/progress-line.js";
import { readLogs, type ReadProgress } from "../../src/read-logs.js";
import { m1 } from "../helpers.js";
import { runCli, sample, slowReadable, tempDir, type FakeIo } from "./cli-harness.js";

const chunks = Array.from({ length: 5 }, (_, c) =>
  Array.from({ length: 40 }, (_, i) => `${m1({ request_id: `r${c}-${i}` })}\n`).join(""),
);

async function slowRun(fake: FakeIo): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(["--format", "json"], { stdin: slowReadable(chunks, 300), ...fake });
}

describe.concurrent("the progress line", () => {
  it("stderr a terminal, CI unset, reading past a second: a progress line, erased at the end", async () => {
    const { code, stdout, stderr } = await slowRun({ stderrIsTTY: true, env: {} });
    expect(code).toBe(0);
    // Redrawn in place (`\r…\x1b[K`), with bytes, lines and the rate; stdin has no share done.
    const redraws = stderr.match(/\r(read [^\r\u001b]*)\u001b\[K/g) ?? [];
    expect(redraws.length).toBeGreaterThan(0);
    for (const line of redraws) {
      expect(line).toMatch(/^\rread \d+(\.\d)? kB, \d+ lines, \d+ lines\/s\u001b\[K$/);
    }
    expect(stderr.endsWith(PROGRESS_CLEAR)).toBe(true);
    // stdout carries only the report.
    expect(JSON.parse(stdout)).toMatchObject({ input: { lines: 200, valid: 200 } });
  });

  it("CI=true: no progress line", async () => {
    const { code, stderr } = await slowRun({ stderrIsTTY: true, env: { CI: "true" } });
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("stderr not a terminal: no progress line", async () => {
    const { code, stderr } = await slowRun({ stderrIsTTY: false, env: {} });
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });

  it("a quick run on a terminal stays silent", async () => {
    const { code, stderr } = await runCli(["--format", "json"], {
      stdin: chunks.join(""),
      stderrIsTTY: true,
      env: {},
    });
    expect(code).toBe(0);
    expect(stderr).toBe("");
  });
});

describe("the share done of the progress line", () => {
  const dir = tempDir("progress");
  const text = readFileSync(sample("quiet-night.ndjson"));

  // The share is bytes read / the files' sizes (totalBytes, what the CLI gives formatProgress): both must
  // count the bytes as stored. For gzip that is the compressed bytes, or the share reaches 100% early.
  it.each([
    { kind: "a plain file", name: "quiet.ndjson", bytes: text },
    { kind: "a .gz file", name: "quiet.ndjson.gz", bytes: gzipSync(text) },
  ])("$kind: the bytes read end at the files' sizes, and are half of it after one of two", async (c) => {
    const path = join(dir, c.name);
    writeFileSync(path, c.bytes);
    const specs = sourceSpecs([path, path]);
    const seen: ReadProgress[] = [];
    await readLogs(specs, Readable.from([]), {
      policy: { strict: false, allowed: new Set() },
      maxLineBytes: 1024 * 1024,
      jobs: 1,
      onProgress: (p) => seen.push({ ...p }),
    });
    const total = await totalBytes(specs);
    expect(total).toBe(2 * c.bytes.length);
    expect(seen[seen.length - 1]!.bytes).toBe(total);
    const first = seen.find((p) => p.lines === 1340)!;
    expect(first.bytes).toBe(c.bytes.length);
    expect(formatProgress({ ...first, elapsedMs: 0, totalBytes: total! })).toMatch(/, 50%$/);
  });
});
