// `attribute explain REQUEST_ID` through the CLI (issue 5): every record of the request per function, in
// input order with source:line, the merged values, the six rules of SPEC.md section 3 in order with the
// one that decides marked and its numbers, and the verdict. It runs the same merge and rules as the report,
// so its verdict must equal the report's for the same unit: checked on every bundled sample.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VERDICTS } from "../../src/m1/rules.js";
import { m1 } from "../helpers.js";
import { root, runCli, sample, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("explain");

// req-1 touches two functions across two files; its records are interleaved with another request's.
// checkout: slow (2400 ms) with the upstream 180 ms of it: APP_BOTTLENECK. search: 502 over a 503: VENDOR.
const a = writeLines(dir, "a.ndjson", [
  m1({ request_id: "req-2", function: "checkout", stage: "receive" }),
  m1({
    request_id: "req-1",
    function: "checkout",
    stage: "receive",
    latency_ms: 3,
    upstream_status: null,
    upstream_latency_ms: null,
    ts: "2026-11-25T03:00:00.000Z",
  }),
  m1({
    request_id: "req-1",
    function: "search",
    stage: "upstream",
    status: 502,
    latency_ms: 812,
    error_code: "UPSTREAM_ERROR",
    upstream_status: 503,
    upstream_latency_ms: 790,
  }),
  m1({
    request_id: "req-1",
    function: "checkout",
    stage: "upstream",
    latency_ms: 400,
    upstream_status: 200,
    upstream_latency_ms: 180,
    ts: "2026-11-25T03:00:00.400Z",
  }),
]);
const b = writeLines(dir, "b.ndjson", [
  m1({
    request_id: "req-1",
    function: "checkout",
    stage: "respond",
    latency_ms: 2400,
    upstream_status: null,
    upstream_latency_ms: null,
    ts: "2026-11-25T03:00:02.400Z",
  }),
  m1({ request_id: "req-2", function: "checkout", stage: "respond" }),
]);

describe("attribute explain", () => {
  it("a request found: its records per function in input order, merged values, the six rules, the verdict", async () => {
    const { code, stdout, stderr } = await runCli(["explain", "req-1", a, b]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        "request req-1: 2 functions",
        "",
        "function checkout (slowMs 1000, upstreamShare 0.2)",
        "  records, in input order:",
        `    ${a}:2: {"stage":"receive","status":200,"latency_ms":3,"error_code":null,"upstream_status":null,"upstream_latency_ms":null,"timestamp":"2026-11-25T03:00:00.000Z"}`,
        `    ${a}:4: {"stage":"upstream","status":200,"latency_ms":400,"error_code":null,"upstream_status":200,"upstream_latency_ms":180,"timestamp":"2026-11-25T03:00:00.400Z"}`,
        `    ${b}:1: {"stage":"respond","status":200,"latency_ms":2400,"error_code":null,"upstream_status":null,"upstream_latency_ms":null,"timestamp":"2026-11-25T03:00:02.400Z"}`,
        '  merged: {"status":200,"latency_ms":2400,"upstream_status":200,"upstream_latency_ms":180,"error_codes":[],"stages":["receive","respond","upstream"]}',
        "  rules (SPEC.md section 3), the first that matches decides:",
        "    1. OK             no                 status 200 < 400, latency 2400 ms ≥ 1000 ms",
        "    2. UNKNOWN        no                 upstream_status is 200",
        "    3. VENDOR         no                 upstream_status 200, status 200",
        "    4. APPLICATION    no                 upstream_status 200, status 200",
        "    5. APP_BOTTLENECK MATCHES            latency 2400 ms ≥ 1000 ms; upstream 180 ms ≤ 0.2 × 2400 ms",
        "    6. UNATTRIBUTED   matches (too late) no earlier rule matched",
        "  verdict: APP_BOTTLENECK",
        "",
        "function search (slowMs 1000, upstreamShare 0.2)",
        "  records, in input order:",
        `    ${a}:3: {"stage":"upstream","status":502,"latency_ms":812,"error_code":"UPSTREAM_ERROR","upstream_status":503,"upstream_latency_ms":790,"timestamp":null}`,
        '  merged: {"status":502,"latency_ms":812,"upstream_status":503,"upstream_latency_ms":790,"error_codes":["UPSTREAM_ERROR"],"stages":["upstream"]}',
        "  rules (SPEC.md section 3), the first that matches decides:",
        "    1. OK             no                 status 502 ≥ 400, latency 812 ms < 1000 ms",
        "    2. UNKNOWN        no                 upstream_status is 503",
        "    3. VENDOR         MATCHES            upstream_status 503, status 502",
        "    4. APPLICATION    no                 upstream_status 503, status 502",
        "    5. APP_BOTTLENECK no                 latency 812 ms < 1000 ms; upstream 790 ms > 0.2 × 812 ms",
        "    6. UNATTRIBUTED   matches (too late) no earlier rule matched",
        "  verdict: VENDOR",
        "",
      ].join("\n"),
    );
  });

  it("input order is the order the files are given in, not their names' order", async () => {
    const { stdout } = await runCli(["explain", "req-1", b, a]);
    const listed = [...stdout.matchAll(/^ {4}(\S+):(\d+): /gm)].map(
      (m) => `${m[1] === a ? "a" : "b"}:${m[2]}`,
    );
    expect(listed).toEqual(["b:1", "a:2", "a:4", "a:3"]);
  });

  it("the thresholds in effect are the ones the rules use: --slow-ms 3000 makes checkout OK", async () => {
    const { code, stdout } = await runCli(["explain", "--slow-ms", "3000", "req-1", a, b]);
    expect(code).toBe(0);
    expect(stdout).toContain("function checkout (slowMs 3000, upstreamShare 0.2)\n");
    expect(stdout).toContain(
      "    1. OK             MATCHES            status 200 < 400, latency 2400 ms < 3000 ms\n",
    );
    expect(stdout).toContain(
      // Rule 5 needs a slow unit: the upstream's share alone does not match it.
      "    5. APP_BOTTLENECK no                 latency 2400 ms < 3000 ms; upstream 180 ms ≤ 0.2 × 2400 ms\n",
    );
    expect(stdout).toMatch(/function checkout[^]*verdict: OK\n[^]*function search[^]*verdict: VENDOR\n$/);
  });

  it("--format json: attribute.explain/v1 with the records, the merged values, every rule and the verdict", async () => {
    const { code, stdout, stderr } = await runCli(["explain", "--format", "json", "req-1", a, b]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const doc = JSON.parse(stdout) as {
      schema: string;
      requestId: string;
      functions: {
        function: string;
        thresholds: object;
        records: { source: string; line: number; leftOut: boolean; record: Record<string, unknown> }[];
        merged: object;
        rules: { number: number; verdict: string; matched: boolean; because: string }[];
        verdict: string;
      }[];
    };
    expect(doc.schema).toBe("attribute.explain/v1");
    expect(doc.requestId).toBe("req-1");
    expect(doc.functions.map((f) => [f.function, f.verdict])).toEqual([
      ["checkout", "APP_BOTTLENECK"],
      ["search", "VENDOR"],
    ]);
    const checkout = doc.functions[0]!;
    expect(checkout.thresholds).toEqual({ slowMs: 1000, upstreamShare: 0.2 });
    expect(checkout.records.map((r) => [r.source, r.line, r.leftOut, r.record.stage])).toEqual([
      [a, 2, false, "receive"],
      [a, 4, false, "upstream"],
      [b, 1, false, "respond"],
    ]);
    expect(checkout.records[2]!.record).toEqual({
      request_id: "req-1",
      function: "checkout",
      stage: "respond",
      status: 200,
      latency_ms: 2400,
      error_code: null,
      upstream_status: null,
      upstream_latency_ms: null,
      timestamp: "2026-11-25T03:00:02.400Z",
    });
    expect(checkout.merged).toEqual({
      status: 200,
      latency_ms: 2400,
      upstream_status: 200,
      upstream_latency_ms: 180,
      error_codes: [],
      stages: ["receive", "respond", "upstream"],
    });
    expect(checkout.rules.map((r) => [r.number, r.verdict, r.matched])).toEqual([
      [1, "OK", false],
      [2, "UNKNOWN", false],
      [3, "VENDOR", false],
      [4, "APPLICATION", false],
      [5, "APP_BOTTLENECK", true],
      [6, "UNATTRIBUTED", true],
    ]);
    expect(checkout.rules[4]!.because).toBe("latency 2400 ms ≥ 1000 ms; upstream 180 ms ≤ 0.2 × 2400 ms");
  });

  it("not found: exit 1, a one-line message on stderr, nothing on stdout", async () => {
    const { code, stdout, stderr } = await runCli(["explain", "req-404", a, b]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('attribute: request "req-404" not found among 6 valid records\n');
  });

  it("a request id holding an escape sequence is shown escaped, never raw", async () => {
    const evil = "r\u001b]0;owned\u0007";
    const file = writeLines(dir, "evil.ndjson", [m1({ request_id: evil, function: "f\u001b[2J" })]);
    const found = await runCli(["explain", evil, file]);
    expect(found.code).toBe(0);
    expect(found.stdout).not.toContain("\u001b");
    expect(found.stdout).toContain("request r\\x1b]0;owned\\x07: 1 function\n");
    expect(found.stdout).toContain("function f\\x1b[2J (slowMs 1000");
    const missing = await runCli(["explain", "x\u001b[2J", file]);
    expect(missing.code).toBe(1);
    // JSON-quoted, so the escape shows as \u001b.
    expect(missing.stderr).toBe('attribute: request "x\\u001b[2J" not found among 1 valid records\n');
  });

  it("a missing file: exit 2, even when the request is found in the others", async () => {
    const missing = `${dir}/none.ndjson`;
    const { code, stdout, stderr } = await runCli(["explain", "req-1", a, missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${missing}: no such file\n`);
    expect(stdout).toContain("request req-1: 2 functions\n");
  });
});

/** One line of `--format ndjson`. */
interface UnitRow {
  readonly request_id: string;
  readonly function: string;
  readonly verdict: string;
}

const SAMPLES = readdirSync(`${root}/samples`).filter((f) => f.endsWith(".ndjson"));

describe("explain gives the report's verdict for the same unit (samples/*.ndjson)", () => {
  it.each(SAMPLES)("%s: up to three units of each verdict", async (name) => {
    const file = sample(name);
    const report = await runCli(["--format", "ndjson", file]);
    expect(report.code).toBe(0);
    const rows = report.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as UnitRow);
    const byUnit = new Map(rows.map((r) => [`${r.request_id}\u0000${r.function}`, r.verdict]));
    const picked = VERDICTS.flatMap((v) => rows.filter((r) => r.verdict === v).slice(0, 3));
    // Every sample has incidents except the quiet night: the comparison must cover more than OK.
    expect(new Set(picked.map((r) => r.verdict)).size).toBeGreaterThan(name === "quiet-night.ndjson" ? 0 : 1);
    const ids = [...new Set(picked.map((r) => r.request_id))];
    for (const id of ids) {
      const explained = await runCli(["explain", "--format", "json", id, file]);
      expect(explained.code, id).toBe(0);
      const doc = JSON.parse(explained.stdout) as { functions: { function: string; verdict: string }[] };
      // Every function of the request, not only the picked one, has the report's verdict.
      for (const fn of doc.functions) {
        expect(`${id} ${fn.function} ${fn.verdict}`).toBe(
          `${id} ${fn.function} ${byUnit.get(`${id}\u0000${fn.function}`)}`,
        );
      }
    }
  });
});
