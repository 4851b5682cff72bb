import { createRequire } from "node:module";
import { describeValue } from "./describe-value.js";
import { lengthWithin, STATUS_MAX, STATUS_MIN, STRING_LIMITS } from "./field-rules.js";
import { parseTimestamp } from "./parse-timestamp.js";
import type { M1Record } from "./record.js";
import { isKnownField, TIME_FIELDS } from "./record.js";
import { createM1Schema, describeIssue, type FieldProblem, type M1Schema } from "./schema.js";

/** How unknown fields are treated (SPEC.md section 1). */
export interface FieldPolicy {
  /** Unknown fields make the record invalid. */
  readonly strict: boolean;
  /** Unknown fields that are neither counted nor, in strict mode, violations. */
  readonly allowed: ReadonlySet<string>;
}

export type Validation =
  | { readonly ok: true; readonly record: M1Record; readonly unknownFields: readonly string[] }
  | { readonly ok: false; readonly kind: string; readonly reason: string };

const NO_UNKNOWN: readonly string[] = [];

/**
 * Checks one parsed JSON value against SPEC.md section 1. A bad record is a result, never an exception.
 *
 * Clean records take a hand-written check that only ever accepts (no messages, no allocation beyond the
 * record). Anything it does not accept goes to the zod schema, which decides and words the reason; a
 * differential test (test/m1/validate-record.test.ts) holds the two to the same answers.
 */
export function validateRecord(value: unknown, policy: FieldPolicy): Validation {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      kind: "not a JSON object",
      reason: `expected a JSON object, got ${describeValue(value)}`,
    };
  }
  const object = value as Record<string, unknown>;
  const { timeKey, timeMs, accepted } = checkQuickly(object);
  if (!accepted) {
    const problems = explainWithZod(object, timeKey);
    if (problems.length > 0) return reject(problems);
  }
  const unknownFields = collectUnknown(object, policy);
  if (policy.strict && unknownFields.length > 0) {
    // At most five names, each clipped: the reason is one line, whatever the record holds.
    const shown = unknownFields
      .slice(0, 5)
      .map((name) => JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name));
    if (unknownFields.length > 5) shown.push(`and ${unknownFields.length - 5} more`);
    const names = shown.join(", ");
    const noun = unknownFields.length === 1 ? "unknown field" : "unknown fields";
    return { ok: false, kind: "unknown field (strict)", reason: `${noun} ${names} (strict mode)` };
  }
  return { ok: true, record: toRecord(object, timeMs), unknownFields };
}

/**
 * Whether `validateRecord` would ask the zod schema about this parsed value: an object that the
 * hand-written check does not accept. Worker threads hand such lines to the main thread, so that they
 * need not load zod for the few lines of a log that want it (parallel/worker.ts).
 */
export function needsSchema(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return !checkQuickly(value as Record<string, unknown>).accepted;
}

/** The record's timestamp, and whether the hand-written check accepts the record without zod. */
function checkQuickly(object: Record<string, unknown>): {
  timeKey: string | undefined;
  timeMs: number | null;
  accepted: boolean;
} {
  const timeKey = TIME_FIELDS.find((key) => Object.hasOwn(object, key));
  const timeMs = timeKey === undefined ? null : parseTimestamp(object[timeKey]);
  return { timeKey, timeMs, accepted: acceptsQuickly(object) && (timeKey === undefined || timeMs !== null) };
}

function reject(problems: readonly FieldProblem[]): Validation {
  const first = problems[0] as FieldProblem;
  return { ok: false, kind: first.kind, reason: problems.map((p) => p.message).join("; ") };
}

function toRecord(object: Record<string, unknown>, timeMs: number | null): M1Record {
  return {
    request_id: object.request_id as string,
    function: object.function as string,
    stage: object.stage as string,
    status: object.status as number,
    latency_ms: object.latency_ms as number,
    error_code: object.error_code as string | null,
    upstream_status: object.upstream_status as number | "timeout" | null,
    upstream_latency_ms: object.upstream_latency_ms as number | null,
    timeMs,
  };
}

function collectUnknown(object: Record<string, unknown>, policy: FieldPolicy): readonly string[] {
  let unknown: string[] | undefined;
  for (const key of Object.keys(object)) {
    if (isKnownField(key) || policy.allowed.has(key)) continue;
    (unknown ??= []).push(key);
  }
  return unknown ?? NO_UNKNOWN;
}

function isText(value: unknown, max: number): boolean {
  return typeof value === "string" && lengthWithin(value, 1, max);
}

function isStatus(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= STATUS_MIN && (value as number) <= STATUS_MAX;
}

function isMillis(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * True only for a record that is certainly valid; false means "ask zod". Exported for the differential
 * test that holds it to the zod schema. A missing key reads as
 * undefined and fails here; JSON.parse makes only own keys, so nothing is inherited.
 */
export function acceptsQuickly(o: Record<string, unknown>): boolean {
  return (
    isText(o.request_id, STRING_LIMITS.request_id) &&
    isText(o.function, STRING_LIMITS.function) &&
    isText(o.stage, STRING_LIMITS.stage) &&
    isStatus(o.status) &&
    isMillis(o.latency_ms) &&
    (o.error_code === null || isText(o.error_code, STRING_LIMITS.error_code)) &&
    (o.upstream_status === null || o.upstream_status === "timeout" || isStatus(o.upstream_status)) &&
    (o.upstream_latency_ms === null || isMillis(o.upstream_latency_ms))
  );
}

let schema: ReturnType<typeof createM1Schema> | undefined;

/** zod is loaded on the first record that needs it: most runs on clean logs never pay for it. */
function loadSchema(): { record: M1Schema["record"]; timestamp: M1Schema["timestamp"] } {
  if (schema === undefined) {
    const require = createRequire(import.meta.url);
    schema = createM1Schema(require("zod") as Parameters<typeof createM1Schema>[0]);
  }
  return schema;
}

/** Runs zod on a record the fast check did not accept, and words every problem it finds. */
export function explainWithZod(object: Record<string, unknown>, timeKey: string | undefined): FieldProblem[] {
  const { record, timestamp } = loadSchema();
  const problems: FieldProblem[] = [];
  const result = record.safeParse(object);
  if (!result.success) {
    const seen = new Set<string>();
    for (const issue of result.error.issues) {
      const problem = describeIssue(issue.path, valueAt(object, issue.path), object, describeValue);
      if (seen.has(problem.field)) continue;
      seen.add(problem.field);
      problems.push(problem);
    }
  }
  if (timeKey !== undefined && !timestamp.safeParse(object[timeKey]).success) {
    problems.push(describeIssue([timeKey], object[timeKey], object, describeValue));
  }
  return problems;
}

function valueAt(object: Record<string, unknown>, path: readonly PropertyKey[]): unknown {
  const key = path[0];
  return typeof key === "string" && Object.hasOwn(object, key) ? object[key] : undefined;
}
