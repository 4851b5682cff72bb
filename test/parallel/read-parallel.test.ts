import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import type { SourceSpec } from "../../src/input/read-source.js";
import { Intake } from "../../src/m1/intake.js";
import { linesScannedInWasm, scanModule, useScanModule } from "../../src/m1/wasm-scan.js";
import { WorkerPool } from "../../src/parallel/worker-pool.js";
import { readLogs, type ReadOptions } from "../../src/read-logs.js";
import { renderJson, renderNdjson } from "../../src/report/render-json.js";
import { buildReport, classifyUnits } from "../../src/report/build-report.js";
import { unitRows } from "../../src/report/unit-rows.js";
import { m1 } from "../helpers.js";

// Worker threads run the built dist/parallel/worker.js (Node cannot start a .ts worker): build first,
// as `npm test` does.
const thresholds = { slowMs: 1000, upstreamShare: 0.2 };
const base: ReadOptions = { policy: { strict: false, allowed: new Set() }, maxLineBytes: 4096 };

/**
 * A request id: short, or a UUID in lower case (the unit table packs those: packed-uuid.ts) or in upper
 * case (it does not).
 */
function requestId(n: number): string {
  const uuid = `5eed0000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
  return [`r${n}`, uuid, uuid.toUpperCase()][n % 3] as string;
}

/** The id with its first character escaped (`r1` as `\u00721`): only the general path reads it. */
function escapeFirst(id: string): string {
  return `\\u00${id.charCodeAt(0).toString(16)}${id.slice(1)}`;
}

/** A log with everything that can go wrong, in an order that spreads each unit over the input. */
function hostileLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    const id = requestId((i * 7919) % 600);
    lines.push(
      m1({
        request_id: id,
        function: ["checkout", "search", "__proto__"][i % 3],
        status: [200, 503, 422][i % 3],
        stage: `s${i % 4}`,
        upstream_status: [200, 503, null, "timeout"][i % 4],
        latency_ms: (i * 37) % 3000,
        ts: 1764000000000 + i,
      }),
    );
    if (i % 97 === 0) lines.push("not json");
    if (i % 89 === 0) lines.push("");
    if (i % 101 === 0)
      lines.push(
        `{"request_id":"${requestId(i % 600)}","request_id":"x\\u0041","function":"checkout","stage":"a","status":500,"latency_ms":1,"error_code":null,"upstream_status":503,"upstream_latency_ms":1}`,
      );
    if (i % 103 === 0)
      lines.push(
        `{"ts":"2026-11-25T10:00:00Z","request_id":"${escapeFirst(requestId(i % 600))}","function":"search","stage":"b","status":504,"latency_ms":2000,"error_code":"E","upstream_status":"timeout","upstream_latency_ms":null}`,
      );
    if (i % 211 === 0) lines.push("y".repeat(5000));
    if (i % 50 === 0) lines.push(lines[lines.length - 1] as string);
  }
  return `\ufeff${lines.join("\r\n")}`;
}

/** Runs `body` on `contents` written to a file in a new temporary directory, removed after. */
async function withFile<T>(
  name: string,
  contents: string | Buffer,
  body: (path: string) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "attribute-parallel-"));
  const path = join(dir, name);
  writeFileSync(path, contents);
  try {
    return await body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function reportWith(
  jobs: number,
  text: string,
  chunk = 777,
  path?: string,
): Promise<{ json: string; ndjson: string; threads: number; handedOff: number }> {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunk) pieces.push(bytes.subarray(at, at + chunk));
  const specs: SourceSpec[] = [path === undefined ? { kind: "stdin" } : { kind: "file", path }];
  const read = await readLogs(specs, Readable.from(pieces), { ...base, jobs, parallelAfterBytes: 20_000 });
  const units = read.units;
  return {
    threads: read.threads,
    handedOff: read.intake.tally.handedOff,
    json: renderJson(buildReport(read, { thresholds })),
    ndjson: [...renderNdjson(unitRows(units, classifyUnits(units, { thresholds })))].join(""),
  };
}

describe("parallel reading gives the same report as one thread (--jobs)", () => {
  it("is built (dist/parallel/worker-start.js and worker.js), as npm test does first", () => {
    expect(existsSync("dist/parallel/worker-start.js")).toBe(true);
    expect(existsSync("dist/parallel/worker.js")).toBe(true);
  });

  it.each([2, 3])(
    "--jobs %i on stdin (the main thread owns no units, beside that many workers): byte-identical JSON and NDJSON, violations located alike",
    async (jobs) => {
      const text = hostileLog();
      const one = await reportWith(1, text);
      const many = await reportWith(jobs, text);
      expect(JSON.parse(one.json).input.invalid).toBeGreaterThan(30);
      expect([one.threads, many.threads]).toEqual([1, jobs + 1]);
      expect(many.json).toBe(one.json);
      expect(many.ndjson).toBe(one.ndjson);
    },
  );

  it("reads a file alike with the WebAssembly scanner and without it, on one thread and on two", async () => {
    // With, at the end, a record over the length limit (4096 here) in the shape of the line before it,
    // which is of the same unit (so of the same thread): read by its shape, it would be taken.
    const long = (note: string) => m1({ request_id: "r-long", status: 503, note });
    const text = `${hostileLog()}\r\n${long("short")}\r\n${long("n".repeat(5000))}\r\n${long("short")}`;
    const module = scanModule();
    expect(module, "the scanner is built (npm run build)").not.toBeNull();
    await withFile("hostile.ndjson", text, async (path) => {
      const before = linesScannedInWasm();
      const wasm = [await reportWith(1, text, 777, path), await reportWith(2, text, 777, path)];
      // This thread's lines went through it (the workers' are theirs to count)...
      expect(linesScannedInWasm() - before).toBeGreaterThan(3000);
      // ... as many in batches (walk-block.ts) with \r\n between lines as with \n.
      await withFile("lf.ndjson", text.replaceAll("\r\n", "\n"), async (lfPath) => {
        const batched = linesScannedInWasm(true);
        await reportWith(2, text, 777, path);
        const crlf = linesScannedInWasm(true) - batched;
        expect(crlf).toBeGreaterThan(1000);
        await reportWith(2, text, 777, lfPath);
        expect(linesScannedInWasm(true) - batched - crlf).toBe(crlf);
      });
      useScanModule(null);
      try {
        const counted = linesScannedInWasm();
        const js = [await reportWith(1, text, 777, path), await reportWith(2, text, 777, path)];
        expect(linesScannedInWasm()).toBe(counted);
        for (const [k, report] of js.entries()) {
          expect(wasm[k]?.json).toBe(report.json);
          expect(wasm[k]?.ndjson).toBe(report.ndjson);
        }
      } finally {
        useScanModule(module);
      }
    });
  });

  it.each([2, 3])(
    "--jobs %i on a file (the main thread owns a share of units): byte-identical JSON and NDJSON, violations located alike",
    async (jobs) => {
      const text = hostileLog();
      await withFile("hostile.ndjson", text, async (path) => {
        const one = await reportWith(1, text, 777, path);
        const many = await reportWith(jobs, text, 777, path);
        expect(JSON.parse(one.json).input.invalid).toBeGreaterThan(30);
        expect([one.threads, many.threads]).toEqual([1, jobs]);
        expect(many.json).toBe(one.json);
        expect(many.ndjson).toBe(one.ndjson);
      });
    },
  );

  it("--jobs 2 on a .gz file (the main thread owns no units, beside two workers): byte-identical", async () => {
    const text = hostileLog();
    const dir = mkdtempSync(join(tmpdir(), "attribute-hostile-gz-"));
    const path = join(dir, "hostile.ndjson.gz");
    writeFileSync(path, gzipSync(text));
    try {
      const one = await reportWith(1, text, 777, path);
      const many = await reportWith(2, text, 777, path);
      expect([one.threads, many.threads]).toEqual([1, 3]);
      expect(many.json).toBe(one.json);
      expect(many.ndjson).toBe(one.ndjson);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("workers hand the lines only zod can decide to the main thread (worker.ts)", () => {
  /** `lines` records, every other one a violation only zod words (or, one in ten, a valid record it must judge). */
  function undecidedLog(lines: number): { text: string; undecided: number } {
    const out: string[] = [];
    let undecided = 0;
    for (let i = 0; i < lines; i++) {
      const fields = { request_id: requestId((i * 7919) % 900), stage: `s${i % 5}`, latency_ms: i % 2000 };
      if (i % 2 === 0) {
        out.push(m1(fields));
        continue;
      }
      undecided++;
      const kind = i % 10;
      if (kind === 1) out.push(m1({ ...fields, status: "500" }));
      else if (kind === 3) out.push(m1({ ...fields, latency_ms: -1 }));
      else if (kind === 5) out.push(m1({ ...fields, upstream_status: 999 }));
      else if (kind === 7) out.push(JSON.stringify({ request_id: fields.request_id, function: "f" }));
      else out.push(m1({ ...fields, ts: "2026-11-26T10:00:00+99:00" }));
    }
    return { text: `${out.join("\n")}\n`, undecided };
  }

  it.each([2, 3])(
    "--jobs %i on a file: byte-identical reports, violations listed alike; a worker hands off at most 1024 + 1 in 256 lines, then words the rest itself",
    async (jobs) => {
      const lines = 8000;
      const { text, undecided } = undecidedLog(lines);
      await withFile("undecided.ndjson", text, async (path) => {
        const one = await reportWith(1, text, 777, path);
        const many = await reportWith(jobs, text, 777, path);
        expect(JSON.parse(one.json).input.invalid).toBeGreaterThan(3000);
        expect(many.threads).toBe(jobs);
        expect(many.json).toBe(one.json);
        expect(many.ndjson).toBe(one.ndjson);
        expect(one.handedOff).toBe(0);
        // Handed off, but not all: past its budget each worker loaded zod and decided its own.
        expect(many.handedOff).toBeGreaterThan(0);
        expect(many.handedOff).toBeLessThanOrEqual((jobs - 1) * (1024 + lines / 256 + 1));
        expect(many.handedOff).toBeLessThan(undecided);
      });
    },
  );

  it("on stdin the main thread reads no lines of its own, so the workers decide theirs: byte-identical", async () => {
    const { text } = undecidedLog(8000);
    const one = await reportWith(1, text);
    const many = await reportWith(2, text);
    expect(many.threads).toBe(3);
    expect(many.json).toBe(one.json);
    expect(many.handedOff).toBe(0);
  });

  it("a fault while the main thread reads them fails the run, as a worker's own would", async () => {
    const { text } = undecidedLog(8000);
    const readUndecided = vi.spyOn(Intake.prototype, "readUndecided").mockImplementation(() => {
      throw new Error("injected fault");
    });
    try {
      await withFile("undecided.ndjson", text, async (path) => {
        const specs: SourceSpec[] = [{ kind: "file", path }];
        const run = readLogs(specs, Readable.from([]), { ...base, jobs: 2, parallelAfterBytes: 0 });
        await expect(run).rejects.toThrow("injected fault");
      });
      expect(readUndecided).toHaveBeenCalled();
    } finally {
      readUndecided.mockRestore();
    }
  });
});

describe("the main thread indexes each block's lines for the workers", () => {
  it("a block with more lines than the index holds is split by the workers themselves, alike", async () => {
    // Lines of one or two bytes: a block of them holds more than INDEXED_LINES (65,536) lines.
    const short = Array.from({ length: 150_000 }, (_, i) => (i % 3 === 0 ? "" : i % 3 === 1 ? "x" : "{}"));
    const records = Array.from({ length: 300 }, (_, i) => m1({ request_id: `r${i % 97}`, latency_ms: i }));
    const text = [...records, ...short, ...records.reverse()].join("\n");
    // From a file, read in pieces of 1 MiB: one block holds all the short lines.
    const dir = mkdtempSync(join(tmpdir(), "attribute-index-"));
    const path = join(dir, "short.ndjson");
    writeFileSync(path, text);
    let one, two;
    try {
      one = await reportWith(1, text, 1 << 20, path);
      two = await reportWith(2, text, 1 << 20, path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(two.threads).toBe(2);
    expect(JSON.parse(one.json).input).toMatchObject({ lines: 150_600, blank: 50_000, invalid: 100_000 });
    expect(two.json).toBe(one.json);
    expect(two.ndjson).toBe(one.ndjson);
  });
});

describe("a file's pieces are read straight into the workers' shared memory (WorkerPool.readTarget)", () => {
  it("lines across pieces and slots, a line longer than a slot and over-long lines read alike", async () => {
    // Several MiB: many 1 MiB pieces and 2 MiB slots, lines cut by both. A valid line of 2.5 MiB (an
    // unknown field) is carried over more than one piece, past what a slot holds, so its piece is read
    // into the reader's own buffer and copied; lines over 4 KiB (with the first options) are skipped as
    // they arrive, in the middle of a slot being filled.
    const huge = m1({ request_id: "r7", note: "z".repeat(2.5 * 1024 * 1024) });
    const text = [hostileLog(), hostileLog(), huge, hostileLog(), huge, ...Array(6).fill(hostileLog())].join(
      "\n",
    );
    const dir = mkdtempSync(join(tmpdir(), "attribute-direct-"));
    const path = join(dir, "direct.ndjson");
    writeFileSync(path, text);
    const readTarget = vi.spyOn(WorkerPool.prototype, "readTarget");
    const walkNext = vi.spyOn(WorkerPool.prototype, "walkNext");
    try {
      for (const maxLineBytes of [4096, 3 * 1024 * 1024]) {
        const read = async (jobs: number): Promise<string> => {
          const specs: SourceSpec[] = [{ kind: "file", path }];
          const result = await readLogs(specs, Readable.from([]), {
            ...base,
            maxLineBytes,
            jobs,
            parallelAfterBytes: 0,
          });
          expect(result.threads).toBe(jobs);
          return renderJson(buildReport(result, { thresholds }));
        };
        const one = await read(1);
        readTarget.mockClear();
        walkNext.mockClear();
        expect(await read(2)).toBe(one);
        // The main thread read its own lines of blocks while pieces were being read.

        const targets = await Promise.all(
          readTarget.mock.results.map((r) => r.value as Promise<Buffer | null>),
        );
        // Most pieces went in place; the ones after the 2.5 MiB line (carried past a slot) did not.
        expect(targets.filter((t) => t !== null).length).toBeGreaterThan(4);
        // While each of those pieces was read, the main thread went to read its own lines of a block.
        expect(walkNext.mock.calls.length).toBeGreaterThanOrEqual(targets.filter((t) => t !== null).length);
        if (maxLineBytes > 4096) expect(targets.filter((t) => t === null).length).toBeGreaterThan(0);
        expect(JSON.parse(one).input.invalid).toBeGreaterThan(100);
      }
    } finally {
      readTarget.mockRestore();
      walkNext.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("when the workers start", () => {
  it("a file known to be large goes to them from its first line; stdin only past the threshold", async () => {
    const text = hostileLog();
    const dir = mkdtempSync(join(tmpdir(), "attribute-start-"));
    const path = join(dir, "large.ndjson");
    writeFileSync(path, text);
    const handOver = vi.spyOn(WorkerPool.prototype, "handOver");
    try {
      // The file's size (about 700 kB) is past the threshold of 20,000 bytes: nothing is read here first.
      const fromFile = await reportWith(2, text, 777, path);
      expect(fromFile.threads).toBe(2);
      expect(handOver).not.toHaveBeenCalled();
      // Standard input has no size: its first 20,000 bytes are read here, then handed over.
      const fromStdin = await reportWith(2, text);
      expect(fromStdin.threads).toBe(3);
      expect(handOver).toHaveBeenCalledTimes(1);
      expect(fromFile.json.replaceAll(JSON.stringify(path), JSON.stringify("<stdin>"))).toBe(fromStdin.json);
    } finally {
      handOver.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
