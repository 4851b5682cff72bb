import { stat } from "node:fs/promises";
import { Command, InvalidArgumentError } from "commander";
import type { SourceSpec } from "../input/read-source.js";
import {
  DEFAULT_CONFIG_FILE,
  loadConfig,
  resolveSettings,
  type Config,
  type SettingFlags,
  type Settings,
} from "../config/config.js";
import { InputError } from "../input-error.js";
import { describeValue } from "../m1/describe-value.js";
import { MapSpecError, parseMapSpec, PRESETS } from "../presets/index.js";
import { DEFAULT_LIMITS, type IntakeLimits } from "../m1/intake.js";
import { VERDICTS, type Verdict } from "../m1/rules.js";
import { parseNameList, parseNonNegative, parsePositiveInteger, parseShare } from "../options.js";
import { defaultJobs } from "../read-logs.js";
import { parseDuration, resolveTimeWindow, type TimeWindow } from "../time/time-window.js";

/** The flags every command that reads logs shares (report, check, explain). */
export interface InputFlags {
  readonly config?: string | false;
  readonly slowMs?: number;
  readonly upstreamShare?: number;
  readonly strict?: boolean;
  readonly allowFields?: string[];
  readonly maxLineBytes: number;
  readonly maxDepth: number;
  readonly maxUnknownFields: number;
  readonly jobs: number;
  readonly preset?: string;
  readonly map?: string[];
  readonly since?: string;
  readonly until?: string;
}

/** Adds the input flags to a command. Thresholds have no commander default: the config file may set them. */
export function addInputOptions(
  command: Command,
  options: { readonly window: boolean } = { window: true },
): Command {
  command
    .option("--config <file>", `settings file (JSON; default ./${DEFAULT_CONFIG_FILE} when present)`)
    .option("--no-config", `do not read ./${DEFAULT_CONFIG_FILE}`)
    .option("--slow-ms <ms>", "a unit is slow at this merged latency_ms (default 1000)", parseNonNegative)
    .option(
      "--upstream-share <ratio>",
      "APP_BOTTLENECK when upstream latency ≤ this share of latency (default 0.2)",
      parseShare,
    )
    .option("--strict", "unknown fields make a record invalid")
    .option("--allow-fields <names>", "unknown fields to accept silently (comma-separated)", parseNameList)
    .option("--preset <name>", "read proxy or app logs: nginx, envoy, pino (docs/presets.md)")
    .option(
      "--map <M1FIELD=PATH>",
      "map a field, e.g. latency_ms=request_time:s (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    );
  if (options.window) {
    command
      .option("--since <time>", "leave out records before this ISO-8601 time or duration ago (30m, 2h, 1d)")
      .option("--until <time>", "leave out records from this time on (same forms as --since)");
  }
  return command
    .option(
      "--max-line-bytes <n>",
      "longest line accepted; longer ones are violations",
      parsePositiveInteger,
      1024 * 1024,
    )
    .option(
      "--max-depth <n>",
      "deepest nesting of arrays and objects accepted in a line",
      parsePositiveInteger,
      64,
    )
    .option(
      "--max-unknown-fields <n>",
      "unknown field names listed by name (the most frequent); the rest are counted together",
      parsePositiveInteger,
      1000,
    )
    .option(
      "-j, --jobs <n>",
      "reading threads (1: this thread only; at most 64); used for files of 16 MiB or more, for stdin past 16 MiB",
      parsePositiveInteger,
      defaultJobs(),
    );
}

/** Adds the CI gate flags (report only). */
export function addGateOptions(command: Command): Command {
  return command
    .option(
      "--fail-on <verdicts>",
      "exit 1 when the overall or a function's verdict is one of these",
      parseVerdicts,
    )
    .option("--max-invalid <ratio>", "exit 1 when invalid / (valid + invalid) exceeds this", parseShare)
    .option("--max-unknown <ratio>", "exit 1 when UNKNOWN incidents / all incidents exceed this", parseShare);
}

/** Parses `--fail-on VENDOR,APPLICATION`. */
export function parseVerdicts(value: string): Verdict[] {
  const names = parseNameList(value);
  for (const name of names) {
    if (!VERDICTS.includes(name as Verdict)) {
      throw new InvalidArgumentError(
        `unknown verdict ${JSON.stringify(name)}; expected some of ${VERDICTS.join(", ")}.`,
      );
    }
  }
  return names as Verdict[];
}

/** Parses a duration flag (`--bucket 30m`, `--interval 2s`). */
export function parseDurationFlag(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** The configuration file (unless --no-config) combined with the flags: the settings in effect. */
export async function loadSettings(flags: InputFlags, more: SettingFlags = {}): Promise<Settings> {
  const file = flags.config === false ? null : (flags.config ?? DEFAULT_CONFIG_FILE);
  const config = file === null ? null : await loadConfig(file, { explicit: flags.config !== undefined });
  if (file !== null && config !== null) checkMapping(config, file);
  return resolveSettings(config, {
    ...more,
    ...defined({
      slowMs: flags.slowMs,
      upstreamShare: flags.upstreamShare,
      strict: flags.strict,
      allowFields: flags.allowFields,
      map: flags.map,
      preset: flags.preset,
    }),
  });
}

/**
 * The file's `map` rules and `preset` are parsed when reading starts, where a bad one would be named as
 * if it were a flag (`--map "…"`); checked here, the error names the file and the key instead.
 */
function checkMapping(config: Config, file: string): void {
  (config.map ?? []).forEach((spec, i) => {
    try {
      parseMapSpec(spec);
    } catch (error) {
      if (!(error instanceof MapSpecError)) throw error;
      const flag = `--map ${JSON.stringify(spec)}: `;
      const detail = error.message.startsWith(flag) ? error.message.slice(flag.length) : error.message;
      throw new InputError(`${file}: map[${i}]: ${detail}`);
    }
  });
  if (config.preset !== undefined && !PRESETS.has(config.preset)) {
    throw new InputError(
      `${file}: preset: expected one of ${[...PRESETS.keys()].join(", ")}, got ${describeValue(config.preset)}`,
    );
  }
}

/** The resource limits the flags set (each reported when hit). */
export function limitsOf(flags: InputFlags): IntakeLimits {
  return { ...DEFAULT_LIMITS, maxDepth: flags.maxDepth, unknownFieldNames: flags.maxUnknownFields };
}

/** The time window of --since/--until, read against the clock now. */
export function timeWindowOf(flags: InputFlags): TimeWindow | null {
  return resolveTimeWindow(defined({ since: flags.since, until: flags.until }), new Date());
}

/** Files → sources: `-` (or none) is stdin. */
export function sourceSpecs(files: readonly string[]): SourceSpec[] {
  if (files.length === 0) return [{ kind: "stdin" }];
  return files.map((f) => (f === "-" ? { kind: "stdin" } : { kind: "file", path: f }));
}

/** The total size of the files among the sources, for the progress line's share done (null: stdin). */
export async function totalBytes(specs: readonly SourceSpec[]): Promise<number | null> {
  let total = 0;
  for (const spec of specs) {
    if (spec.kind === "stdin") return null;
    try {
      total += (await stat(spec.path)).size;
    } catch {
      // Reading will name the file and say what is wrong with it.
    }
  }
  return total;
}

/** The usage shown when no file is given and stdin is a terminal: reading would wait for typing. */
export const NO_INPUT =
  "attribute: no input. Give log files, or pipe logs in:\n" +
  "  attribute logs.ndjson\n  kubectl logs deploy/api | attribute\n(attribute --help for more)\n";

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
