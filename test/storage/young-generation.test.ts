// The CLI keeps V8's young generation at its first size (storage/young-generation.ts). Making a worker's
// isolate raises the process's growth factor back to 2, so the pool sets it again when a worker starts;
// these runs check both halves of that in a fresh process, whose heap no test has grown.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";

const module = pathToFileURL("dist/storage/young-generation.js").href;

/**
 * The young generation's size (bytes) before and after making garbage that partly survives. Kept small,
 * it ends at its first size, twice what is committed at the start (Node 20: 1 → 2 MiB); let grow, it
 * reaches V8's largest (32 MiB).
 */
function youngGeneration(steps: string): { before: number; after: number } {
  const script = `
    import { Worker } from "node:worker_threads";
    import { getHeapSpaceStatistics } from "node:v8";
    import { keepYoungGenerationSmall, keepYoungGenerationSmallAgain } from ${JSON.stringify(module)};
    const size = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
    const startWorker = async () => {
      const worker = new Worker("require('node:worker_threads').parentPort.postMessage(0)", {
        eval: true,
        execArgv: [],
      });
      await new Promise((resolve) => worker.once("message", resolve));
      await worker.terminate();
    };
    ${steps}
    const before = size();
    let kept = [];
    for (let i = 0; i < 4e6; i++) {
      kept.push({ i, list: [i] });
      if (kept.length > 20000) kept = [];
    }
    console.log(JSON.stringify({ before, after: size() }));
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as { before: number; after: number };
}

// Newer V8 versions hold the factor to at least 2 in its flag's definition, so there it changes nothing.
describe.runIf(process.versions.node.startsWith("20."))("the young generation (Node 20's V8)", () => {
  it("grows with garbage that survives, by default (the premise)", () => {
    const { before, after } = youngGeneration("");
    expect(after).toBeGreaterThanOrEqual(8 * before);
  });

  it("stays at its size once kept small", () => {
    const { before, after } = youngGeneration("keepYoungGenerationSmall();");
    expect(after).toBeLessThanOrEqual(2 * before);
  });

  it("grows again after a worker starts, unless set again then (keepYoungGenerationSmallAgain)", () => {
    const undone = youngGeneration("keepYoungGenerationSmall(); await startWorker();");
    expect(undone.after).toBeGreaterThanOrEqual(8 * undone.before);
    const again = youngGeneration(
      "keepYoungGenerationSmall(); await startWorker(); keepYoungGenerationSmallAgain();",
    );
    expect(again.after).toBeLessThanOrEqual(2 * again.before);
  });

  it("is not set again where it was never set (a library user, the test runner)", () => {
    const { before, after } = youngGeneration("await startWorker(); keepYoungGenerationSmallAgain();");
    expect(after).toBeGreaterThanOrEqual(8 * before);
  });

  it("the CLI, with a worker reading beside its main thread, keeps the main thread's small", () => {
    // 18 MB: before the pool set it again, the main thread's grew to 8–16 MiB on this much. It stays at
    // the size loading the CLI's modules left it, before the CLI set its growth (4 MiB).
    const dir = mkdtempSync(join(tmpdir(), "attribute-young-"));
    try {
      const log = join(dir, "log.ndjson");
      const lines: string[] = [];
      for (let i = 0; i < 80_000; i++)
        lines.push(
          m1({ request_id: `req-${i % 30_000}-${"x".repeat(150)}`, stage: `s${i % 7}`, latency_ms: i % 999 }),
        );
      writeFileSync(log, `${lines.join("\n")}\n`);
      const probe = join(dir, "probe.mjs");
      writeFileSync(
        probe,
        `import { getHeapSpaceStatistics } from "node:v8";
        import { isMainThread } from "node:worker_threads";
        if (isMainThread) {
          let largest = 0;
          const look = () => {
            const size = getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
            largest = Math.max(largest, size);
          };
          setInterval(look, 2).unref();
          process.on("exit", () => { look(); process.stderr.write(String(largest)); });
        }`,
      );
      const result = spawnSync(
        process.execPath,
        ["--import", pathToFileURL(probe).href, "bin/attribute.js", "--jobs", "2", "--format", "json", log],
        { encoding: "utf8", env: { ...process.env, ATTRIBUTE_PARALLEL_AFTER_BYTES: "0" } },
      );
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).input.lines).toBe(80_000);
      expect(Number(result.stderr)).toBeLessThanOrEqual(4 * 1024 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
