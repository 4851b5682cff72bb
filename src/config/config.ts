import type { GateOptions } from "../gates/gates.js";
import { DEFAULT_THRESHOLDS, type Thresholds, type Verdict } from "../m1/rules.js";
import type { Format } from "../options.js";
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
  const { parseConfig } = await import("./parse-config.js");
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
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
