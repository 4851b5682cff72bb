// End to end: the built CLI as a user runs it (`node bin/attribute.js`, with NO_COLOR=1 and TZ=UTC), on the
// bundled samples and on small fixtures written here. Whole reports are compared byte for byte with the
// golden files in test/golden/.
//
// These tests run the BUILT CLI in dist/: `npm test` builds first; when running vitest alone, run
// `npm run build` before (a check below says so when dist/ is missing or older than src/).
//
// After a deliberate change to a report, rewrite the golden files and review the diff before committing:
//   npm run build && UPDATE_GOLDEN=1 npx vitest run test/e2e.test.ts && git diff test/golden
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "bin", "attribute.js");
const goldenDir = join(root, "test", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const SAMPLES = readdirSync(join(root, "samples"))
  .filter((name) => name.endsWith(".ndjson"))
  .sort();
const FORMATS = ["table", "json", "markdown"] as const;

/** The smallest environment a user's shell would give: no colour variables unless a test sets them. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", TZ: "UTC", NO_COLOR: "1", ...extra };
}

interface Result {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs `node bin/attribute.js ...args`, piped, with NO_COLOR=1 and TZ=UTC unless `env` says otherwise. */
function cli(
  args: readonly string[],
  options: { input?: Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Result {
  const result: SpawnSyncReturns<Buffer> = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    env: options.env ?? cleanEnv(),
    input: options.input ?? Buffer.alloc(0),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const entry = join(root, "dist", "cli.js");
  if (!existsSync(entry))
    throw new Error("dist/cli.js is missing: run `npm run build` first (`npm test` does).");
  if (newestMtime(join(root, "src")) > statSync(entry).mtimeMs) {
    throw new Error("dist/ is older than src/: run `npm run build` first (`npm test` does).");
  }
});

const work = mkdtempSync(join(tmpdir(), "attribute-e2e-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("golden reports of the samples", () => {
  it("covers every sample", () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(5);
  });

  for (const sample of SAMPLES) {
    for (const format of FORMATS) {
      const name = `${sample.replace(/\.ndjson$/, "")}.${format}`;
      it(`${sample} --format ${format} matches test/golden/${name}`, () => {
        const { status, stdout, stderr } = cli([`samples/${sample}`, "--format", format]);
        expect(stderr).toBe("");
        expect(status).toBe(0);
        const golden = join(goldenDir, name);
        if (UPDATE) {
          mkdirSync(goldenDir, { recursive: true });
          writeFileSync(golden, stdout);
          return;
        }
        if (!existsSync(golden)) {
          throw new Error(`test/golden/${name} is missing: create it with UPDATE_GOLDEN=1 and review it`);
        }
        // Compared as text for a readable diff, and as bytes so that nothing hides in the encoding.
        expect(stdout.toString("utf8")).toBe(readFileSync(golden, "utf8"));
        expect(stdout.equals(readFileSync(golden))).toBe(true);
      });
    }
  }

  it("the golden reports carry no colour and end with a newline", () => {
    for (const sample of SAMPLES) {
      for (const format of FORMATS) {
        const text = readFileSync(join(goldenDir, `${sample.replace(/\.ndjson$/, "")}.${format}`), "utf8");
        expect(text).not.toContain("\u001b");
        expect(text.endsWith("\n")).toBe(true);
      }
    }
  });
});

describe("input", () => {
  it("a .gz file gives the same JSON as the plain file (told by its bytes, not its name)", () => {
    // The same name in two folders, so that the reports can be compared byte for byte.
    const plainDir = join(work, "plain");
    const gzDir = join(work, "gz");
    mkdirSync(plainDir);
    mkdirSync(gzDir);
    copyFileSync(join(root, "samples", "vendor-outage.ndjson"), join(plainDir, "export.log"));
    copyFileSync(join(root, "samples", "vendor-outage.ndjson.gz"), join(gzDir, "export.log"));
    const plain = cli(["export.log", "--format", "json"], { cwd: plainDir });
    const gz = cli(["export.log", "--format", "json"], { cwd: gzDir });
    expect(gz.status).toBe(0);
    expect(gz.stderr).toBe("");
    expect(gz.stdout.toString()).toBe(plain.stdout.toString());
  });

  it("the bundled .gz sample gives the same JSON as its plain file, but for the source name", () => {
    const plain = cli(["samples/vendor-outage.ndjson", "--format", "json"]);
    const gz = cli(["samples/vendor-outage.ndjson.gz", "--format", "json"]);
    expect(gz.status).toBe(0);
    expect(
      gz.stdout.toString().replace("samples/vendor-outage.ndjson.gz", "samples/vendor-outage.ndjson"),
    ).toBe(plain.stdout.toString());
  });

  it("reads a piped log on stdin, plain or gzip, with no file argument and with -", () => {
    const fromFile = JSON.parse(
      cli(["samples/app-bug-after-deploy.ndjson", "--format", "json"]).stdout.toString(),
    );
    const log = readFileSync(join(root, "samples", "app-bug-after-deploy.ndjson"));
    for (const [args, input] of [
      [["--format", "json"], log],
      [["-", "--format", "json"], log],
      [["--format", "json"], gzipSync(log)],
    ] as const) {
      const piped = cli(args, { input });
      expect(piped.status).toBe(0);
      expect(piped.stderr).toBe("");
      const report = JSON.parse(piped.stdout.toString());
      expect(report.sources).toStrictEqual([{ source: "<stdin>", lines: fromFile.input.lines, error: null }]);
      expect({ ...report, sources: fromFile.sources }).toStrictEqual(fromFile);
    }
  });

  it("the table from stdin is the golden table, but for the source line", () => {
    const piped = cli([], { input: readFileSync(join(root, "samples", "quiet-night.ndjson")) });
    expect(piped.status).toBe(0);
    const golden = readFileSync(join(goldenDir, "quiet-night.table"), "utf8");
    expect(piped.stdout.toString()).toBe(golden.replace("from samples/quiet-night.ndjson", "from <stdin>"));
  });

  it("a missing file: one line on stderr, no stack, exit 2, and the rest reported as INCOMPLETE", () => {
    const { status, stdout, stderr } = cli(["samples/no-such.ndjson", "samples/quiet-night.ndjson"]);
    expect(status).toBe(2);
    expect(stderr).toBe("attribute: cannot read samples/no-such.ndjson: no such file\n");
    expect(stdout.toString()).toMatch(
      /^INCOMPLETE: cannot read samples\/no-such.ndjson: no such file \(0 lines read\)/,
    );
    expect(stdout.toString()).toContain("Overall: OK");
  });

  it("a bad flag: a message on stderr, nothing on stdout, exit 2", () => {
    const { status, stdout, stderr } = cli(["--format", "xml", "samples/quiet-night.ndjson"]);
    expect(status).toBe(2);
    expect(stdout.length).toBe(0);
    expect(stderr).toContain("'xml' is invalid");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

describe("memory: fingerprints of long requests go to scratch space", () => {
  /** Seven requests of 900 distinct records each, every record logged twice. */
  function longRequests(): string {
    const lines: string[] = [];
    for (let i = 0; i < 6300; i++) {
      const line = JSON.stringify({
        request_id: `r${i % 7}`,
        function: "checkout",
        stage: `s${i % 900}`,
        status: 200 + (i % 4) * 100,
        latency_ms: i % 1300,
        error_code: null,
        upstream_status: 503,
        upstream_latency_ms: 9,
      });
      lines.push(line, line);
    }
    return `${lines.join("\n")}\n`;
  }

  it.each([
    ["one thread", ["--jobs", "1"], {}],
    ["two workers", ["--jobs", "2"], { ATTRIBUTE_PARALLEL_AFTER_BYTES: "0" }],
  ])("%s: the same report as in memory, and no file left in TMPDIR", (_, flags, env) => {
    const log = join(work, "long-requests.ndjson");
    writeFileSync(log, longRequests());
    const scratch = mkdtempSync(join(tmpdir(), "attribute-e2e-scratch-"));
    const inMemory = cli([log, ...flags, "--format", "json"], { env: cleanEnv(env) });
    const spilled = cli([log, ...flags, "--format", "json"], {
      env: cleanEnv({ ...env, ATTRIBUTE_PRINTS_IN_MEMORY: "0", TMPDIR: scratch }),
    });
    expect(spilled.stderr).toBe("");
    expect(spilled.status).toBe(0);
    expect(spilled.stdout.toString()).toBe(inMemory.stdout.toString());
    expect(JSON.parse(spilled.stdout.toString()).input.duplicates).toBe(6300);
    expect(readdirSync(scratch)).toEqual([]);
    rmSync(scratch, { recursive: true });
  });
});

describe("output", () => {
  it("`attribute … --format ndjson | head -1` ends with status 0 and nothing on stderr (EPIPE)", () => {
    // The shell reports head's status; attribute's own is written to a file beside it.
    const statusFile = join(work, "epipe-status");
    const script = `{ "$NODE" "$BIN" samples/app-bottleneck.ndjson --format ndjson; echo $? > "$STATUS"; } | head -1`;
    const result = spawnSync("sh", ["-c", script], {
      cwd: root,
      env: cleanEnv({ NODE: process.execPath, BIN: bin, STATUS: statusFile }),
    });
    expect(result.stderr.toString()).toBe("");
    expect(result.status).toBe(0);
    expect(readFileSync(statusFile, "utf8").trim()).toBe("0");
    const line = result.stdout.toString();
    expect(line.split("\n")).toHaveLength(2);
    expect(JSON.parse(line)).toMatchObject({ function: expect.any(String), verdict: expect.any(String) });
  });

  it("`| head -1` ends quietly for the table, JSON and Markdown too", () => {
    for (const format of FORMATS) {
      const statusFile = join(work, `head-status-${format}`);
      const script = `{ "$NODE" "$BIN" samples/app-bottleneck.ndjson samples/vendor-outage.ndjson --format ${format}; echo $? > "$STATUS"; } | head -1`;
      const result = spawnSync("sh", ["-c", script], {
        cwd: root,
        env: cleanEnv({ NODE: process.execPath, BIN: bin, STATUS: statusFile }),
      });
      expect(result.stderr.toString()).toBe("");
      expect(readFileSync(statusFile, "utf8").trim()).toBe("0");
    }
  });

  it("NO_COLOR=1 and a pipe produce no ESC byte; FORCE_COLOR=1 produces colour", () => {
    const args = ["samples/vendor-outage.ndjson"];
    expect(cli(args).stdout.includes(0x1b)).toBe(false);
    const piped = cli(args, { env: { PATH: process.env.PATH, TZ: "UTC" } });
    expect(piped.stdout.includes(0x1b)).toBe(false);
    const forced = cli(args, { env: { PATH: process.env.PATH, TZ: "UTC", FORCE_COLOR: "1" } });
    expect(forced.status).toBe(0);
    expect(forced.stdout.toString()).toMatch(/\u001b\[[0-9;]+mVENDOR\u001b\[0m/);
    // Colour aside, it is the same report.
    expect(forced.stdout.toString().replace(/\u001b\[[0-9;]*m/g, "")).toBe(cli(args).stdout.toString());
    const both = cli(args, { env: cleanEnv({ FORCE_COLOR: "1" }) });
    expect(both.stdout.includes(0x1b)).toBe(false);
    expect(
      cli(["--no-color", ...args], { env: { PATH: process.env.PATH, FORCE_COLOR: "1" } }).stdout.includes(
        0x1b,
      ),
    ).toBe(false);
  });

  it("--output writes the report to the file and nothing to stdout", () => {
    const target = join(work, "report.md");
    const { status, stdout, stderr } = cli(["samples/evidence-gap.ndjson", "-f", "markdown", "-o", target]);
    expect(status).toBe(0);
    expect(stdout.length).toBe(0);
    expect(stderr).toBe("");
    expect(readFileSync(target, "utf8")).toBe(readFileSync(join(goldenDir, "evidence-gap.markdown"), "utf8"));
  });
});

describe("hostile log content never reaches the terminal raw", () => {
  const names = [
    "\u001b]8;;http://x\u0007link\u001b]8;;\u0007",
    "\u001b[2J\u001b[H",
    "\u001b]0;owned\u0007",
    "evil\u202egnp.exe",
    "c1\u009b31m",
    "a|b<script>x</script>\n::error::forged",
  ];
  const lines = names.flatMap((fn, i) => [
    JSON.stringify({
      request_id: `r${i}\u001b[5m`,
      function: fn,
      stage: "s\u0007",
      status: 502,
      latency_ms: 10,
      error_code: "E\u001b[31m",
      upstream_status: i % 2 === 0 ? 503 : null,
      upstream_latency_ms: 5,
      [`field${fn}`]: 1,
    }),
    `{"request_id":"bad","function":"${JSON.stringify(fn).slice(1, -1)}","status":"5\\u001b[0m"}`,
  ]);
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  for (const format of ["table", "markdown"] as const) {
    it(`--format ${format}: no raw ESC, BEL, C1 or bidi control on stdout or stderr`, () => {
      const path = join(work, `hostile-${format}.ndjson`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      for (const env of [cleanEnv(), { PATH: process.env.PATH, TZ: "UTC", FORCE_COLOR: "1" }]) {
        const { status, stdout, stderr } = cli([path, "--format", format], { env });
        expect(status).toBe(0);
        expect(stderr).not.toMatch(RAW);
        // With FORCE_COLOR the table's own colour codes are the only escape sequences.
        const text = stdout.toString("utf8").replace(/\u001b\[[0-9;]*m(?=[A-Z_]+\u001b\[0m)|\u001b\[0m/g, "");
        expect(text).not.toMatch(RAW);
        expect(text).toContain(format === "table" ? "\\x1b]8;;http://x\\x07link" : "\\\\x1b\\]8;;http\\://x");
        if (format === "markdown") {
          for (const line of text.split("\n")) expect(line.startsWith("::")).toBe(false);
          expect(text).not.toContain("<script>");
        }
      }
    });
  }

  it("a hostile file name is escaped on stderr too", () => {
    const { status, stderr } = cli(["missing\u001b[2J.ndjson", "samples/quiet-night.ndjson"]);
    expect(status).toBe(2);
    expect(stderr).toBe("attribute: cannot read missing\\x1b[2J.ndjson: no such file\n");
  });
});
