// Ctrl-C while reading (issue 4): the built bin reads from a pipe that stays open (as `kubectl logs -f |`
// would), gets SIGINT after some lines, prints the report of what it read marked INCOMPLETE, and exits
// 130. Spawned, since the signal handler is the process adapter's (src/cli.ts).
import { spawn } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { assertBuilt, bin, cleanEnv, root } from "./cli-harness.js";

beforeAll(assertBuilt);

/** Time for the child to start and read what was written; its start takes about 0.2 s on an idle machine. */
const SETTLE_MS = 1000;

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Spawns the bin, writes `text` to its stdin and keeps the pipe open, then sends SIGINT. */
function interrupt(args: readonly string[], text: string): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: cleanEnv() });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.write(text, () => setTimeout(() => child.kill("SIGINT"), SETTLE_MS));
  });
}

const vendor = { status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" };
const text = ["a", "b", "c"].map((id) => `${m1({ request_id: id, ...vendor })}\n`).join("");

describe.concurrent("SIGINT while reading from a pipe that stays open", () => {
  it("table: exit 130, the report of the lines read, marked INCOMPLETE", async () => {
    const { code, signal, stdout, stderr } = await interrupt([], text);
    expect(signal).toBeNull();
    expect(code).toBe(130);
    expect(stderr).toBe("attribute: interrupted while reading <stdin>\n");
    expect(stdout).toMatch(
      /^INCOMPLETE: interrupted while reading <stdin> \(3 lines read\)\nOverall: VENDOR — likely vendor \/ backbone issue \(100% of 3 incidents in 3 units\)\n/,
    );
    expect(stdout).toContain("\nInput: 3 lines: 3 valid, 0 invalid, 0 blank; 0 duplicates (counted once)\n");
    expect(stdout).toMatch(/Stop rule: [^\n]+\n$/);
  });

  it("json: complete false, the source's error and lines", async () => {
    const { code, stdout } = await interrupt(["--format", "json"], text);
    expect(code).toBe(130);
    const report = JSON.parse(stdout) as { complete: boolean; sources: unknown; input: object };
    expect(report.complete).toBe(false);
    expect(report.sources).toStrictEqual([
      { source: "<stdin>", lines: 3, error: "interrupted while reading <stdin>" },
    ]);
    expect(report.input).toMatchObject({ lines: 3, valid: 3, invalid: 0, blank: 0 });
  });
});
