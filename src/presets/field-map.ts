import { InputError } from "../input-error.js";
import { describeValue } from "../m1/describe-value.js";
import { REQUIRED_FIELDS, TIME_FIELDS } from "../m1/record.js";

/** A field a mapping can fill: the eight required M1 fields and the timestamp keys (SPEC.md section 1). */
export type M1Field = (typeof REQUIRED_FIELDS)[number] | (typeof TIME_FIELDS)[number];

/** `:s` reads a duration or a time in seconds and writes milliseconds; `:ms` reads milliseconds. */
export type Unit = "s" | "ms";

/** One `M1FIELD=PATH[:s|:ms]` rule, parsed. */
export interface MapRule {
  readonly field: M1Field;
  /** The keys to follow from the top of the parsed record, e.g. `["res", "statusCode"]`. */
  readonly path: readonly string[];
  /** The path as the user wrote it (`res.statusCode`), for messages. */
  readonly pathText: string;
  readonly unit: Unit | null;
}

/**
 * What a mapping built: the M1 object to validate with the normal schema, and for each field read from
 * the input the path it came from, so a violation can name both (`nameSources`).
 */
export interface Mapped {
  readonly record: Record<string, unknown>;
  readonly sources: ReadonlyMap<M1Field, string>;
}

/** A line the mapping could not turn into an M1 object at all: a violation, like a schema violation. */
export interface MappingProblem {
  /** The group it is counted under, e.g. `not a JSON object`. */
  readonly kind: string;
  /** The one-line reason. */
  readonly problem: string;
}

export type MappingResult = Mapped | MappingProblem;

/** A documented mapping from one system's JSON log to M1 (docs/presets.md). */
export interface Preset {
  readonly name: string;
  /** One line for `--help` and error messages. */
  readonly description: string;
  /** Builds the M1 object of one parsed line, or says why the line cannot be one. Pure; never throws. */
  readonly toM1: (value: unknown) => MappingResult;
}

/** A bad `--map` rule or preset name: an expected failure, reported as one line (exit 2). */
export class MapSpecError extends InputError {}

const MAPPABLE: readonly M1Field[] = [...REQUIRED_FIELDS, ...TIME_FIELDS];
const DURATION_FIELDS: ReadonlySet<M1Field> = new Set<M1Field>([
  "latency_ms",
  "upstream_latency_ms",
  ...TIME_FIELDS,
]);
const UNITS: ReadonlySet<string> = new Set<Unit>(["s", "ms"]);
const SPEC_SHAPE = "expected M1FIELD=PATH[:s|:ms], e.g. status=res.statusCode or latency_ms=request_time:s";

export function isProblem(result: MappingResult): result is MappingProblem {
  return "problem" in result;
}

function isMappable(name: string): name is M1Field {
  return (MAPPABLE as readonly string[]).includes(name);
}

/**
 * Parses one `M1FIELD=PATH[:s|:ms]` rule. The unit is what follows the last `:`, so a path cannot hold a
 * `:`; a path segment is any non-empty text between dots (`res.statusCode`, `attempts.0.status`).
 * Throws a MapSpecError that says what is wrong and what was expected.
 */
export function parseMapSpec(spec: string): MapRule {
  const quoted = JSON.stringify(spec);
  const equals = spec.indexOf("=");
  if (equals < 0) throw new MapSpecError(`--map ${quoted}: ${SPEC_SHAPE}`);
  const field = spec.slice(0, equals).trim();
  if (!isMappable(field)) {
    throw new MapSpecError(
      `--map ${quoted}: unknown M1 field ${JSON.stringify(field)}; expected one of ${MAPPABLE.join(", ")}`,
    );
  }
  let pathText = spec.slice(equals + 1).trim();
  let unit: Unit | null = null;
  const colon = pathText.lastIndexOf(":");
  if (colon >= 0) {
    const suffix = pathText.slice(colon + 1);
    if (!UNITS.has(suffix)) {
      throw new MapSpecError(
        `--map ${quoted}: unknown unit ${JSON.stringify(":" + suffix)}; expected :s or :ms`,
      );
    }
    if (!DURATION_FIELDS.has(field)) {
      throw new MapSpecError(
        `--map ${quoted}: a unit applies only to latency_ms, upstream_latency_ms and the timestamp (${TIME_FIELDS.join(", ")})`,
      );
    }
    unit = suffix as Unit;
    pathText = pathText.slice(0, colon).trim();
  }
  if (pathText === "") throw new MapSpecError(`--map ${quoted}: the path is empty; ${SPEC_SHAPE}`);
  const path = pathText.split(".");
  if (path.some((segment) => segment === "")) {
    throw new MapSpecError(`--map ${quoted}: the path ${JSON.stringify(pathText)} has an empty segment`);
  }
  return { field, path, pathText, unit };
}

/**
 * Parses rules in order. A later rule for the same field replaces the earlier one, as a flag after the
 * configuration file's `map` does (src/config: "a later mapping of a field wins").
 */
export function compileRules(specs: readonly string[]): MapRule[] {
  const byField = new Map<M1Field, MapRule>();
  for (const spec of specs) {
    const rule = parseMapSpec(spec);
    byField.delete(rule.field);
    byField.set(rule.field, rule);
  }
  return [...byField.values()];
}

export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const NOT_FOUND: Lookup = { found: false };
const INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Follows a path into a parsed JSON value. Only own keys are followed (`Object.hasOwn`), so `__proto__`,
 * `constructor` or `toString` find a key of that name in the log or nothing, never the prototype; a
 * segment into an array must be an index within it.
 */
export function readPath(value: unknown, path: readonly string[]): Lookup {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current)) {
      if (!INDEX.test(key) || Number(key) >= current.length) return NOT_FOUND;
      current = current[Number(key)];
    } else if (typeof current === "object" && current !== null && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return NOT_FOUND;
    }
  }
  return { found: true, value: current };
}

const DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * Reads a quantity: a finite JSON number, or a string holding a plain decimal number (nginx writes
 * `"0.123"`, Envoy's `json_format` writes `"226"`). Anything else is null: not a quantity, left for the
 * schema to report.
 */
export function toQuantity(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && DECIMAL.test(value)) return Number(value);
  return null;
}

/**
 * Seconds to milliseconds, rounded to 15 significant digits so that the binary error of `× 1000` does not
 * show (`1.001` s is 1001 ms, not 1000.9999999999999).
 */
export function secondsToMs(seconds: number): number {
  return Number((seconds * 1000).toPrecision(15));
}

/**
 * The conversion a unit asks for. A value that is not a quantity (null, `"-"`, an object) is returned
 * unchanged: null stays null for the nullable fields, and anything else reaches the schema as it was
 * logged, so the violation shows it.
 */
export function applyUnit(value: unknown, unit: Unit): unknown {
  const quantity = toQuantity(value);
  if (quantity === null) return value;
  return unit === "s" ? secondsToMs(quantity) : quantity;
}

/** The violation for a line that is JSON but not an object, worded as the schema words it. */
export function notAnObject(value: unknown): MappingProblem {
  return { kind: "not a JSON object", problem: `expected a JSON object, got ${describeValue(value)}` };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Builds the M1 object of one parsed line. With a preset, the preset's mapping is the base; without one,
 * each M1 field is read from the key of the same name (and the first timestamp key present), so rules
 * need only name the fields a log spells differently. Then each rule sets its field from its path: a
 * path that is absent leaves the field absent (the schema reports it `missing`, naming the path), and
 * nothing is converted except by the rule's unit. Keys of the line that no rule reads are not carried
 * over: the record holds M1 fields only.
 */
export function applyMapping(value: unknown, rules: readonly MapRule[], preset?: Preset): MappingResult {
  let record: Record<string, unknown>;
  let sources: Map<M1Field, string>;
  if (preset !== undefined) {
    const base = preset.toM1(value);
    if (isProblem(base)) return base;
    record = { ...base.record };
    sources = new Map(base.sources);
  } else {
    if (!isObject(value)) return notAnObject(value);
    record = {};
    sources = new Map();
    for (const field of REQUIRED_FIELDS) {
      if (Object.hasOwn(value, field)) record[field] = value[field];
    }
    const timeKey = TIME_FIELDS.find((key) => Object.hasOwn(value, key));
    if (timeKey !== undefined) record[timeKey] = value[timeKey];
  }
  for (const rule of rules) {
    // The first timestamp key present is the record's time: a rule for one replaces them all.
    const replaced: readonly M1Field[] = isTimeField(rule.field) ? TIME_FIELDS : [rule.field];
    for (const field of replaced) {
      delete record[field];
      sources.delete(field);
    }
    const found = readPath(value, rule.path);
    if (found.found)
      record[rule.field] = rule.unit === null ? found.value : applyUnit(found.value, rule.unit);
    sources.set(rule.field, rule.pathText);
  }
  return { record, sources };
}

function isTimeField(field: M1Field): boolean {
  return (TIME_FIELDS as readonly string[]).includes(field);
}

const FIELD_PREFIX = /^([A-Za-z_][A-Za-z0-9_]*): /;

/**
 * Rewrites a violation reason (or kind) so that each field names where it came from:
 * `status: expected an integer 100–599, got the number 0` becomes
 * `status (from res.statusCode): expected an integer 100–599, got the number 0`. A reason lists its
 * problems joined by `; `; a `; ` inside a quoted value (`got the string "a; b: c"`) is not a boundary.
 */
export function nameSources(reason: string, sources: ReadonlyMap<string, string>): string {
  if (sources.size === 0) return reason;
  return splitProblems(reason)
    .map((part) => {
      const match = FIELD_PREFIX.exec(part);
      const field = match?.[1];
      const source = field === undefined ? undefined : sources.get(field);
      if (source === undefined) return part;
      return `${field} (from ${source}): ${part.slice((match as RegExpExecArray)[0].length)}`;
    })
    .join("; ");
}

/** Splits `a; b; c` at the `; ` that are outside JSON string literals (values are quoted with JSON.stringify). */
function splitProblems(reason: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let inString = false;
  for (let i = 0; i < reason.length; i++) {
    const ch = reason[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === ";" && reason[i + 1] === " ") {
      parts.push(reason.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(reason.slice(start));
  return parts;
}
