// The CLI in-process, through `main(argv, io)` with a fake io (STYLE.md: most CLI cases run this way; a few
// in test/e2e.test.ts spawn the built bin). Covers flags and their errors, input from files and stdin, the
// exit codes of issue 2 (0 report produced, 2 could not run or could not read all of the input), --output,
// the field policy flags and the thresholds of SPEC.md section 3.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import type { Io } from "../src/io.js";
import { main } from "../src/main.js";
import type { Report } from "../src/report/report.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

interface FakeOptions {
  /** What stdin holds; by default nothing. */
  readonly stdin?: string;
  readonly stdinIsTTY?: boolean;
  readonly stdoutIsTTY?: boolean;
  readonly env?: Record<string, string>;
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether anything asked stdin for data. */
  readonly stdinRead: boolean;
}

/** Runs the CLI in-process with a fake io: stdout and stderr collect writes, env is empty unless given. */
async function run(argv: readonly string[], options: FakeOptions = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  let stdinRead = false;
  const pending = options.stdin === undefined ? [] : [Buffer.from(options.stdin)];
  const stdin = new Readable({
    read() {
      stdinRead = true;
      this.push(pending.shift() ?? null);
    },
  });
  const io: Io = {
    stdin: options.stdinIsTTY === undefined ? stdin : Object.assign(stdin, { isTTY: options.stdinIsTTY }),
    stdout: {
      isTTY: options.stdoutIsTTY,
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
      once: () => undefined,
      removeListener: () => undefined,
    },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, stdinRead };
}

async function runJson(argv: readonly string[], options: FakeOptions = {}): Promise<Report & Run> {
  const result = await run(["--format", "json", ...argv], options);
  return { ...result, ...(JSON.parse(result.stdout) as Report) };
}

/** One M1 line; the defaults make an OK record. */
function m1(fields: Record<string, unknown>): string {
  return JSON.stringify({
    request_id: "r1",
    function: "checkout",
    stage: "handler",
    status: 200,
    latency_ms: 10,
    error_code: null,
    upstream_status: 200,
    upstream_latency_ms: 5,
    ...fields,
  });
}

const dir = mkdtempSync(join(tmpdir(), "attribute-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A log file in the test's folder. */
function logFile(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const VENDOR_LOG = [
  m1({ request_id: "v1", status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" }),
  m1({ request_id: "v2", status: 504, upstream_status: "timeout", error_code: "UPSTREAM_TIMEOUT" }),
  m1({ request_id: "ok1" }),
];

describe("help and version", () => {
  it("--help prints usage with examples for the three uses and exits 0", async () => {
    const { code, stdout, stderr } = await run(["--help"]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toContain("Usage: attribute [options] [command] [files...]");
    for (const option of [
      "--format",
      "--output",
      "--slow-ms",
      "--upstream-share",
      "--strict",
      "--allow-fields",
    ])
      expect(stdout).toContain(option);
    // Piping a log export, a nightly CI report, triage at a terminal (issue 2).
    expect(stdout).toMatch(/Pipe a log export[^\n]*\n(\s+attribute[^\n]*\n)+/);
    expect(stdout).toContain("| attribute");
    expect(stdout).toMatch(/Nightly CI report[^\n]*\n(\s+attribute[^\n]*\n)+/);
    expect(stdout).toContain("--format markdown");
    expect(stdout).toMatch(/Triage at a terminal[^\n]*\n(\s+attribute[^\n]*\n)+/);
    expect(stdout).toMatch(/Exit codes: 0 /);
  });

  it("-h is --help", async () => {
    expect(await run(["-h"])).toStrictEqual(await run(["--help"]));
  });

  it("--version prints package.json's version and exits 0", async () => {
    const { code, stdout, stderr, stdinRead } = await run(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toBe(`${pkg.version}\n`);
    expect(stderr).toBe("");
    expect(stdinRead).toBe(false);
    expect((await run(["-V"])).stdout).toBe(`${pkg.version}\n`);
  });
});

describe("bad flags exit 2 with a message on stderr and nothing on stdout", () => {
  it.each([
    [["--bogus"], /unknown option '--bogus'/],
    [["--slow-ms", "abc"], /--slow-ms.*'abc' is invalid.*number ≥ 0/],
    [["--slow-ms", "-1"], /--slow-ms.*'-1' is invalid/],
    [["--slow-ms", "Infinity"], /--slow-ms.*'Infinity' is invalid/],
    [["--slow-ms", ""], /--slow-ms.*'' is invalid/],
    [["--upstream-share", "2"], /--upstream-share.*'2' is invalid.*from 0 to 1/],
    [["--upstream-share", "abc"], /--upstream-share.*'abc' is invalid/],
    [["--format", "xml"], /--format.*'xml' is invalid.*table, json, ndjson, markdown/],
    [["--max-line-bytes", "0"], /--max-line-bytes.*'0' is invalid/],
    [["--max-line-bytes", "1.5"], /--max-line-bytes.*'1.5' is invalid/],
    [["--output"], /argument missing/],
  ])("%j", async (argv, message) => {
    const { code, stdout, stderr, stdinRead } = await run(argv, { stdin: VENDOR_LOG.join("\n") });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr).toContain("--help");
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdinRead).toBe(false);
  });
});

describe("input", () => {
  it("with no file and a terminal on stdin, prints usage to stderr and exits 2 without reading", async () => {
    const { code, stdout, stderr, stdinRead } = await run([], {
      stdinIsTTY: true,
      stdin: VENDOR_LOG.join("\n"),
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^attribute: no input/);
    expect(stderr).toContain("attribute logs.ndjson");
    expect(stderr).toContain("| attribute");
    expect(stdinRead).toBe(false);
  });

  it("with no file and a pipe on stdin, reads stdin", async () => {
    const report = await runJson([], { stdinIsTTY: false, stdin: VENDOR_LOG.join("\n") });
    expect(report.code).toBe(0);
    expect(report.sources).toStrictEqual([{ source: "<stdin>", lines: 3, error: null }]);
    expect(report.overall).toMatchObject({ units: 3, incidents: 2, verdict: "VENDOR" });
  });

  it("- reads stdin, even when stdin is a terminal, and mixes with files", async () => {
    const file = logFile("mixed.ndjson", [m1({ request_id: "f1", function: "search" })]);
    const report = await runJson(["-", file], { stdinIsTTY: true, stdin: VENDOR_LOG.join("\n") });
    expect(report.code).toBe(0);
    expect(report.stderr).toBe("");
    expect(report.stdinRead).toBe(true);
    expect(report.sources.map((s) => s.source).sort()).toStrictEqual([file, "<stdin>"].sort());
    expect(report.functions.map((f) => [f.function, f.units])).toStrictEqual([
      ["checkout", 3],
      ["search", 1],
    ]);
  });

  it("a missing file: one line naming it on stderr, exit 2, and the other file still reported as INCOMPLETE", async () => {
    const good = logFile("good.ndjson", VENDOR_LOG);
    const missing = join(dir, "no-such-file.ndjson");
    const { code, stdout, stderr } = await run([missing, good]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${missing}: no such file\n`);
    expect(stdout).toContain(`INCOMPLETE: cannot read ${missing}: no such file (0 lines read)`);
    expect(stdout).toMatch(/Overall: VENDOR/);
    expect(stdout).toContain("3 lines: 3 valid");

    const report = await runJson([good, missing]);
    expect(report.code).toBe(2);
    expect(report.stderr).toBe(`attribute: cannot read ${missing}: no such file\n`);
    expect(report.complete).toBe(false);
    expect(report.input.valid).toBe(3);
    expect(report.overall.verdict).toBe("VENDOR");
    expect(report.sources).toContainEqual({
      source: missing,
      lines: 0,
      error: `cannot read ${missing}: no such file`,
    });
    expect(report.sources).toContainEqual({ source: good, lines: 3, error: null });

    const markdown = await run(["--format", "markdown", missing, good]);
    expect(markdown.code).toBe(2);
    expect(markdown.stdout).toContain("INCOMPLETE");
  });

  it("a directory: one line naming it, exit 2, no stack", async () => {
    const { code, stderr } = await run([dir]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${dir}: it is a directory\n`);
  });

  it("a file name with control characters is escaped on stderr, as in the report", async () => {
    const hostile = join(dir, "x\u001b[2J\u001b]8;;http://x\u0007y.ndjson");
    const good = logFile("good-too.ndjson", VENDOR_LOG);
    const { code, stdout, stderr } = await run([hostile, good]);
    expect(code).toBe(2);
    expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(stderr).toBe(
      `attribute: cannot read ${join(dir, "x\\x1b[2J\\x1b]8;;http://x\\x07y.ndjson")}: no such file\n`,
    );
    expect(stdout).not.toContain("\u001b");
    const output = await run(["--output", join(dir, "no\u001b[31m", "r.txt"), good]);
    expect(output.code).toBe(2);
    expect(output.stderr).not.toContain("\u001b");
    expect(output.stderr).toContain("no\\x1b[31m");
  });

  it("a complete run says nothing on stderr and is complete", async () => {
    const report = await runJson([logFile("complete.ndjson", VENDOR_LOG)]);
    expect(report.code).toBe(0);
    expect(report.stderr).toBe("");
    expect(report.complete).toBe(true);
    expect((await run([logFile("complete2.ndjson", VENDOR_LOG)])).stdout).not.toContain("INCOMPLETE");
  });
});

describe("--output", () => {
  it("writes the report to the file and nothing to stdout", async () => {
    const input = logFile("out-input.ndjson", VENDOR_LOG);
    const target = join(dir, "report.json");
    const { code, stdout, stderr } = await run(["--format", "json", "--output", target, input]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toBe("");
    const written = readFileSync(target, "utf8");
    expect(written).toBe((await run(["--format", "json", input])).stdout);
    expect((JSON.parse(written) as Report).overall.verdict).toBe("VENDOR");
    // No temporary file is left beside it.
    expect(readdirSync(dir).filter((name) => name.includes("report.json"))).toStrictEqual(["report.json"]);
  });

  it("replaces an existing file, and -o is --output", async () => {
    const input = logFile("out-input2.ndjson", VENDOR_LOG);
    const target = join(dir, "report.md");
    writeFileSync(target, "old contents, much longer than the report would ever be ".repeat(200));
    const { code, stdout } = await run(["-f", "markdown", "-o", target, input]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(readFileSync(target, "utf8")).toBe((await run(["-f", "markdown", input])).stdout);
  });

  it("into a folder that does not exist exits 2 with one line and writes nothing", async () => {
    const input = logFile("out-input3.ndjson", VENDOR_LOG);
    const target = join(dir, "missing-folder", "report.json");
    const { code, stdout, stderr } = await run(["--output", target, input]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`attribute: cannot write ${target}: its folder does not exist\n`);
    expect(existsSync(join(dir, "missing-folder"))).toBe(false);
  });

  it("never colours the file, even when stdout is a terminal", async () => {
    const input = logFile("out-input4.ndjson", VENDOR_LOG);
    const target = join(dir, "report.txt");
    const { code } = await run(["--output", target, input], { stdoutIsTTY: true });
    expect(code).toBe(0);
    expect(readFileSync(target, "utf8")).not.toContain("\u001b");
    expect(readFileSync(target, "utf8")).toContain("Overall: VENDOR");
  });
});

describe("unknown fields (SPEC.md section 1)", () => {
  const LOG = [
    m1({ request_id: "a", level: "info", msg: "hello", version: "1.2.3" }),
    m1({ request_id: "b", level: "warn", msg: "hi" }),
  ].join("\n");

  it("are counted by name and do not make a record invalid by default", async () => {
    const report = await runJson([], { stdin: LOG });
    expect(report.code).toBe(0);
    expect(report.input).toMatchObject({ valid: 2, invalid: 0 });
    expect(report.input.unknownFields).toStrictEqual({ level: 2, msg: 2, version: 1 });
  });

  it("--strict makes them violations naming the fields", async () => {
    const report = await runJson(["--strict"], { stdin: LOG });
    expect(report.code).toBe(0);
    expect(report.input).toMatchObject({ lines: 2, valid: 0, invalid: 2 });
    expect(report.overall.units).toBe(0);
    expect(report.input.violations).toHaveLength(2);
    for (const v of report.input.violations) {
      expect(v.source).toBe("<stdin>");
      expect(v.reason).toContain('"level"');
      expect(v.reason).toContain('"msg"');
      expect(v.reason).toContain("strict");
    }
    expect(report.input.violations[0]?.reason).toContain('"version"');
  });

  it("--allow-fields level,msg silences those names, and only those", async () => {
    const report = await runJson(["--allow-fields", "level,msg"], { stdin: LOG });
    expect(report.input.unknownFields).toStrictEqual({ version: 1 });
    const strict = await runJson(["--strict", "--allow-fields", "level, msg", "--allow-fields", "version"], {
      stdin: LOG,
    });
    expect(strict.input).toMatchObject({ valid: 2, invalid: 0 });
    expect(strict.input.unknownFields).toStrictEqual({});
  });
});

describe("thresholds (SPEC.md section 3)", () => {
  // status 200, 600 ms in all, 100 ms of it upstream: OK at the default slowMs 1000.
  const LOG = m1({ request_id: "t", latency_ms: 600, upstream_status: 200, upstream_latency_ms: 100 });
  const verdict = async (argv: readonly string[]): Promise<[string | undefined, Report["thresholds"]]> => {
    const report = await runJson(argv, { stdin: LOG });
    expect(report.code).toBe(0);
    return [report.functions[0]?.verdict, report.thresholds];
  };

  it("the defaults are slowMs 1000 and upstreamShare 0.2, and they are in the JSON", async () => {
    expect(await verdict([])).toStrictEqual(["OK", { slowMs: 1000, upstreamShare: 0.2 }]);
  });

  it("--slow-ms makes a unit slow at that latency (slow = L ≥ slowMs), and it is in the JSON", async () => {
    // Rule 5: slow, and 100 ≤ 0.2 × 600.
    expect(await verdict(["--slow-ms", "500"])).toStrictEqual([
      "APP_BOTTLENECK",
      { slowMs: 500, upstreamShare: 0.2 },
    ]);
    // The boundary is inclusive.
    expect((await verdict(["--slow-ms", "600"]))[0]).toBe("APP_BOTTLENECK");
    expect((await verdict(["--slow-ms", "600.5"]))[0]).toBe("OK");
    expect((await verdict(["--slow-ms", "1e3"]))[1]).toStrictEqual({ slowMs: 1000, upstreamShare: 0.2 });
  });

  it("--upstream-share moves the APP_BOTTLENECK line (UL ≤ upstreamShare × L), and it is in the JSON", async () => {
    // 100 > 0.1 × 600: rule 5 does not hold, rule 6 gives UNATTRIBUTED.
    expect(await verdict(["--slow-ms", "500", "--upstream-share", "0.1"])).toStrictEqual([
      "UNATTRIBUTED",
      { slowMs: 500, upstreamShare: 0.1 },
    ]);
    expect((await verdict(["--slow-ms", "500", "--upstream-share", "0.5"]))[0]).toBe("APP_BOTTLENECK");
    expect((await verdict(["--slow-ms", "0", "--upstream-share", "0"]))[0]).toBe("UNATTRIBUTED");
  });

  it("--upstream-share is inclusive at the boundary", async () => {
    // 0.25 × 600 = 150 exactly (no rounding in binary floating point).
    const at = (ul: number): string =>
      m1({ request_id: "b", latency_ms: 600, upstream_status: 200, upstream_latency_ms: ul });
    const argv = ["--slow-ms", "600", "--upstream-share", "0.25"];
    expect((await runJson(argv, { stdin: at(150) })).functions[0]?.verdict).toBe("APP_BOTTLENECK");
    expect((await runJson(argv, { stdin: at(150.5) })).functions[0]?.verdict).toBe("UNATTRIBUTED");
  });

  it("the thresholds change the overall verdict too, and the table shows it", async () => {
    const { stdout } = await run(["--slow-ms", "500"], { stdin: LOG });
    expect(stdout).toContain("Overall: APP_BOTTLENECK");
  });

  it("a 5xx with no upstream_status is UNKNOWN whatever the thresholds (rule 2 before the others)", async () => {
    const log = m1({ status: 503, upstream_status: null, upstream_latency_ms: null, latency_ms: 5000 });
    for (const argv of [[], ["--slow-ms", "0"], ["--upstream-share", "1"]]) {
      const report = await runJson(argv, { stdin: log });
      expect(report.functions[0]?.verdict).toBe("UNKNOWN");
    }
  });
});

describe("colour (issue 2: only on a terminal; NO_COLOR, FORCE_COLOR and --no-color respected)", () => {
  const LOG = VENDOR_LOG.join("\n");
  const ESC = "\u001b";

  it.each([
    ["a terminal", { stdoutIsTTY: true }, [], true],
    ["a pipe", { stdoutIsTTY: false }, [], false],
    ["a terminal with NO_COLOR=1", { stdoutIsTTY: true, env: { NO_COLOR: "1" } }, [], false],
    ["a terminal with --no-color", { stdoutIsTTY: true }, ["--no-color"], false],
    ["a terminal with TERM=dumb", { stdoutIsTTY: true, env: { TERM: "dumb" } }, [], false],
    ["a pipe with FORCE_COLOR=1", { stdoutIsTTY: false, env: { FORCE_COLOR: "1" } }, [], true],
    ["a terminal with FORCE_COLOR=0", { stdoutIsTTY: true, env: { FORCE_COLOR: "0" } }, [], false],
    ["FORCE_COLOR=1 and NO_COLOR=1", { env: { FORCE_COLOR: "1", NO_COLOR: "1" } }, [], false],
    ["FORCE_COLOR=1 and --no-color", { env: { FORCE_COLOR: "1" } }, ["--no-color"], false],
  ] as const)("on %s: colour %s", async (_name, options, argv, coloured) => {
    const { code, stdout } = await run([...argv], { ...options, stdin: LOG });
    expect(code).toBe(0);
    if (coloured) expect(stdout).toMatch(/\u001b\[[0-9;]+mVENDOR\u001b\[0m/);
    else expect(stdout).not.toContain(ESC);
  });

  it("the machine formats never carry colour, even on a terminal with FORCE_COLOR", async () => {
    for (const format of ["json", "ndjson", "markdown"]) {
      const { stdout } = await run(["--format", format], {
        stdoutIsTTY: true,
        env: { FORCE_COLOR: "1" },
        stdin: LOG,
      });
      expect(stdout).not.toContain(ESC);
    }
  });
});

describe("stdout going away (`attribute … | head`)", () => {
  it("main still resolves when stdout is destroyed in the middle of a long report", async () => {
    // 2000 units of NDJSON: several pieces, each larger than the stream's buffer.
    const log = Array.from({ length: 2000 }, (_, i) => m1({ request_id: `r${String(i).padStart(5, "0")}` }));
    let received = 0;
    const stdout: Writable = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        // The reader takes the first piece and leaves, as `head -1` does.
        setTimeout(() => {
          callback();
          stdout.destroy(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
        }, 1);
      },
    });
    stdout.on("error", () => undefined);
    let stderr = "";
    const io: Io = {
      stdin: Readable.from([Buffer.from(log.join("\n"))]),
      stdout,
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    };
    const timeout = new Promise<string>((resolve) =>
      setTimeout(() => resolve("still waiting"), 5000).unref(),
    );
    expect(await Promise.race([main(["--format", "ndjson"], io), timeout])).toBe(0);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(log.length * 150);
    expect(stderr).toBe("");
  });
});
