// --preset and --map through the CLI (issue 6): the nginx preset on its fixture gives the verdicts
// docs/presets.md promises, with the violations it words; a bad --map or --preset is exit 2 in one line.
// (test/presets/ tests the mappers on values, line by line.)
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runCli, runJson, tempDir, writeLines } from "./cli-harness.js";

const nginx = join(root, "test", "fixtures", "presets", "nginx", "access.ndjson");
const dir = tempDir("presets");

interface Row {
  request_id: string;
  function: string;
  verdict: string;
  upstream_status: number | string | null;
  error_codes: string[];
}

// docs/presets.md, "nginx": what each case of the fixture must give.
const PROMISED: Record<string, [verdict: string, upstream: number | string | null, errorCodes: string[]]> = {
  // the upstream answered 200 / 503
  bd7ee6f563472108e4b576b02a2d9cbf: ["OK", 200, []],
  d6e629195678eb10d009a6ea0b7ad054: ["VENDOR", 503, []],
  // "A timeout and a failed connection are evidence about the upstream … with a 5xx status the verdict is VENDOR"
  "5f01a92f2b8ade92b3fe7be223891720": ["VENDOR", "timeout", ["UPSTREAM_TIMEOUT"]],
  "1d57cdead65ea16a78080141e9497f2d": ["VENDOR", 502, ["UPSTREAM_CONNECT_FAILED"]],
  // "502, 200 … is upstream 502 with status 200: OK … with UPSTREAM_CONNECT_FAILED kept as its error code"
  c881ecf56f101e3829f86e4ecb376820: ["OK", 502, ["UPSTREAM_CONNECT_FAILED"]],
  // several attempts: the most severe status ("timeout") and the largest time
  "0a6b1c2d3e4f50617283940a1b2c3d4e": ["UNATTRIBUTED", "timeout", ["UPSTREAM_TIMEOUT"]],
  "77a1e2b3c4d5e6f708192a3b4c5d6e7f": ["VENDOR", 504, []],
  // "nginx answering on its own (a return, limit_req's 503, … no live upstream) … UNKNOWN, never VENDOR"
  d749d8afada21d7ac95f9b6e77862604: ["UNKNOWN", null, ["NO_LIVE_UPSTREAM"]],
  "5eb697b894d4a1875f34829c6b118079": ["UNKNOWN", null, []],
  "3f2e1d0c9b8a79685746352413f2e1d0": ["UNKNOWN", null, []],
  // 499 with `-` upstream: UNKNOWN; 499 after the upstream answered 2xx: APPLICATION
  "6e693c78e45b41e68ed14a04782cd75e": ["UNKNOWN", null, ["CLIENT_CLOSED_REQUEST"]],
  "9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3": ["APPLICATION", 200, ["CLIENT_CLOSED_REQUEST"]],
  // without $upstream_header_time the code is taken as logged: same verdict, no error code
  "14141414141414141414141414141414": ["VENDOR", 504, []],
  // only $time_iso8601
  "18181818181818181818181818181818": ["OK", 200, []],
};

describe("--preset nginx on test/fixtures/presets/nginx/access.ndjson", () => {
  it("gives the verdicts docs/presets.md promises, per request", async () => {
    const { code, stdout, stderr } = await runCli(["--preset", "nginx", "--format", "ndjson", nginx]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const rows = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    expect(
      Object.fromEntries(rows.map((r) => [r.request_id, [r.verdict, r.upstream_status, r.error_codes]])),
    ).toStrictEqual(PROMISED);
    expect(rows.filter((r) => r.function === "maintenance").map((r) => r.request_id)).toEqual([
      "5eb697b894d4a1875f34829c6b118079",
    ]);
  });

  it("the report: the verdicts, and the violations named with the M1 field and where it came from", async () => {
    const { code, json } = await runJson<{
      input: {
        lines: number;
        valid: number;
        invalid: number;
        violations: { line: number; reason: string }[];
        unknownFields: object;
      };
      overall: { verdict: string };
      functions: { function: string; verdict: string }[];
    }>(["--preset", "nginx", nginx]);
    expect(code).toBe(0);
    expect(json.input).toMatchObject({ lines: 19, valid: 14, invalid: 5, unknownFields: {} });
    expect(json.input.violations.map((v) => [v.line, v.reason])).toEqual([
      [13, "status (from status): expected an integer 100–599, got the number 0"],
      [
        15,
        'upstream_status (from upstream_status): expected an integer 100–599, "timeout" or null, got the string "50x"',
      ],
      [
        16,
        'upstream_status (from upstream_status): missing (expected an integer 100–599, "timeout" or null)',
      ],
      [17, 'function (from route): expected a string of 1–256 characters, got the string ""'],
      [19, "expected a JSON object, got an array"],
    ]);
    expect(json.functions.map((f) => [f.function, f.verdict])).toEqual([
      ["checkout", "VENDOR"],
      ["maintenance", "UNKNOWN"],
    ]);
  });

  it("without the preset, the same file is not M1: every line is a violation", async () => {
    const { code, stdout } = await runCli(["check", nginx]);
    expect(code).toBe(1);
    expect(stdout).toContain("19 lines: 0 valid, 19 invalid, 0 blank\n");
    const mapped = await runCli(["check", "--preset", "nginx", nginx]);
    expect(mapped.code).toBe(1);
    expect(mapped.stdout).toContain("19 lines: 14 valid, 5 invalid, 0 blank\n");
  });
});

describe("--map", () => {
  it("a field mapping with a unit reads a log that spells the fields differently", async () => {
    const log = writeLines(dir, "renamed.ndjson", [
      JSON.stringify({
        id: "r1",
        fn: "checkout",
        stage: "app",
        res: { statusCode: 502 },
        took: "0.812",
        error_code: null,
        upstream_status: 503,
        upstream_latency_ms: 790,
      }),
    ]);
    const argv = ["--map", "request_id=id", "--map", "function=fn", "--map", "status=res.statusCode"];
    const { code, stdout } = await runCli([...argv, "--map", "latency_ms=took:s", "--format", "ndjson", log]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      '{"request_id":"r1","function":"checkout","verdict":"VENDOR","status":502,"upstream_status":503,"latency_ms":812,"upstream_latency_ms":790,"error_codes":[],"stages":["app"]}\n',
    );
  });

  it.each([
    [
      "bogus",
      'attribute: --map "bogus": expected M1FIELD=PATH[:s|:ms], e.g. status=res.statusCode or latency_ms=request_time:s\n',
    ],
    ["status=x:h", 'attribute: --map "status=x:h": unknown unit ":h"; expected :s or :ms\n'],
  ])("a bad spec %j: exit 2, one line, nothing on stdout", async (spec, message) => {
    const { code, stdout, stderr } = await runCli(["--map", spec, nginx]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(message);
  });

  it("an unknown preset: exit 2, one line naming the presets", async () => {
    const { code, stdout, stderr } = await runCli(["--preset", "nginz", nginx]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('attribute: --preset "nginz": unknown preset; expected one of envoy, nginx, pino\n');
  });
});
