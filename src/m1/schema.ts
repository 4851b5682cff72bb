import type * as zod from "zod";
import { EXPECTED, lengthWithin, STATUS_MAX, STATUS_MIN, STRING_LIMITS } from "./field-rules.js";
import { parseTimestamp } from "./parse-timestamp.js";

type Zod = typeof zod;

/**
 * The M1 record schema of SPEC.md section 1, in zod: the source of truth for what a valid record is
 * and for the violation messages. It is built from the `z` it is given so that zod is loaded only when a
 * record needs it (see validate-record.ts): start-up stays fast on clean input.
 */
export function createM1Schema(z: Zod) {
  const text = (max: number) => z.string().refine((s) => lengthWithin(s, 1, max));
  const status = z.int().min(STATUS_MIN).max(STATUS_MAX);
  const millis = z.number().min(0);
  const timestamp = z.unknown().refine((value) => parseTimestamp(value) !== null);
  const record = z
    .object({
      request_id: text(STRING_LIMITS.request_id),
      function: text(STRING_LIMITS.function),
      stage: text(STRING_LIMITS.stage),
      status,
      latency_ms: millis,
      error_code: text(STRING_LIMITS.error_code).nullable(),
      upstream_status: z.union([status, z.literal("timeout")]).nullable(),
      upstream_latency_ms: millis.nullable(),
    })
    .loose();
  // Only the first timestamp key present is read, so it is checked on its own (see validate-record.ts).
  return { record, timestamp };
}

export type M1Schema = ReturnType<typeof createM1Schema>;

/** One violation of the schema, worded for a person: `status: expected an integer 100–599, got …`. */
export interface FieldProblem {
  /** The field, e.g. `status`. */
  readonly field: string;
  /** `status: missing` or `status: expected an integer 100–599`: the group it is counted under. */
  readonly kind: string;
  /** The whole message. */
  readonly message: string;
}

/** Words one zod issue as a `FieldProblem`. */
export function describeIssue(
  path: readonly PropertyKey[],
  input: unknown,
  record: Record<string, unknown>,
  describe: (v: unknown) => string,
): FieldProblem {
  const field = String(path[0] ?? "record");
  const expected = EXPECTED[field] ?? "a valid value";
  if (!Object.hasOwn(record, field)) {
    return { field, kind: `${field}: missing`, message: `${field}: missing (expected ${expected})` };
  }
  const kind = `${field}: expected ${expected}`;
  return { field, kind, message: `${kind}, got ${describe(input)}` };
}
