import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMapper, type Mapper } from "../../src/presets/index.js";
import { nginxPreset, NGINX_STAGE } from "../../src/presets/nginx.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";
import {
  expectCase,
  fixtureLines,
  lenient,
  THRESHOLD_SETS,
  verdictOf,
  type Expected,
} from "./preset-helpers.js";

const mapper = createMapper({ preset: "nginx" }) as Mapper;
const lines = fixtureLines("nginx", "access.ndjson");

/** An M1 record as the nginx preset builds it; `ts` is from `$msec` unless a case says otherwise. */
const m1 = (fields: Record<string, unknown>): Record<string, unknown> => ({
  function: "checkout",
  stage: NGINX_STAGE,
  error_code: null,
  ts: 1795675285543,
  ...fields,
});

// One case a line of test/fixtures/presets/nginx/access.ndjson, in order. `neverVendor` marks the lines
// where nginx produced the code itself or never reached an upstream.
const cases: [string, Expected & { neverVendor?: true }][] = [
  [
    "the upstream answered 200",
    {
      record: m1({
        request_id: "bd7ee6f563472108e4b576b02a2d9cbf",
        status: 200,
        latency_ms: 6,
        upstream_status: 200,
        upstream_latency_ms: 6,
      }),
      verdict: "OK",
    },
  ],
  [
    "the upstream answered 503: VENDOR",
    {
      record: m1({
        request_id: "d6e629195678eb10d009a6ea0b7ad054",
        status: 503,
        latency_ms: 5,
        upstream_status: 503,
        upstream_latency_ms: 6,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "a timeout: nginx's 504 with no response header is the upstream's \"timeout\"",
    {
      record: m1({
        request_id: "5f01a92f2b8ade92b3fe7be223891720",
        status: 504,
        latency_ms: 1000,
        error_code: "UPSTREAM_TIMEOUT",
        upstream_status: "timeout",
        upstream_latency_ms: 1001,
        ts: 1795675286576,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "a refused connection: nginx's 502 is the upstream's failure",
    {
      record: m1({
        request_id: "1d57cdead65ea16a78080141e9497f2d",
        status: 502,
        latency_ms: 0,
        error_code: "UPSTREAM_CONNECT_FAILED",
        upstream_status: 502,
        upstream_latency_ms: 0,
        ts: 1795675286583,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "a retry (502, 200): the most severe attempt, the largest time",
    {
      record: m1({
        request_id: "c881ecf56f101e3829f86e4ecb376820",
        status: 200,
        latency_ms: 2,
        error_code: "UPSTREAM_CONNECT_FAILED",
        upstream_status: 502,
        upstream_latency_ms: 1,
      }),
      verdict: "OK",
    },
  ],
  [
    "an internal redirect between groups (502, 502, 504 : 503, 200): timeout is the most severe",
    {
      record: m1({
        request_id: "0a6b1c2d3e4f50617283940a1b2c3d4e",
        status: 200,
        latency_ms: 1230,
        error_code: "UPSTREAM_TIMEOUT",
        upstream_status: "timeout",
        upstream_latency_ms: 1001,
      }),
      verdict: "UNATTRIBUTED",
    },
  ],
  [
    "two upstream answers (502, 504), both with a header: the upstreams' own codes",
    {
      record: m1({
        request_id: "77a1e2b3c4d5e6f708192a3b4c5d6e7f",
        status: 504,
        latency_ms: 450,
        upstream_status: 504,
        upstream_latency_ms: 250,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "no server could be selected (a group name in $upstream_addr): no upstream evidence",
    {
      record: m1({
        request_id: "d749d8afada21d7ac95f9b6e77862604",
        status: 502,
        latency_ms: 0,
        error_code: "NO_LIVE_UPSTREAM",
        upstream_status: null,
        upstream_latency_ms: 0,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "nginx's own 503 (return 503): no upstream evidence",
    {
      record: m1({
        request_id: "5eb697b894d4a1875f34829c6b118079",
        function: "maintenance",
        status: 503,
        latency_ms: 0,
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "limit_req rejected the request: no upstream evidence",
    {
      record: m1({
        request_id: "3f2e1d0c9b8a79685746352413f2e1d0",
        status: 429,
        latency_ms: 0,
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "499: the client closed the request while the upstream worked",
    {
      record: m1({
        request_id: "6e693c78e45b41e68ed14a04782cd75e",
        status: 499,
        latency_ms: 301,
        error_code: "CLIENT_CLOSED_REQUEST",
        upstream_status: null,
        upstream_latency_ms: 300,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "499 after the upstream answered 200: rule 4 says APPLICATION (docs/presets.md)",
    {
      record: m1({
        request_id: "9c8b7a6f5e4d3c2b1a09f8e7d6c5b4a3",
        status: 499,
        latency_ms: 2400,
        error_code: "CLIENT_CLOSED_REQUEST",
        upstream_status: 200,
        upstream_latency_ms: 20,
      }),
      verdict: "APPLICATION",
      neverVendor: true,
    },
  ],
  [
    "status 000: a violation that names both fields",
    {
      record: m1({
        request_id: "00000000000000000000000000000013",
        status: 0,
        latency_ms: 0,
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      violation: "status (from status): expected an integer 100–599, got the number 0",
      kind: "status (from status): expected an integer 100–599",
      neverVendor: true,
    },
  ],
  [
    "a log_format without $upstream_header_time: the code is taken as logged",
    {
      record: m1({
        request_id: "14141414141414141414141414141414",
        status: 504,
        latency_ms: 1002,
        upstream_status: 504,
        upstream_latency_ms: 1001,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "an $upstream_status that is not nginx's syntax is passed on and reported",
    {
      violation:
        'upstream_status (from upstream_status): expected an integer 100–599, "timeout" or null, got the string "50x"',
    },
  ],
  [
    "no upstream_status key",
    {
      violation:
        'upstream_status (from upstream_status): missing (expected an integer 100–599, "timeout" or null)',
    },
  ],
  [
    "an empty $route",
    { violation: 'function (from route): expected a string of 1–256 characters, got the string ""' },
  ],
  [
    "only $time_iso8601",
    {
      record: m1({
        request_id: "18181818181818181818181818181818",
        status: 200,
        latency_ms: 6,
        upstream_status: 200,
        upstream_latency_ms: 6,
        ts: "2026-11-26T06:41:25+00:00",
      }),
      verdict: "OK",
    },
  ],
  ["not a JSON object", { violation: "expected a JSON object, got an array", kind: "not a JSON object" }],
];

describe("the nginx preset on its fixtures", () => {
  it("has one case per fixture line", () => {
    expect(lines).toHaveLength(cases.length);
  });

  cases.forEach(([name, expected], i) => {
    it(`line ${i + 1}: ${name}`, () => {
      expectCase(lines[i], mapper, expected, expect);
    });
  });

  it("no line where nginx produced the code or never reached an upstream is VENDOR, at any threshold", () => {
    const marked = cases.flatMap(([, expected], i) => (expected.neverVendor === true ? [lines[i]] : []));
    expect(marked.length).toBeGreaterThanOrEqual(6);
    for (const line of marked) {
      const result = validateMapped(line, mapper, lenient);
      for (const thresholds of THRESHOLD_SETS) expect(verdictOf(result, thresholds)).not.toBe("VENDOR");
    }
  });

  it("every record carries the eight M1 fields", () => {
    for (const line of lines.slice(0, 14)) {
      const result = nginxPreset.toM1(line);
      if ("problem" in result) throw new Error(result.problem);
      expect(Object.keys(result.record).sort()).toEqual(
        [
          "error_code",
          "function",
          "latency_ms",
          "request_id",
          "stage",
          "status",
          "ts",
          "upstream_latency_ms",
          "upstream_status",
        ].sort(),
      );
    }
  });
});

describe("the nginx preset: properties", () => {
  const code = fc.integer({ min: 100, max: 599 }).map(String);
  const seconds = fc.integer({ min: 0, max: 60_000 }).map((ms) => (ms / 1000).toFixed(3));
  const line = (fields: Record<string, string>) => ({
    msec: "1795675285.543",
    request_id: "r",
    route: "checkout",
    request_time: "0.010",
    ...fields,
  });

  it("no upstream variable set (nginx answered itself): never VENDOR, whatever the status", () => {
    fc.assert(
      fc.property(code, fc.constantFrom("", "-"), (status, unset) => {
        const value = line({
          status,
          upstream_addr: unset,
          upstream_status: unset,
          upstream_response_time: unset,
          upstream_connect_time: unset,
          upstream_header_time: unset,
        });
        for (const t of THRESHOLD_SETS)
          expect(verdictOf(validateMapped(value, mapper, lenient), t)).not.toBe("VENDOR");
      }),
    );
  });

  it("no server selected in any attempt (group names): never VENDOR", () => {
    fc.assert(
      fc.property(
        code,
        fc.array(fc.constantFrom("502", "504", "-"), { minLength: 1, maxLength: 4 }),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/),
        (status, attempts, group) => {
          const value = line({
            status,
            upstream_addr: attempts.map(() => group).join(", "),
            upstream_status: attempts.join(", "),
            upstream_response_time: attempts.map(() => "0.000").join(", "),
            upstream_connect_time: attempts.map(() => "-").join(", "),
            upstream_header_time: attempts.map(() => "-").join(", "),
          });
          for (const t of THRESHOLD_SETS)
            expect(verdictOf(validateMapped(value, mapper, lenient), t)).not.toBe("VENDOR");
        },
      ),
    );
  });

  it("the merge of attempts: the most severe status and the largest time, whatever the order", () => {
    const attempt = fc.record({
      status: fc.constantFrom("200", "404", "502", "503", "504"),
      header: fc.oneof(fc.constant("-"), seconds),
      time: seconds,
    });
    fc.assert(
      fc.property(fc.array(attempt, { minLength: 1, maxLength: 5 }), fc.boolean(), (attempts, redirect) => {
        const join = (xs: string[]) =>
          redirect && xs.length > 1 ? `${xs[0]} : ${xs.slice(1).join(", ")}` : xs.join(", ");
        const value = (list: typeof attempts) =>
          line({
            status: "200",
            upstream_addr: join(list.map((_, i) => `10.0.0.${i + 1}:80`)),
            upstream_status: join(list.map((a) => a.status)),
            upstream_response_time: join(list.map((a) => a.time)),
            upstream_connect_time: join(list.map(() => "0.000")),
            upstream_header_time: join(list.map((a) => a.header)),
          });
        const forward = nginxPreset.toM1(value(attempts));
        const backward = nginxPreset.toM1(value([...attempts].reverse()));
        if ("problem" in forward || "problem" in backward) throw new Error("unexpected problem");
        expect(forward.record.upstream_status).toEqual(backward.record.upstream_status);
        expect(forward.record.upstream_latency_ms).toBe(
          Math.max(...attempts.map((a) => Math.round(Number(a.time) * 1000))),
        );
        const timedOut = attempts.some((a) => a.status === "504" && a.header === "-");
        if (timedOut) expect(forward.record.upstream_status).toBe("timeout");
      }),
    );
  });
});
