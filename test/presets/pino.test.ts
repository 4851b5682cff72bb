import { describe, expect, it } from "vitest";
import { createMapper, type Mapper } from "../../src/presets/index.js";
import { NOT_A_REQUEST_LOG, PINO_STAGE } from "../../src/presets/pino.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";
import { expectCase, fixtureLines, lenient, type Expected } from "./preset-helpers.js";

const UPSTREAM_RULES = ["upstream_status=upstream.status", "upstream_latency_ms=upstream.ms"];
const plain = createMapper({ preset: "pino" }) as Mapper;
const withUpstream = createMapper({ preset: "pino", map: UPSTREAM_RULES }) as Mapper;
const lines = fixtureLines("pino", "requests.ndjson");

const m1 = (fields: Record<string, unknown>): Record<string, unknown> => ({
  function: "/",
  stage: PINO_STAGE,
  status: 200,
  error_code: null,
  upstream_status: null,
  upstream_latency_ms: null,
  ...fields,
});

// One case a line of test/fixtures/presets/pino/requests.ndjson, in order: what the preset alone gives,
// and what it gives with the two upstream fields mapped.
const cases: [string, Expected, Expected][] = [
  [
    'the README\'s request log: id 1 becomes the string "1"',
    { record: m1({ request_id: "1", latency_ms: 10, ts: 1459443201087 }), verdict: "OK" },
    {
      violation:
        'upstream_status (from upstream.status): missing (expected an integer 100–599, "timeout" or null); ' +
        "upstream_latency_ms (from upstream.ms): missing (expected a finite number ≥ 0 or null)",
    },
  ],
  [
    "the README's app message through req.log: not a request log",
    { violation: NOT_A_REQUEST_LOG.problem, kind: "not a pino-http request log" },
    { violation: NOT_A_REQUEST_LOG.problem, kind: "not a pino-http request log" },
  ],
  [
    "the vendor answered 503 and the service 502",
    {
      record: m1({
        request_id: "8b1f0c9e-1f4a-4d59-9a0e-6c1d2e3f4a5b",
        function: "/checkout",
        status: 502,
        latency_ms: 812,
        ts: 1459443202000,
      }),
      verdict: "UNKNOWN",
    },
    {
      record: m1({
        request_id: "8b1f0c9e-1f4a-4d59-9a0e-6c1d2e3f4a5b",
        function: "/checkout",
        status: 502,
        latency_ms: 812,
        upstream_status: 503,
        upstream_latency_ms: 790,
        ts: 1459443202000,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "the vendor timed out",
    {
      record: m1({
        request_id: "0d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a",
        function: "/checkout",
        status: 504,
        latency_ms: 3003,
        ts: 1459443203000,
      }),
      verdict: "UNKNOWN",
    },
    {
      record: m1({
        request_id: "0d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a",
        function: "/checkout",
        status: 504,
        latency_ms: 3003,
        upstream_status: "timeout",
        upstream_latency_ms: 3000,
        ts: 1459443203000,
      }),
      verdict: "VENDOR",
    },
  ],
  [
    "no vendor call: the service logs null",
    { record: m1({ request_id: "5", function: "/health", latency_ms: 1, ts: 1459443204000 }), verdict: "OK" },
    { record: m1({ request_id: "5", function: "/health", latency_ms: 1, ts: 1459443204000 }), verdict: "OK" },
  ],
  [
    '"request errored" without the upstream fields',
    {
      record: m1({ request_id: "6", function: "/checkout", status: 500, latency_ms: 14, ts: 1459443205000 }),
      verdict: "UNKNOWN",
    },
    {
      violation:
        'upstream_status (from upstream.status): missing (expected an integer 100–599, "timeout" or null); ' +
        "upstream_latency_ms (from upstream.ms): missing (expected a finite number ≥ 0 or null)",
    },
  ],
  [
    "a query string is not part of the function",
    {
      record: m1({ request_id: "7", function: "/search", latency_ms: 45, ts: 1459443206000 }),
      verdict: "OK",
    },
    {
      record: m1({
        request_id: "7",
        function: "/search",
        latency_ms: 45,
        upstream_status: 200,
        upstream_latency_ms: 40,
        ts: 1459443206000,
      }),
      verdict: "OK",
    },
  ],
  [
    "pino's isoTime",
    { record: m1({ request_id: "8", latency_ms: 10, ts: "2016-03-31T16:53:21.087Z" }), verdict: "OK" },
    {
      record: m1({
        request_id: "8",
        latency_ms: 10,
        upstream_status: 200,
        upstream_latency_ms: 7,
        ts: "2016-03-31T16:53:21.087Z",
      }),
      verdict: "OK",
    },
  ],
  [
    "not a request log",
    { violation: NOT_A_REQUEST_LOG.problem, kind: "not a pino-http request log" },
    { violation: NOT_A_REQUEST_LOG.problem, kind: "not a pino-http request log" },
  ],
  [
    "responseTime renamed by customAttributeKeys",
    { violation: "latency_ms (from responseTime): missing (expected a finite number ≥ 0)" },
    { violation: "latency_ms (from responseTime): missing (expected a finite number ≥ 0)" },
  ],
];

describe("the pino preset on its fixtures", () => {
  it("has one case per fixture line", () => {
    expect(lines).toHaveLength(cases.length);
  });

  cases.forEach(([name, alone, mapped], i) => {
    it(`line ${i + 1}: ${name}`, () => {
      expectCase(lines[i], plain, alone, expect);
    });
    it(`line ${i + 1}, with --map ${UPSTREAM_RULES.join(" --map ")}: ${name}`, () => {
      expectCase(lines[i], withUpstream, mapped, expect);
    });
  });

  it("--map latency_ms=duration reads the renamed key", () => {
    const renamed = createMapper({
      preset: "pino",
      map: [...UPSTREAM_RULES, "latency_ms=duration"],
    }) as Mapper;
    const result = validateMapped(lines[9], renamed, lenient);
    expect(result.ok && result.record.latency_ms).toBe(10);
  });

  it("without the upstream fields mapped, no pino record is ever VENDOR", () => {
    for (const line of lines) {
      const result = validateMapped(line, plain, lenient);
      expect(result.ok ? result.record.upstream_status : null).toBeNull();
    }
  });
});
