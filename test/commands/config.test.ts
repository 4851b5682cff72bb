// attribute.config.json through the CLI (issue 5): read from the working directory (the built bin is
// spawned there), skipped with --no-config, named with --config; a bad key is exit 2 with the key path;
// per-function overrides change that function only; flags override the file. (test/config/ tests the
// schema and the resolution on values.)
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { assertBuilt, runCli, runJson, spawnCli, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("config");

function configFile(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof config === "string" ? config : JSON.stringify(config));
  return path;
}

// Two functions with the same numbers: 400 ms in all, 50 ms upstream, status 200. OK at slowMs 1000;
// slow at 300, and then APP_BOTTLENECK (50 ≤ 0.2 × 400).
const log = writeLines(dir, "two-functions.ndjson", [
  m1({ request_id: "r1", function: "checkout", latency_ms: 400, upstream_latency_ms: 50 }),
  m1({ request_id: "r1", function: "search", latency_ms: 400, upstream_latency_ms: 50 }),
]);

interface Report {
  thresholds: { slowMs: number; upstreamShare: number };
  overall: { verdict: string };
  functions: { function: string; verdict: string }[];
}

const verdicts = (report: Report): string[][] => report.functions.map((f) => [f.function, f.verdict]);

describe("attribute.config.json in the working directory (the built bin, spawned there)", () => {
  const cwd = join(dir, "project");
  beforeAll(() => {
    assertBuilt();
    mkdirSync(cwd);
    writeFileSync(join(cwd, "attribute.config.json"), JSON.stringify({ slowMs: 300, format: "json" }));
  });

  it("is read: its thresholds and its format are in effect", () => {
    const { code, stdout, stderr } = spawnCli([log], { cwd });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.thresholds).toStrictEqual({ slowMs: 300, upstreamShare: 0.2 });
    expect(verdicts(report)).toEqual([
      ["checkout", "APP_BOTTLENECK"],
      ["search", "APP_BOTTLENECK"],
    ]);
  });

  it("--no-config skips it: the defaults, and the table", () => {
    const { code, stdout } = spawnCli(["--no-config", log], { cwd });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Overall: OK — 2 units, no incidents\n/);
  });

  it("is read by every command: rules shows its thresholds", () => {
    const { code, stdout } = spawnCli(["rules", "--format", "json"], { cwd });
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as Report).thresholds).toStrictEqual({ slowMs: 300, upstreamShare: 0.2 });
  });

  it("a bad one in the working directory is exit 2 too, naming it and the key", () => {
    const bad = join(dir, "bad-project");
    mkdirSync(bad);
    writeFileSync(join(bad, "attribute.config.json"), JSON.stringify({ slowMs: -1 }));
    const { code, stdout, stderr } = spawnCli([log], { cwd: bad });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "attribute: attribute.config.json: slowMs: expected a number ≥ 0, got the number -1\n",
    );
  });
});

describe("--config FILE", () => {
  it("a bad key: exit 2, one line naming the file and the key path, nothing on stdout", async () => {
    const typo = configFile("typo.json", { slow_ms: 300 });
    const { code, stdout, stderr } = await runCli(["--config", typo, log]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      `attribute: ${typo}: unknown key "slow_ms": did you mean slowMs? (allowed: slowMs, upstreamShare, functions, allowFields, strict, format, failOn, maxInvalid, maxUnknown, map, preset)\n`,
    );
  });

  it("a bad value deep in the file: the key path names it", async () => {
    const nested = configFile("nested.json", { functions: { search: { slowMs: "300" } } });
    const a = await runCli(["--config", nested, log]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(
      `attribute: ${nested}: functions.search.slowMs: expected a number ≥ 0, got the string "300"\n`,
    );
    const listed = configFile("listed.json", { failOn: ["VENDOR", "NOPE"], maxUnknown: 2 });
    const b = await runCli(["--config", listed, log]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      `attribute: ${listed}: failOn[1]: expected a verdict: OK, UNKNOWN, VENDOR, APPLICATION, APP_BOTTLENECK, UNATTRIBUTED, got the string "NOPE" (and 1 more problem)\n`,
    );
  });

  it("a bad map rule or preset in the file: named by the file and the key, not as a flag", async () => {
    const map = configFile("bad-map.json", { map: ["status=res.statusCode", "latency_ms=took:h"] });
    const a = await runCli(["--config", map, log]);
    expect(a.code).toBe(2);
    expect(a.stdout).toBe("");
    expect(a.stderr).toBe(`attribute: ${map}: map[1]: unknown unit ":h"; expected :s or :ms\n`);
    const preset = configFile("bad-preset.json", { preset: "nginz" });
    const b = await runCli(["check", "--config", preset, log]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(
      `attribute: ${preset}: preset: expected one of envoy, nginx, pino, got the string "nginz"\n`,
    );
    // The same mistake as a flag is named as the flag.
    const flag = await runCli(["--no-config", "--map", "latency_ms=took:h", log]);
    expect(flag.stderr).toBe('attribute: --map "latency_ms=took:h": unknown unit ":h"; expected :s or :ms\n');
  });

  it("a missing file, or one that is not JSON: exit 2 naming it", async () => {
    const missing = join(dir, "missing.json");
    expect(await runCli(["--config", missing, log])).toStrictEqual({
      code: 2,
      stdout: "",
      stderr: `attribute: cannot read ${missing}: no such file\n`,
    });
    const js = configFile("code.json", "module.exports = { slowMs: 1 }");
    const notJson = await runCli(["--config", js, log]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(new RegExp(`^attribute: ${js}: not valid JSON: [^\\n]*\\n$`));
  });

  it("check and explain read it too", async () => {
    const strict = configFile("strict.json", { strict: true });
    const withLevel = writeLines(dir, "level.ndjson", [m1({ level: "info" })]);
    const check = await runCli(["check", "--config", strict, withLevel]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`${withLevel}:1: unknown field "level" (strict mode)\n`);
    const override = configFile("search-300.json", { functions: { search: { slowMs: 300 } } });
    const explain = await runCli(["explain", "--config", override, "r1", log]);
    expect(explain.stdout).toContain("function checkout (slowMs 1000, upstreamShare 0.2)\n");
    expect(explain.stdout).toContain("function search (slowMs 300, upstreamShare 0.2)\n");
    expect(explain.stdout).toMatch(
      /function checkout[^]*verdict: OK\n[^]*function search[^]*verdict: APP_BOTTLENECK\n$/,
    );
  });
});

describe("per-function overrides and flags over the file", () => {
  const override = configFile("override.json", {
    functions: { search: { slowMs: 300 } },
    failOn: ["APP_BOTTLENECK"],
  });

  it("a per-function slowMs changes that function's verdict only", async () => {
    const without = await runJson<Report>(["--no-config", log]);
    expect(verdicts(without.json)).toEqual([
      ["checkout", "OK"],
      ["search", "OK"],
    ]);
    const withOverride = await runCli(["--config", override, "--format", "ndjson", log]);
    expect(withOverride.stdout).toBe(
      [
        '{"request_id":"r1","function":"checkout","verdict":"OK","status":200,"upstream_status":200,"latency_ms":400,"upstream_latency_ms":50,"error_codes":[],"stages":["respond"]}',
        '{"request_id":"r1","function":"search","verdict":"APP_BOTTLENECK","status":200,"upstream_status":200,"latency_ms":400,"upstream_latency_ms":50,"error_codes":[],"stages":["respond"]}',
        "",
      ].join("\n"),
    );
    // The file's gate trips on search alone; the thresholds in the report are the global ones.
    expect(withOverride.code).toBe(1);
    expect(withOverride.stderr).toBe(
      "attribute: gate tripped: --fail-on APP_BOTTLENECK: overall verdict APP_BOTTLENECK; function verdicts: search APP_BOTTLENECK\n",
    );
    const report = await runJson<Report>(["--config", override, log]);
    expect(report.json.thresholds).toStrictEqual({ slowMs: 1000, upstreamShare: 0.2 });
    expect(verdicts(report.json)).toEqual([
      ["checkout", "OK"],
      ["search", "APP_BOTTLENECK"],
    ]);
  });

  it("--slow-ms overrides the file, its per-function slowMs included", async () => {
    const { code, stderr, json } = await runJson<Report>(["--config", override, "--slow-ms", "1000", log]);
    expect(verdicts(json)).toEqual([
      ["checkout", "OK"],
      ["search", "OK"],
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it("--format and --fail-on override the file's", async () => {
    const file = configFile("format-gates.json", { slowMs: 300, format: "json", failOn: ["APP_BOTTLENECK"] });
    const asFile = await runCli(["--config", file, log]);
    expect(asFile.code).toBe(1);
    expect(JSON.parse(asFile.stdout)).toMatchObject({ schema: "attribute.report/v1" });
    const flags = await runCli(["--config", file, "--format", "markdown", "--fail-on", "VENDOR", log]);
    expect(flags.code).toBe(0);
    expect(flags.stderr).toBe("");
    expect(flags.stdout).toMatch(/^## /);
    expect(flags.stdout).toContain("**Gates:** --fail-on VENDOR: none tripped.");
  });
});
