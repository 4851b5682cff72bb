import * as z from "zod";
import { describeZodIssue } from "../describe-zod-issue.js";
import { VERDICTS } from "../m1/rules.js";
import { FORMATS } from "../options.js";
import { InputError } from "../input-error.js";
import { withoutUndefined, type Config, type FunctionOverrides } from "./config.js";

/*
 * The schema of attribute.config.json, in zod. A module of its own, imported only when a configuration
 * file is read: zod takes ~50 ms to load, and a run without a file should not pay it.
 */

// Every schema states what it expects, so that a message reads `key: expected …, got …`.
const expected = (what: string) => ({ error: `expected ${what}` });
const milliseconds = z.number(expected("a number ≥ 0")).min(0, expected("a number ≥ 0"));
const ratio = z
  .number(expected("a number from 0 to 1"))
  .min(0, expected("a number from 0 to 1"))
  .max(1, expected("a number from 0 to 1"));
const nonEmptyString = z.string(expected("a non-empty string")).min(1, expected("a non-empty string"));
const strings = z.array(nonEmptyString, expected("an array of strings"));

const FUNCTION_KEYS = ["slowMs", "upstreamShare"] as const;
const FunctionOverridesSchema = z.strictObject(
  { slowMs: milliseconds.optional(), upstreamShare: ratio.optional() },
  expected('an object such as { "slowMs": 300 }'),
);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const ConfigSchema = z.strictObject(
  {
    slowMs: milliseconds.optional(),
    upstreamShare: ratio.optional(),
    // Checked entry by entry below: z.record copies into a plain object, where `__proto__` is lost.
    functions: z
      .custom<Record<string, unknown>>(
        isPlainObject,
        expected('an object such as { "search": { "slowMs": 300 } }'),
      )
      .optional(),
    allowFields: strings.optional(),
    strict: z.boolean(expected("true or false")).optional(),
    format: z.enum(FORMATS, expected(`one of ${FORMATS.join(", ")}`)).optional(),
    failOn: z
      .array(
        z.enum(VERDICTS, expected(`a verdict: ${VERDICTS.join(", ")}`)),
        expected("an array of verdicts"),
      )
      .optional(),
    maxInvalid: ratio.optional(),
    maxUnknown: ratio.optional(),
    map: z.array(nonEmptyString, expected('an array of "M1FIELD=PATH" strings')).optional(),
    preset: nonEmptyString.optional(),
  },
  expected("a JSON object"),
);

const TOP_KEYS = Object.keys(ConfigSchema.shape);

/**
 * Validates a parsed configuration; `file` names it in errors. Throws an InputError whose message names
 * the file, the key path, what was expected and what was found, plus how many more problems there are.
 */
export function parseConfig(value: unknown, file: string): Config {
  const problems: string[] = [];
  const allowedKeys = (path: readonly PropertyKey[]): readonly string[] =>
    path.length === 0 ? TOP_KEYS : path.length === 2 && path[0] === "functions" ? FUNCTION_KEYS : [];
  const top = ConfigSchema.safeParse(value);
  if (!top.success)
    for (const issue of top.error.issues) problems.push(describeZodIssue(issue, value, allowedKeys));
  const functions = new Map<string, FunctionOverrides>();
  const rawFunctions =
    isPlainObject(value) && Object.hasOwn(value, "functions") ? value.functions : undefined;
  if (isPlainObject(rawFunctions)) {
    // Object.entries gives own keys only, `__proto__` included as JSON.parse made it.
    for (const [name, overrides] of Object.entries(rawFunctions)) {
      const result = FunctionOverridesSchema.safeParse(overrides);
      if (result.success) {
        functions.set(name, withoutUndefined(result.data));
        continue;
      }
      for (const issue of result.error.issues) {
        const path = ["functions", name, ...issue.path];
        problems.push(describeZodIssue({ ...issue, path }, value, allowedKeys));
      }
    }
  }
  if (problems.length > 0 || !top.success) {
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})`
        : "";
    throw new InputError(`${file}: ${problems[0] ?? "invalid"}${more}`);
  }
  const { slowMs, upstreamShare, allowFields, strict, format, failOn, maxInvalid, maxUnknown, map, preset } =
    top.data;
  const settings = {
    slowMs,
    upstreamShare,
    allowFields,
    strict,
    format,
    failOn,
    maxInvalid,
    maxUnknown,
    map,
    preset,
  };
  return { ...withoutUndefined(settings), functions };
}
