import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ENVOY_STAGE, envoyPreset } from "../../src/presets/envoy.js";
import { createMapper, type Mapper } from "../../src/presets/index.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";
import {
  expectCase,
  fixtureLines,
  lenient,
  THRESHOLD_SETS,
  verdictOf,
  type Expected,
} from "./preset-helpers.js";

const mapper = createMapper({ preset: "envoy" }) as Mapper;
const lines = fixtureLines("envoy", "access.ndjson");
const rid = (n: number) => `cc21d9b0-cf5c-432b-8c7e-${String(n).padStart(12, "0")}`;

/** An M1 record as the Envoy preset builds it from the documented example's fields. */
const m1 = (n: number, fields: Record<string, unknown>): Record<string, unknown> => ({
  request_id: n === 1 ? "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" : rid(n),
  function: "locations",
  stage: ENVOY_STAGE,
  status: 204,
  latency_ms: 226,
  error_code: null,
  upstream_status: 204,
  upstream_latency_ms: 100,
  ts: "2016-04-15T20:17:00.310Z",
  ...fields,
});

// One case a line of test/fixtures/presets/envoy/access.ndjson, in order. `neverVendor` marks the lines
// where Envoy produced the code itself or never reached an upstream.
const cases: [string, Expected & { neverVendor?: true }][] = [
  ["the documented example: via_upstream 204", { record: m1(1, {}), verdict: "OK" }],
  [
    "the documented example without details: no flag and an upstream host",
    { record: m1(2, {}), verdict: "OK" },
  ],
  ["typed_json_format: numbers, null flags", { record: m1(3, {}), verdict: "OK" }],
  [
    "the upstream answered 503: VENDOR",
    {
      record: m1(4, { status: 503, latency_ms: 40, upstream_status: 503, upstream_latency_ms: 38 }),
      verdict: "VENDOR",
    },
  ],
  [
    'UT is the upstream\'s "timeout"',
    {
      record: m1(5, {
        status: 504,
        latency_ms: 15001,
        error_code: "UT",
        upstream_status: "timeout",
        upstream_latency_ms: null,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "UF is a 503-class upstream failure",
    {
      record: m1(6, {
        status: 503,
        latency_ms: 2,
        error_code: "UF",
        upstream_status: 503,
        upstream_latency_ms: null,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "UF,URX: a list of flags",
    {
      record: m1(7, {
        status: 503,
        latency_ms: 75,
        error_code: "UF,URX",
        upstream_status: 503,
        upstream_latency_ms: null,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "UH: no healthy upstream host",
    {
      record: m1(8, {
        status: 503,
        latency_ms: 0,
        error_code: "UH",
        upstream_status: 503,
        upstream_latency_ms: null,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "URX with via_upstream: the upstream's own last answer",
    {
      record: m1(9, {
        status: 503,
        latency_ms: 310,
        error_code: "URX",
        upstream_status: 503,
        upstream_latency_ms: 95,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "NR: no route, so no route name: a violation that names both",
    {
      record: m1(10, {
        function: null,
        status: 404,
        latency_ms: 0,
        error_code: "NR",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      violation: "function (from route_name): expected a string of 1–256 characters, got null",
      neverVendor: true,
    },
  ],
  [
    "RL: rate limited by Envoy",
    {
      record: m1(11, {
        status: 429,
        latency_ms: 0,
        error_code: "RL",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "UAEX: denied by external authorization",
    {
      record: m1(12, {
        status: 403,
        latency_ms: 3,
        error_code: "UAEX",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "DC with response code 0: a violation that names both",
    {
      record: m1(13, {
        status: 0,
        latency_ms: 5012,
        error_code: "DC",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      violation: "status (from response_code): expected an integer 100–599, got the number 0",
      neverVendor: true,
    },
  ],
  [
    "LR: a 503 that Envoy produced",
    {
      record: m1(14, {
        status: 503,
        latency_ms: 12,
        error_code: "LR",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "UO: circuit breaking, a 503 that Envoy produced",
    {
      record: m1(15, {
        status: 503,
        latency_ms: 0,
        error_code: "UO",
        upstream_status: null,
        upstream_latency_ms: null,
      }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "a direct response 503",
    {
      record: m1(16, {
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
    "DC after the upstream answered (via_upstream)",
    {
      record: m1(17, {
        status: 200,
        latency_ms: 830,
        error_code: "DC",
        upstream_status: 200,
        upstream_latency_ms: 120,
      }),
      verdict: "OK",
    },
  ],
  [
    "%RESPONSE_FLAGS_LONG%: UpstreamRequestTimeout",
    {
      record: m1(18, {
        status: 504,
        latency_ms: 15000,
        error_code: "UpstreamRequestTimeout",
        upstream_status: "timeout",
        upstream_latency_ms: null,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "a flag this preset does not know is no upstream evidence",
    {
      record: m1(19, { status: 503, latency_ms: 4, error_code: "XYZ", upstream_status: null }),
      verdict: "UNKNOWN",
      neverVendor: true,
    },
  ],
  [
    "no %RESPONSE_FLAGS% in the log: the preset cannot tell Envoy's codes from the upstream's",
    {
      violation:
        'upstream_status (from response_flags): missing (expected an integer 100–599, "timeout" or null)',
      neverVendor: true,
    },
  ],
  [
    "a duration that is not a number",
    { violation: 'latency_ms (from duration): expected a finite number ≥ 0, got the string "n/a"' },
  ],
];

describe("the Envoy preset on its fixtures", () => {
  it("has one case per fixture line", () => {
    expect(lines).toHaveLength(cases.length);
  });

  cases.forEach(([name, expected], i) => {
    it(`line ${i + 1}: ${name}`, () => {
      expectCase(lines[i], mapper, expected, expect);
    });
  });

  it("no line where Envoy produced the code or never reached the upstream is VENDOR, at any threshold", () => {
    const marked = cases.flatMap(([, expected], i) => (expected.neverVendor === true ? [lines[i]] : []));
    expect(marked.length).toBeGreaterThanOrEqual(9);
    for (const line of marked) {
      const result = validateMapped(line, mapper, lenient);
      for (const thresholds of THRESHOLD_SETS) expect(verdictOf(result, thresholds)).not.toBe("VENDOR");
    }
  });

  it("NR with the function mapped to another key: valid, and UNKNOWN", () => {
    const withAuthority = createMapper({ preset: "envoy", map: ["function=authority"] }) as Mapper;
    const result = validateMapped(lines[9], withAuthority, lenient);
    expect(result.ok && result.record.function).toBe("locations");
    expect(verdictOf(result)).toBe("UNKNOWN");
  });
});

describe("the Envoy preset: properties", () => {
  const ownFlags = [
    "NR",
    "NC",
    "RL",
    "RLSE",
    "UAEX",
    "DC",
    "LH",
    "LR",
    "UO",
    "DI",
    "FI",
    "IH",
    "SI",
    "DPE",
    "UMSDR",
    "OM",
    "DF",
    "DT",
  ];
  const details = fc.constantFrom(
    "-",
    "direct_response",
    "route_not_found",
    "request_rate_limited",
    "ext_authz_denied",
    "downstream_remote_disconnect",
    "request_overall_timeout",
    "upstream_reset_before_response_started{overflow}",
  );

  it("flags that are not the upstream's doing, without via_upstream: never VENDOR", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.subarray(ownFlags, { minLength: 0 }),
        details,
        fc.constantFrom("-", "tcp://10.0.2.1:80"),
        (code, flags, detail, host) => {
          // Without details and without flags, an upstream host means the upstream answered (documented).
          if (detail === "-" && flags.length === 0 && host !== "-") return;
          const value = {
            request_id: "r",
            route_name: "checkout",
            response_code: String(code),
            response_flags: flags.length === 0 ? "-" : flags.join(","),
            response_code_details: detail,
            duration: "12",
            upstream_service_time: "-",
            upstream_host: host,
          };
          for (const t of THRESHOLD_SETS)
            expect(verdictOf(validateMapped(value, mapper, lenient), t)).not.toBe("VENDOR");
        },
      ),
    );
  });

  it("json_format and typed_json_format give the same record", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        fc.nat(100_000),
        fc.option(fc.nat(100_000)),
        fc.constantFrom("-", "UT", "UF,URX", "RL"),
        (code, duration, service, flags) => {
          const text = {
            request_id: "r",
            route_name: "checkout",
            response_code: String(code),
            response_flags: flags,
            response_code_details: "-",
            duration: String(duration),
            upstream_service_time: service === null ? "-" : String(service),
            upstream_host: "-",
          };
          const typed = {
            ...text,
            response_code: code,
            response_flags: flags === "-" ? null : flags,
            response_code_details: null,
            duration,
            upstream_service_time: service,
            upstream_host: null,
          };
          expect(envoyPreset.toM1(typed)).toEqual(envoyPreset.toM1(text));
        },
      ),
    );
  });
});
