import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TIME_FIELDS } from "../../src/m1/record.js";
import { SAMPLE_RECORD } from "../helpers.js";
import {
  acceptsQuickly,
  explainWithZod,
  validateRecord,
  type FieldPolicy,
} from "../../src/m1/validate-record.js";

const lenient: FieldPolicy = { strict: false, allowed: new Set() };
const strict: FieldPolicy = { strict: true, allowed: new Set() };

const good = SAMPLE_RECORD;

const reasonFor = (value: unknown, policy = lenient): string => {
  const result = validateRecord(value, policy);
  if (result.ok) throw new Error("expected a violation");
  return result.reason;
};

describe("SPEC 1: the M1 record", () => {
  it("accepts a record with the eight required fields", () => {
    const result = validateRecord(good, lenient);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.record).toMatchObject({ ...good, timeMs: null });
  });

  it("accepts nulls where the spec allows them and the string timeout", () => {
    const value = { ...good, error_code: null, upstream_status: "timeout", upstream_latency_ms: null };
    expect(validateRecord(value, lenient).ok).toBe(true);
    expect(validateRecord({ ...good, upstream_status: null }, lenient).ok).toBe(true);
  });

  it('SPEC 1: no value is coerced: the string "500" is a violation that says so', () => {
    expect(reasonFor({ ...good, status: "500" })).toBe(
      'status: expected an integer 100–599, got the string "500"',
    );
  });

  it.each([
    ["status", 99, "status: expected an integer 100–599, got the number 99"],
    ["status", 600, "status: expected an integer 100–599, got the number 600"],
    ["status", 500.5, "status: expected an integer 100–599, got the number 500.5"],
    ["latency_ms", -1, "latency_ms: expected a finite number ≥ 0, got the number -1"],
    ["latency_ms", null, "latency_ms: expected a finite number ≥ 0, got null"],
    [
      "upstream_status",
      1000,
      'upstream_status: expected an integer 100–599, "timeout" or null, got the number 1000',
    ],
    [
      "upstream_status",
      0,
      'upstream_status: expected an integer 100–599, "timeout" or null, got the number 0',
    ],
    [
      "upstream_status",
      "TIMEOUT",
      'upstream_status: expected an integer 100–599, "timeout" or null, got the string "TIMEOUT"',
    ],
    [
      "upstream_latency_ms",
      "5",
      'upstream_latency_ms: expected a finite number ≥ 0 or null, got the string "5"',
    ],
    ["error_code", 7, "error_code: expected a string of 1–128 characters or null, got the number 7"],
    ["error_code", "", 'error_code: expected a string of 1–128 characters or null, got the string ""'],
    ["request_id", "", 'request_id: expected a string of 1–256 characters, got the string ""'],
    ["function", true, "function: expected a string of 1–256 characters, got the boolean true"],
    ["stage", ["a"], "stage: expected a string of 1–128 characters, got an array"],
  ])("SPEC 1: %s = %j is a violation", (field, value, reason) => {
    expect(reasonFor({ ...good, [field]: value })).toBe(reason);
  });

  it("SPEC 1: string lengths are counted in characters, with the limits at 256 and 128", () => {
    expect(validateRecord({ ...good, request_id: "x".repeat(256) }, lenient).ok).toBe(true);
    expect(validateRecord({ ...good, request_id: "x".repeat(257) }, lenient).ok).toBe(false);
    expect(validateRecord({ ...good, stage: "😀".repeat(128) }, lenient).ok).toBe(true);
    expect(validateRecord({ ...good, stage: "😀".repeat(129) }, lenient).ok).toBe(false);
    expect(validateRecord({ ...good, error_code: "e".repeat(129) }, lenient).ok).toBe(false);
  });

  it("SPEC 1: a missing required key is a violation naming it", () => {
    const rest: Record<string, unknown> = { ...good };
    delete rest.status;
    expect(reasonFor(rest)).toBe("status: missing (expected an integer 100–599)");
  });

  it("reports every problem of a record in one line, counted under the first", () => {
    const result = validateRecord({ ...good, status: "500", latency_ms: -3 }, lenient);
    expect(result).toEqual({
      ok: false,
      kind: "status: expected an integer 100–599",
      reason:
        'status: expected an integer 100–599, got the string "500"; latency_ms: expected a finite number ≥ 0, got the number -3',
    });
  });

  it.each([
    [null, "expected a JSON object, got null"],
    ["just a string", 'expected a JSON object, got the string "just a string"'],
    [[1, 2], "expected a JSON object, got an array"],
    [42, "expected a JSON object, got the number 42"],
  ])("SPEC 1: a JSON value that is not an object (%j) is a violation", (value, reason) => {
    expect(reasonFor(value)).toBe(reason);
  });

  it("SPEC 1: infinite numbers are not finite (1e400 parses to Infinity)", () => {
    expect(
      reasonFor(
        JSON.parse(
          '{"request_id":"r","function":"f","stage":"s","status":200,"latency_ms":1e400,"error_code":null,"upstream_status":null,"upstream_latency_ms":null}',
        ),
      ),
    ).toBe("latency_ms: expected a finite number ≥ 0, got the number Infinity");
  });

  describe("SPEC 1: timestamps", () => {
    it("reads ts, timestamp or time, ISO-8601 or epoch milliseconds", () => {
      const at = Date.UTC(2026, 10, 25, 3, 3, 44, 534);
      for (const key of TIME_FIELDS) {
        for (const value of ["2026-11-25T03:03:44.534Z", "2026-11-25T04:03:44.534+01:00", at]) {
          const result = validateRecord({ ...good, [key]: value }, lenient);
          expect(result.ok && result.record.timeMs).toBe(at);
        }
      }
    });

    it("takes the first of ts, timestamp, time that is present", () => {
      const result = validateRecord({ ...good, time: 5, timestamp: 4, ts: 3 }, lenient);
      expect(result.ok && result.record.timeMs).toBe(3);
      const second = validateRecord({ ...good, time: 5, timestamp: 4 }, lenient);
      expect(second.ok && second.record.timeMs).toBe(4);
    });

    it("reads an ISO time without a zone as UTC, whatever TZ is", () => {
      const result = validateRecord({ ...good, ts: "2026-11-25T03:03:44" }, lenient);
      expect(result.ok && result.record.timeMs).toBe(Date.UTC(2026, 10, 25, 3, 3, 44));
    });

    it.each([["yesterday"], [true], [null], [{}], ["2026-13-45T99:00:00Z"]])(
      "SPEC 1: a timestamp that is present but neither ISO-8601 nor a finite number (%j) is a violation",
      (value) => {
        expect(reasonFor({ ...good, ts: value })).toMatch(
          /^ts: expected an ISO-8601 string or epoch milliseconds, got /,
        );
      },
    );
  });

  describe("SPEC 1: unknown fields", () => {
    it("are counted by name and do not make a record invalid", () => {
      const result = validateRecord({ ...good, level: "info", __proto__x: 1 }, lenient);
      expect(result.ok && result.unknownFields).toEqual(["level", "__proto__x"]);
    });

    it("treat __proto__ and constructor as plain names", () => {
      const value = JSON.parse('{"__proto__":{"polluted":1},"constructor":2}') as object;
      const result = validateRecord({ ...good, ...value }, lenient);
      expect(result.ok && result.unknownFields).toEqual(["__proto__", "constructor"]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("make a record invalid in strict mode", () => {
      expect(reasonFor({ ...good, level: "info" }, strict)).toBe('unknown field "level" (strict mode)');
    });

    it("named in the allowlist are silenced, also in strict mode", () => {
      const policy: FieldPolicy = { strict: true, allowed: new Set(["level"]) };
      const result = validateRecord({ ...good, level: "info", ts: 1 }, policy);
      expect(result.ok && result.unknownFields).toEqual([]);
    });
  });
});

describe("the fast acceptor agrees with the zod schema (differential)", () => {
  const fieldValue = fc.oneof(
    fc.constant(null),
    fc.constant("timeout"),
    fc.constant(""),
    fc.string({ maxLength: 300 }),
    fc.integer({ min: -5, max: 1200 }),
    fc.double(),
    fc.constantFrom(
      100,
      199,
      200,
      399,
      400,
      499,
      500,
      599,
      600,
      0,
      -0,
      Number.POSITIVE_INFINITY,
      500.5,
      Number.MAX_VALUE,
    ),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 2 }),
    fc.constant({}),
  );
  const mutated = fc
    .record({
      drop: fc.subarray(Object.keys(good)),
      change: fc.dictionary(fc.constantFrom(...Object.keys(good), "ts", "time"), fieldValue, { maxKeys: 3 }),
    })
    .map(({ drop, change }) => {
      const value: Record<string, unknown> = { ...good, ...change };
      for (const key of drop) delete value[key];
      return value;
    });

  it("accepts quickly only what zod accepts, and zod accepts only what the fast path would", () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.anything()), (value) => {
        if (typeof value !== "object" || value === null || Array.isArray(value)) return;
        const object = value as Record<string, unknown>;
        const zodProblems = explainWithZod(object, undefined).filter(
          (p) => !TIME_FIELDS.includes(p.field as never),
        );
        expect(acceptsQuickly(object)).toBe(zodProblems.length === 0);
      }),
      { seed: 20261126, numRuns: 2000 },
    );
  });

  it("gives the same verdict and reason whatever path a record takes", () => {
    fc.assert(
      fc.property(mutated, (value) => {
        const result = validateRecord(value, lenient);
        const timeKey = TIME_FIELDS.find((k) => Object.hasOwn(value, k));
        const problems = explainWithZod(value, timeKey);
        expect(result.ok).toBe(problems.length === 0);
        if (!result.ok) expect(result.reason).toBe(problems.map((p) => p.message).join("; "));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
