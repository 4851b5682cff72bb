import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The conformance corpus (test/fixtures/conformance, copied from ../shared/conformance): the built CLI's
 * NDJSON and JSON must agree with results computed from SPEC.md by an independent implementation.
 */
const root = "test/fixtures/conformance";
const files = readdirSync(join(root, "cases"))
  .sort()
  .map((f) => join(root, "cases", f));

interface ExpectedUnit {
  request_id: string;
  function: string;
  verdict: string;
  status: number;
  upstream_status: number | string | null;
  latency_ms: number;
  upstream_latency_ms: number | null;
  error_codes: string[];
  stages: string[];
}
interface Expected {
  input: Record<string, unknown>;
  units: ExpectedUnit[];
  overall: Record<string, unknown>;
  functions: Record<string, Record<string, unknown> & { latencyMs: Record<string, number> }>;
}

function run(args: string[]): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, ["bin/attribute.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
  });
  return { status: result.status, stdout: result.stdout };
}

const close = (a: unknown, b: unknown): boolean =>
  a === b ||
  (typeof a === "number" &&
    typeof b === "number" &&
    Math.abs(a - b) <= 0.01 * Math.max(Math.abs(a), Math.abs(b)));

describe.each([
  ["default", []],
  ["slow500-share0.3", ["--slow-ms", "500", "--upstream-share", "0.3"]],
])("conformance corpus, thresholds %s", (name, extra) => {
  const expected = JSON.parse(readFileSync(join(root, "expected", `${name}.json`), "utf8")) as Expected;

  it("every unit agrees (NDJSON), sorted by function then request_id", () => {
    const { status, stdout } = run(["--format", "ndjson", ...extra, ...files]);
    expect(status).toBe(0);
    const got = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as ExpectedUnit);
    const order = got.map((u) => [u.function, u.request_id] as const);
    const sorted = [...order].sort((a, b) =>
      a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
    );
    expect(order).toEqual(sorted);
    const byKey = new Map(got.map((u) => [`${u.function}\u0000${u.request_id}`, u]));
    expect(byKey.size).toBe(expected.units.length);
    for (const want of expected.units) {
      const unit = byKey.get(`${want.function}\u0000${want.request_id}`);
      expect(unit, `${want.function}/${want.request_id}`).toBeDefined();
      if (unit === undefined) continue;
      for (const k of [
        "verdict",
        "status",
        "upstream_status",
        "latency_ms",
        "upstream_latency_ms",
      ] as const) {
        expect(
          close(unit[k], want[k]),
          `${want.function}/${want.request_id} ${k}: ${String(unit[k])} vs ${String(want[k])}`,
        ).toBe(true);
      }
      expect([...unit.error_codes].sort()).toEqual(want.error_codes);
      expect([...unit.stages].sort()).toEqual(want.stages);
    }
  });

  it("every count agrees (JSON), and the report does not depend on the order of files", () => {
    const { status, stdout } = run(["--format", "json", ...extra, ...files]);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as {
      input: Record<string, unknown>;
      overall: Record<string, unknown>;
      functions: (Record<string, unknown> & { function: string; latencyMs: Record<string, number> })[];
      stopRule: string;
    };
    for (const k of ["lines", "valid", "invalid", "blank", "duplicates", "unknownFields"]) {
      expect(report.input[k], `input.${k}`).toEqual(expected.input[k]);
    }
    for (const k of ["units", "incidents", "verdict", "verdicts"])
      expect(report.overall[k], `overall.${k}`).toEqual(expected.overall[k]);
    const fns = new Map(report.functions.map((f) => [f.function, f]));
    for (const [fn, want] of Object.entries(expected.functions)) {
      const got = fns.get(fn);
      expect(got, fn).toBeDefined();
      for (const k of ["units", "incidents", "verdict", "verdicts"])
        expect(got?.[k], `${fn}.${k}`).toEqual(want[k]);
      for (const [p, v] of Object.entries(want.latencyMs))
        expect(close(got?.latencyMs[p], v), `${fn} ${p}`).toBe(true);
    }
    expect(report.stopRule).toBe(
      "Stop rule: no data rewrite, schema change, or semantic patch without a replay plan and rollback.",
    );
    expect(run(["--format", "json", ...extra, ...[...files].reverse()]).stdout).toBe(stdout);
  });
});
