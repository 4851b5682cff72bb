// `attribute check` through the CLI (issue 5): schema validation only, for the CI of services that emit M1
// logs. Each violation as `source:line: reason` (the first --listed, then "… and M more"), a summary by
// reason, unknown fields; --strict; --format json (attribute.check/v1). Exit 0 clean, 1 violations, 2 could
// not run.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { runCli, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("check");

const clean = writeLines(dir, "clean.ndjson", [
  m1({ request_id: "r1" }),
  m1({ request_id: "r2", status: 502, upstream_status: 503 }),
  m1({ request_id: "r3", ts: "2026-11-25T03:00:00Z" }),
]);

// Five violations of four kinds, a blank line, and an unknown field on two otherwise valid records.
const dirty = writeLines(dir, "dirty.ndjson", [
  m1({ request_id: "r1" }),
  "not json",
  m1({ request_id: "r2", status: "500" }),
  "",
  m1({ request_id: "r3", level: "info" }),
  "[1,2]",
  m1({ request_id: "r4", status: "502" }),
  m1({ request_id: "r5", level: "warn", pod: "api-1" }),
  '{"request_id":"r6"}',
]);
const STATUS_500 = 'status: expected an integer 100–599, got the string "500"';
const STATUS_502 = 'status: expected an integer 100–599, got the string "502"';
const MISSING_R6 =
  "function: missing (expected a string of 1–256 characters); stage: missing (expected a string of 1–128 " +
  "characters); status: missing (expected an integer 100–599); latency_ms: missing (expected a finite " +
  "number ≥ 0); error_code: missing (expected a string of 1–128 characters or null); upstream_status: " +
  'missing (expected an integer 100–599, "timeout" or null); upstream_latency_ms: missing (expected a ' +
  "finite number ≥ 0 or null)";

describe("attribute check", () => {
  it("a clean file: exit 0, the counts and OK, nothing on stderr", async () => {
    const { code, stdout, stderr } = await runCli(["check", clean]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).toBe("3 lines: 3 valid, 0 invalid, 0 blank\nOK: every record is valid M1.\n");
  });

  it("violations: exit 1, `source:line: reason` in line order, … and M more past --listed, by reason, unknown fields", async () => {
    const { code, stdout, stderr } = await runCli(["check", "--listed", "3", dirty]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(stdout).toBe(
      [
        `${dirty}:2: not valid JSON: Unexpected token 'o', "not json" is not valid JSON`,
        `${dirty}:3: ${STATUS_500}`,
        `${dirty}:6: expected a JSON object, got an array`,
        "… and 2 more",
        "",
        "9 lines: 3 valid, 5 invalid, 1 blank",
        "violations by reason:",
        "       2  status: expected an integer 100–599",
        "       1  function: missing",
        "       1  not a JSON object",
        "       1  not valid JSON",
        "unknown fields: level ×2, pod ×1",
        "  (allowed: --strict makes them violations, --allow-fields silences named ones)",
        "FAILED: 5 violations.",
        "",
      ].join("\n"),
    );
  });

  it("lists every violation when --listed is large enough, and no '… and M more'", async () => {
    const { stdout } = await runCli(["check", "--listed", "5", dirty]);
    expect(stdout.split("\n").slice(0, 6)).toEqual([
      `${dirty}:2: not valid JSON: Unexpected token 'o', "not json" is not valid JSON`,
      `${dirty}:3: ${STATUS_500}`,
      `${dirty}:6: expected a JSON object, got an array`,
      `${dirty}:7: ${STATUS_502}`,
      `${dirty}:9: ${MISSING_R6}`,
      "",
    ]);
    expect(stdout).not.toContain("more");
  });

  it("--strict makes unknown fields violations", async () => {
    const { code, stdout } = await runCli(["check", "--strict", clean]);
    expect(code).toBe(0);
    const strict = await runCli(["check", "--strict", "--listed", "20", dirty]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(`${dirty}:5: unknown field "level" (strict mode)\n`);
    expect(strict.stdout).toContain(`${dirty}:8: unknown fields "level", "pod" (strict mode)\n`);
    expect(strict.stdout).toContain(
      "9 lines: 1 valid, 7 invalid, 1 blank (strict: unknown fields are violations)\n",
    );
    expect(strict.stdout).toContain("       2  unknown field (strict)\n");
    expect(strict.stdout).toContain("FAILED: 7 violations.\n");
    expect(strict.stdout).not.toContain("unknown fields:");
    expect(stdout).toBe(
      "3 lines: 3 valid, 0 invalid, 0 blank (strict: unknown fields are violations)\nOK: every record is valid M1.\n",
    );
  });

  it("--strict with --allow-fields: the named fields are accepted", async () => {
    const { code, stdout } = await runCli(["check", "--strict", "--allow-fields", "level,pod", dirty]);
    expect(code).toBe(1);
    expect(stdout).toContain(
      "9 lines: 3 valid, 5 invalid, 1 blank (strict: unknown fields are violations)\n",
    );
    expect(stdout).not.toContain("strict mode");
  });

  it("--format json: the attribute.check/v1 document, with the same counts", async () => {
    const { code, stdout, stderr } = await runCli(["check", "--format", "json", "--listed", "2", dirty]);
    expect(code).toBe(1);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toStrictEqual({
      schema: "attribute.check/v1",
      complete: true,
      strict: false,
      lines: 9,
      valid: 3,
      invalid: 5,
      blank: 1,
      violations: [
        {
          source: dirty,
          line: 2,
          reason: `not valid JSON: Unexpected token 'o', "not json" is not valid JSON`,
        },
        { source: dirty, line: 3, reason: STATUS_500 },
      ],
      violationsByReason: {
        "status: expected an integer 100–599": 2,
        "function: missing": 1,
        "not a JSON object": 1,
        "not valid JSON": 1,
      },
      unknownFields: { level: 2, pod: 1 },
    });
    const ok = JSON.parse((await runCli(["check", "--format", "json", clean])).stdout) as object;
    expect(ok).toMatchObject({ schema: "attribute.check/v1", invalid: 0, violations: [] });
  });

  it("a missing file: exit 2, named on stderr, and the output says INCOMPLETE, never OK", async () => {
    const missing = join(dir, "missing.ndjson");
    const { code, stdout, stderr } = await runCli(["check", clean, missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${missing}: no such file\n`);
    expect(stdout).toBe(
      [
        `INCOMPLETE: cannot read ${missing}: no such file (0 lines read)`,
        "",
        "3 lines: 3 valid, 0 invalid, 0 blank",
        "INCOMPLETE: no violation in the lines read, but not all of the input could be read.",
        "",
      ].join("\n"),
    );
    const json = await runCli(["check", "--format", "json", missing]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ complete: false, lines: 0 });
  });

  it("a bad flag value: exit 2 before reading", async () => {
    const { code, stdout, stderr } = await runCli(["check", "--listed", "0", clean]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^attribute: option '--listed <n>' argument '0' is invalid\. expected a whole number ≥ 1\./,
    );
  });
});
