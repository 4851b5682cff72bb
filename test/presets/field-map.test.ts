import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { REQUIRED_FIELDS } from "../../src/m1/record.js";
import { explainWithZod, validateRecord } from "../../src/m1/validate-record.js";
import {
  applyMapping,
  applyUnit,
  compileRules,
  isProblem,
  MapSpecError,
  nameSources,
  parseMapSpec,
  readPath,
  secondsToMs,
  type M1Field,
  type Mapped,
  type MappingResult,
} from "../../src/presets/field-map.js";
import { createMapper, PRESETS } from "../../src/presets/index.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";
import { lenient } from "./preset-helpers.js";

const mapped = (result: MappingResult): Mapped => {
  if (isProblem(result)) throw new Error(`expected a record, got: ${result.problem}`);
  return result;
};

const reasonOf = (value: unknown, specs: readonly string[]): string => {
  const mapper = createMapper({ map: specs });
  if (mapper === null) throw new Error("no mapper");
  const result = validateMapped(value, mapper, lenient);
  return result.ok ? "valid" : result.reason;
};

describe("parseMapSpec: M1FIELD=PATH[:s|:ms]", () => {
  it.each([
    [
      "status=res.statusCode",
      { field: "status", path: ["res", "statusCode"], pathText: "res.statusCode", unit: null },
    ],
    [
      "latency_ms=request_time:s",
      { field: "latency_ms", path: ["request_time"], pathText: "request_time", unit: "s" },
    ],
    [
      " upstream_latency_ms = upstream.ms:ms ",
      { field: "upstream_latency_ms", path: ["upstream", "ms"], pathText: "upstream.ms", unit: "ms" },
    ],
    ["ts=msec:s", { field: "ts", path: ["msec"], pathText: "msec", unit: "s" }],
    [
      "request_id=attempts.0.id",
      { field: "request_id", path: ["attempts", "0", "id"], pathText: "attempts.0.id", unit: null },
    ],
    ["function=__proto__", { field: "function", path: ["__proto__"], pathText: "__proto__", unit: null }],
  ])("%s", (spec, rule) => {
    expect(parseMapSpec(spec)).toEqual(rule);
  });

  it.each([
    [
      "status",
      '--map "status": expected M1FIELD=PATH[:s|:ms], e.g. status=res.statusCode or latency_ms=request_time:s',
    ],
    [
      "stat=res.code",
      '--map "stat=res.code": unknown M1 field "stat"; expected one of request_id, function, stage, status, latency_ms, error_code, upstream_status, upstream_latency_ms, ts, timestamp, time',
    ],
    [
      "status=",
      '--map "status=": the path is empty; expected M1FIELD=PATH[:s|:ms], e.g. status=res.statusCode or latency_ms=request_time:s',
    ],
    [
      "latency_ms=:s",
      '--map "latency_ms=:s": the path is empty; expected M1FIELD=PATH[:s|:ms], e.g. status=res.statusCode or latency_ms=request_time:s',
    ],
    [
      "latency_ms=request_time:min",
      '--map "latency_ms=request_time:min": unknown unit ":min"; expected :s or :ms',
    ],
    ["latency_ms=a:b.c", '--map "latency_ms=a:b.c": unknown unit ":b.c"; expected :s or :ms'],
    [
      "status=code:s",
      '--map "status=code:s": a unit applies only to latency_ms, upstream_latency_ms and the timestamp (ts, timestamp, time)',
    ],
    [
      "status=res..statusCode",
      '--map "status=res..statusCode": the path "res..statusCode" has an empty segment',
    ],
    ["status=.res", '--map "status=.res": the path ".res" has an empty segment'],
  ])("rejects %j with a message that says what is wrong", (spec, message) => {
    expect(() => parseMapSpec(spec)).toThrow(MapSpecError);
    expect(() => parseMapSpec(spec)).toThrow(message);
  });

  it("a later rule for the same field replaces the earlier one (configuration file, then flags)", () => {
    const rules = compileRules(["status=a", "latency_ms=t:s", "status=b"]);
    expect(rules.map((r) => `${r.field}=${r.pathText}`)).toEqual(["latency_ms=t", "status=b"]);
  });

  it("createMapper names the presets when one is unknown, and is null when nothing is asked", () => {
    expect(() => createMapper({ preset: "apache" })).toThrow(
      '--preset "apache": unknown preset; expected one of envoy, nginx, pino',
    );
    expect(createMapper({})).toBeNull();
    expect(createMapper({ map: [] })).toBeNull();
    expect([...PRESETS.keys()]).toEqual(["envoy", "nginx", "pino"]);
    for (const [name, preset] of PRESETS) {
      expect(preset.name).toBe(name);
      expect(preset.description.length).toBeGreaterThan(10);
    }
  });
});

describe("readPath: own keys only", () => {
  const value = JSON.parse(
    '{"res":{"statusCode":502},"list":[{"id":"a"},{"id":"b"}],"__proto__":{"polluted":"yes"},"n":null}',
  ) as unknown;

  it.each([
    [["res", "statusCode"], { found: true, value: 502 }],
    [["list", "1", "id"], { found: true, value: "b" }],
    [["list", "2", "id"], { found: false }],
    [["list", "01"], { found: false }],
    [["list", "length"], { found: false }],
    [["n"], { found: true, value: null }],
    [["n", "x"], { found: false }],
    [["res", "statusCode", "x"], { found: false }],
    [["__proto__", "polluted"], { found: true, value: "yes" }],
    [["res", "__proto__"], { found: false }],
    [["res", "constructor"], { found: false }],
    [["res", "toString"], { found: false }],
    [["res", "hasOwnProperty"], { found: false }],
  ])("%j", (path, result) => {
    expect(readPath(value, path)).toEqual(result);
  });

  it("mapping a line with __proto__ keys never reaches a prototype", () => {
    const line = JSON.parse(
      '{"__proto__":{"polluted":true,"status":200},"constructor":{"prototype":{"polluted":true}},"request_id":"r1"}',
    ) as unknown;
    const result = mapped(
      applyMapping(
        line,
        compileRules(["status=__proto__.status", "function=constructor.prototype.polluted"]),
      ),
    );
    expect(result.record.status).toBe(200);
    expect(result.record.function).toBe(true);
    expect(Object.getPrototypeOf(result.record)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.record).sort()).toEqual(["function", "request_id", "status"]);
  });
});

describe("units: an explicit conversion, never a silent one", () => {
  it.each([
    [0.123, "s", 123],
    ["0.123", "s", 123],
    ["1.001", "s", 1001],
    [1.001, "s", 1001],
    ["1795675285.543", "s", 1795675285543],
    ["226", "ms", 226],
    [226, "ms", 226],
    ["0", "s", 0],
  ] as const)("%j%s is %j ms", (value, unit, ms) => {
    expect(applyUnit(value, unit)).toBe(ms);
  });

  it.each([null, "-", "", "1e3", "-1", "1.", " 1", true, [], {}])(
    "%j is not a quantity: passed on unchanged",
    (value) => {
      expect(applyUnit(value, "s")).toBe(value);
    },
  );

  it("seconds to milliseconds is exact to the millisecond for nginx's three decimals", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 999 }), (s, ms) => {
        const text = `${s}.${String(ms).padStart(3, "0")}`;
        expect(secondsToMs(Number(text))).toBe(s * 1000 + ms);
      }),
    );
  });
});

describe("applyMapping without a preset", () => {
  const line = {
    request_id: "r1",
    function: "checkout",
    stage: "app",
    res: { statusCode: 502 },
    request_time: "0.812",
    error_code: null,
    upstream: { status: 503, ms: 790 },
    time: 1459443201087,
    level: 30,
  };
  const specs = [
    "status=res.statusCode",
    "latency_ms=request_time:s",
    "upstream_status=upstream.status",
    "upstream_latency_ms=upstream.ms",
  ];

  it("reads unmapped M1 fields under their own names and keeps nothing else", () => {
    const result = mapped(applyMapping(line, compileRules(specs)));
    expect(result.record).toEqual({
      request_id: "r1",
      function: "checkout",
      stage: "app",
      error_code: null,
      time: 1459443201087,
      status: 502,
      latency_ms: 812,
      upstream_status: 503,
      upstream_latency_ms: 790,
    });
    expect([...result.sources]).toEqual([
      ["status", "res.statusCode"],
      ["latency_ms", "request_time"],
      ["upstream_status", "upstream.status"],
      ["upstream_latency_ms", "upstream.ms"],
    ]);
    expect(validateRecord(result.record, { strict: true, allowed: new Set() }).ok).toBe(true);
  });

  it("a rule for a timestamp replaces every timestamp key of the line", () => {
    const result = mapped(
      applyMapping({ ...line, ts: "2026-01-01T00:00:00Z" }, compileRules(["time=level:s"])),
    );
    expect(result.record.ts).toBeUndefined();
    expect(result.record.time).toBe(30_000);
  });

  it("a path that is absent leaves the field missing, and the violation names both", () => {
    expect(reasonOf({ ...line, res: {} }, specs)).toBe(
      "status (from res.statusCode): missing (expected an integer 100–599)",
    );
  });

  it("a value is not coerced: the violation names both and shows the value as logged", () => {
    expect(reasonOf({ ...line, res: { statusCode: "502" } }, specs)).toBe(
      'status (from res.statusCode): expected an integer 100–599, got the string "502"',
    );
    expect(reasonOf({ ...line, request_time: "-" }, specs)).toBe(
      'latency_ms (from request_time): expected a finite number ≥ 0, got the string "-"',
    );
  });

  it("several violations are each named, in the kind as in the reason", () => {
    const mapper = createMapper({ map: specs });
    if (mapper === null) throw new Error("no mapper");
    const result = validateMapped(
      { ...line, stage: "", res: { statusCode: 0 }, upstream: { status: "down" } },
      mapper,
      lenient,
    );
    expect(result).toEqual({
      ok: false,
      kind: "stage: expected a string of 1–128 characters",
      reason:
        'stage: expected a string of 1–128 characters, got the string ""; ' +
        "status (from res.statusCode): expected an integer 100–599, got the number 0; " +
        'upstream_status (from upstream.status): expected an integer 100–599, "timeout" or null, got the string "down"; ' +
        "upstream_latency_ms (from upstream.ms): missing (expected a finite number ≥ 0 or null)",
    });
  });

  it("a line that is not an object is the schema's violation", () => {
    expect(applyMapping([1, 2], compileRules(specs))).toEqual({
      kind: "not a JSON object",
      problem: "expected a JSON object, got an array",
    });
  });
});

describe("nameSources", () => {
  const sources = new Map([
    ["status", "res.statusCode"],
    ["latency_ms", "responseTime"],
  ]);

  it("names the source of each field it knows, and leaves the others", () => {
    expect(nameSources("status: expected an integer 100–599, got the number 0", sources)).toBe(
      "status (from res.statusCode): expected an integer 100–599, got the number 0",
    );
    expect(nameSources("status: expected an integer 100–599", sources)).toBe(
      "status (from res.statusCode): expected an integer 100–599",
    );
    expect(nameSources("stage: missing (expected a string of 1–128 characters)", sources)).toBe(
      "stage: missing (expected a string of 1–128 characters)",
    );
    expect(nameSources("expected a JSON object, got an array", sources)).toBe(
      "expected a JSON object, got an array",
    );
    expect(nameSources('unknown field "x" (strict mode)', sources)).toBe('unknown field "x" (strict mode)');
  });

  it('a "; " inside a quoted value is not a boundary between problems', () => {
    const reason =
      'request_id: expected a string of 1–256 characters, got the string "a; status: b\\"; latency_ms: c"; status: missing (expected an integer 100–599)';
    expect(nameSources(reason, sources)).toBe(
      'request_id: expected a string of 1–256 characters, got the string "a; status: b\\"; latency_ms: c"; status (from res.statusCode): missing (expected an integer 100–599)',
    );
  });

  it("property: on any reason the schema words, it only inserts the sources, one per named field", () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.string().map((s) => `${s}; status: "${s}`),
    );
    const field = fc.constantFrom(...REQUIRED_FIELDS);
    fc.assert(
      fc.property(fc.dictionary(field, value), fc.subarray([...REQUIRED_FIELDS]), (record, fields) => {
        const result = validateRecord(record, lenient);
        if (result.ok) return;
        const map = new Map<M1Field, string>(fields.map((f) => [f, `src.${f}`]));
        const renamed = nameSources(result.reason, map);
        expect(renamed.replaceAll(/ \(from src\.[a-z_]+\)/g, "")).toBe(result.reason);
        const named = explainWithZod(record, undefined).filter((problem) =>
          map.has(problem.field as M1Field),
        );
        expect(renamed.match(/ \(from src\.[a-z_]+\)/g)?.length ?? 0).toBe(named.length);
      }),
    );
  });
});
