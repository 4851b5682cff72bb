import type * as z from "zod";
import { describeValue } from "./m1/describe-value.js";

/** A key path as a person would type it: `functions.search.slowMs`, `failOn[1]`, `functions["a.b"]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** The value at a key path, reading own properties only (a key named `__proto__` is data, not a link). */
export function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** The keys an object at a path may hold, for the "unknown key" message; empty when unknown. */
export type AllowedKeys = (path: readonly PropertyKey[]) => readonly string[];

/**
 * One zod issue as one line: `functions.search.slowMs: expected a number ≥ 0, got the string "300"`.
 * The schemas set each message to `expected …`; the value is read back from the input, so the line
 * says what was found, and an unknown key names the allowed ones (a typo must not pass unnoticed).
 */
export function describeZodIssue(issue: z.core.$ZodIssue, input: unknown, allowedKeys?: AllowedKeys): string {
  const where = issue.path.length === 0 ? "" : `${formatKeyPath(issue.path)}: `;
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeys?.(issue.path) ?? [];
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    const hints = issue.keys.flatMap((k) => {
      const match = allowed.find((a) => looseName(a) === looseName(k));
      return match === undefined ? [] : [`did you mean ${match}?`];
    });
    const noun = issue.keys.length === 1 ? "unknown key" : "unknown keys";
    const tail = allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
    return `${where}${noun} ${keys}${hints.length > 0 ? `: ${hints.join(" ")}` : ""}${tail}`;
  }
  const value = valueAt(input, issue.path);
  if (value === undefined) return `${where}missing (${issue.message})`;
  return `${where}${issue.message}, got ${describeValue(value)}`;
}

/** `slow_ms`, `slow-ms` and `SlowMS` are all a mistyped `slowMs`. */
function looseName(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, "");
}
