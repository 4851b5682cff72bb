import { envoyPreset } from "./envoy.js";
import { applyMapping, compileRules, MapSpecError, type MappingResult, type Preset } from "./field-map.js";
import { nginxPreset } from "./nginx.js";
import { pinoPreset } from "./pino.js";

/** The presets by name (`--preset NAME`), in name order. Each is documented in docs/presets.md. */
export const PRESETS: ReadonlyMap<string, Preset> = new Map(
  [envoyPreset, nginxPreset, pinoPreset].map((preset) => [preset.name, preset]),
);

/** Turns one parsed line into the M1 object to validate, or the reason it cannot be one. */
export type Mapper = (value: unknown) => MappingResult;

/** What selects a mapping: `--preset` and the `--map` rules (configuration file first, then flags). */
export interface MappingOptions {
  readonly preset?: string | undefined;
  readonly map?: readonly string[] | undefined;
}

/**
 * The mapper for a run, or null when neither a preset nor a rule is given (the records are M1 as they
 * are). Built from names and strings only, so a worker thread can build the same mapper from the same
 * options. Throws a MapSpecError for an unknown preset or a bad rule.
 */
export function createMapper(options: MappingOptions): Mapper | null {
  const rules = compileRules(options.map ?? []);
  let preset: Preset | undefined;
  if (options.preset !== undefined) {
    preset = PRESETS.get(options.preset);
    if (preset === undefined) {
      throw new MapSpecError(
        `--preset ${JSON.stringify(options.preset)}: unknown preset; expected one of ${[...PRESETS.keys()].join(", ")}`,
      );
    }
  }
  if (preset === undefined && rules.length === 0) return null;
  return (value) => applyMapping(value, rules, preset);
}

export {
  applyMapping,
  compileRules,
  isProblem,
  MapSpecError,
  nameSources,
  parseMapSpec,
  type M1Field,
  type MapRule,
  type Mapped,
  type MappingProblem,
  type MappingResult,
  type Preset,
} from "./field-map.js";
