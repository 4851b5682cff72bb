import * as z from "zod";
import { describeZodIssue } from "../describe-zod-issue.js";
import type { GateOptions } from "../gates/gates.js";
import { InputError } from "../input-error.js";
import { DEFAULT_THRESHOLDS, VERDICTS, type Thresholds, type Verdict } from "../m1/rules.js";
import { FORMATS, type Format } from "../options.js";
import { readJsonFile } from "../read-json-file.js";

/** The file read from the working directory when no `--config` is given (and `--no-config` is not). */
export const DEFAULT_CONFIG_FILE = "attribute.config.json";

/** Thresholds one function overrides (`functions: { "search": { "slowMs": 300 } }`). */
export type FunctionOverrides = Partial<Thresholds>;

/** A validated `attribute.config.json`: every key optional, and none that the schema does not know. */
export interface Config {
  readonly slowMs?: number;
  readonly upstreamShare?: number;
  /**
   * Per-function overrides. A Map, not an object: names come from users and logs, and `__proto__` is a
   * name like any other.
   */
  readonly functions: ReadonlyMap<string, FunctionOverrides>;
  readonly allowFields?: readonly string[];
  readonly strict?: boolean;
  readonly format?: Format;
  readonly failOn?: readonly Verdict[];
  readonly maxInvalid?: number;
  readonly maxUnknown?: number;
  /** `M1FIELD=PATH` field mappings; only checked to be strings here, the mapper parses them. */
  readonly map?: readonly string[];
  readonly preset?: string;
}

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

/**
 * Reads a configuration file. Returns null when the default file is absent (having none is normal);
 * a missing explicit `--config` file, unreadable file, bad JSON or bad key is an InputError (exit 2).
 */
export async function loadConfig(
  path: string,
  options: { readonly explicit: boolean },
): Promise<Config | null> {
  const value = await readJsonFile(path, { missingOk: !options.explicit });
  if (value === undefined) return null;
  return parseConfig(value, path);
}

/**
 * The settings given as flags: the same keys as the file but `functions`; undefined means the flag was
 * not given (so the file's value stands).
 */
export type SettingFlags = Omit<Config, "functions">;

/** The settings in effect for a run, after defaults, the configuration file and the flags. */
export interface Settings {
  /** The thresholds for every function without an override. */
  readonly thresholds: Thresholds;
  /** The per-function overrides still in effect (a threshold given as a flag overrides them all). */
  readonly overrides: ReadonlyMap<string, FunctionOverrides>;
  /** The thresholds for one function. */
  readonly thresholdsFor: (fn: string) => Thresholds;
  readonly allowFields: readonly string[];
  readonly strict: boolean;
  readonly format: Format;
  readonly gates: GateOptions;
  readonly map: readonly string[];
  readonly preset: string | undefined;
}

/**
 * Combines the configuration (or none) with the flags: a flag overrides the file, per-function
 * overrides included, as CLI options override config files in ESLint and Prettier (the person at the
 * terminal asked for that value now). `--allow-fields` and `--map` add to the file's lists instead:
 * allowing one more field should not un-allow the others, and a later mapping of a field wins.
 */
export function resolveSettings(config: Config | null, flags: SettingFlags): Settings {
  const thresholds: Thresholds = {
    slowMs: flags.slowMs ?? config?.slowMs ?? DEFAULT_THRESHOLDS.slowMs,
    upstreamShare: flags.upstreamShare ?? config?.upstreamShare ?? DEFAULT_THRESHOLDS.upstreamShare,
  };
  const overrides = new Map<string, FunctionOverrides>();
  for (const [name, o] of config?.functions ?? []) {
    const kept = withoutUndefined({
      slowMs: flags.slowMs === undefined ? o.slowMs : undefined,
      upstreamShare: flags.upstreamShare === undefined ? o.upstreamShare : undefined,
    });
    if (Object.keys(kept).length > 0) overrides.set(name, kept);
  }
  const thresholdsFor = (fn: string): Thresholds => {
    const o = overrides.get(fn);
    if (o === undefined) return thresholds;
    return {
      slowMs: o.slowMs ?? thresholds.slowMs,
      upstreamShare: o.upstreamShare ?? thresholds.upstreamShare,
    };
  };
  const gates: GateOptions = withoutUndefined({
    failOn: flags.failOn ?? config?.failOn,
    maxInvalid: flags.maxInvalid ?? config?.maxInvalid,
    maxUnknown: flags.maxUnknown ?? config?.maxUnknown,
  });
  return {
    thresholds,
    overrides,
    thresholdsFor,
    allowFields: [...new Set([...(config?.allowFields ?? []), ...(flags.allowFields ?? [])])],
    strict: flags.strict ?? config?.strict ?? false,
    format: flags.format ?? config?.format ?? "table",
    gates,
    map: [...(config?.map ?? []), ...(flags.map ?? [])],
    preset: flags.preset ?? config?.preset,
  };
}

/** Drops keys whose value is undefined, so that an absent key and an unset one look the same. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
