import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { classify, DEFAULT_THRESHOLDS, type Thresholds, type Verdict } from "../../src/m1/rules.js";
import type { FieldPolicy, Validation } from "../../src/m1/validate-record.js";
import type { Mapper } from "../../src/presets/index.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";

export const lenient: FieldPolicy = { strict: false, allowed: new Set() };

/** The parsed lines of test/fixtures/presets/<preset>/<file>, in order. */
export function fixtureLines(preset: string, file: string): unknown[] {
  const url = new URL(`../fixtures/presets/${preset}/${file}`, import.meta.url);
  return readFileSync(fileURLToPath(url), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

/** Every threshold setting a test cares about: the defaults, and one where every record is an incident. */
export const THRESHOLD_SETS: readonly Thresholds[] = [DEFAULT_THRESHOLDS, { slowMs: 0, upstreamShare: 0.2 }];

/** The verdict of a record that is a unit on its own, or null when the record is a violation. */
export function verdictOf(
  validation: Validation,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Verdict | null {
  if (!validation.ok) return null;
  const r = validation.record;
  return classify(
    {
      status: r.status,
      latencyMs: r.latency_ms,
      upstream: r.upstream_status,
      upstreamLatencyMs: r.upstream_latency_ms,
    },
    thresholds,
  );
}

/** What a case expects: the exact M1 object and its verdict, or the violation it is. */
export type Expected =
  | { readonly record: Record<string, unknown>; readonly verdict: Verdict }
  | { readonly record?: Record<string, unknown>; readonly violation: string; readonly kind?: string };

/** Checks one mapped line against what its case expects. */
export function expectCase(
  value: unknown,
  mapper: Mapper,
  expected: Expected,
  expect: (actual: unknown) => { toStrictEqual(e: unknown): void; toBe(e: unknown): void },
): void {
  const mapped = mapper(value);
  if (expected.record !== undefined) {
    if ("problem" in mapped) throw new Error(`expected a record, got the problem: ${mapped.problem}`);
    expect(mapped.record).toStrictEqual(expected.record);
  }
  const validation = validateMapped(value, mapper, lenient);
  if ("verdict" in expected) {
    if (!validation.ok) throw new Error(`expected a valid record, got: ${validation.reason}`);
    expect(verdictOf(validation)).toBe(expected.verdict);
  } else {
    expect(validation.ok ? "valid" : validation.reason).toBe(expected.violation);
    if (expected.kind !== undefined && !validation.ok) expect(validation.kind).toBe(expected.kind);
  }
}
