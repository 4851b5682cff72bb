import {
  isObject,
  notAnObject,
  readPath,
  type M1Field,
  type MappingProblem,
  type MappingResult,
  type Preset,
} from "./field-map.js";

/**
 * pino-http's "request completed" log to M1. The upstream fields are the service's own (it knows what its
 * vendor answered): the preset sets them to null, and `--map upstream_status=PATH` and
 * `--map upstream_latency_ms=PATH` read them from the two fields the service adds to its request log.
 *
 * Sources: https://github.com/pinojs/pino-http#readme (the request log carries `req` with `id`, `method`,
 * `url`; `res` with `statusCode`; `responseTime` in milliseconds; `msg: "request completed"` or
 * `"request errored"`), and https://getpino.io/#/docs/api?id=timestamp-boolean-function (`time` is epoch
 * milliseconds by default).
 */

/** The keys the preset reads, as paths. */
export const PINO_PATHS = {
  requestId: ["req", "id"],
  url: ["req", "url"],
  statusCode: ["res", "statusCode"],
  responseTime: ["responseTime"],
  time: ["time"],
} as const;

/** pino-http logs where the application answers: one stage. */
export const PINO_STAGE = "app";

/**
 * The violation for a pino line that is not a request log: "server listening", or a message the app
 * logged through `req.log` (which carries `req` but not `res`).
 */
export const NOT_A_REQUEST_LOG: MappingProblem = {
  kind: "not a pino-http request log",
  problem: 'not a pino-http request log: it has neither "res" nor "responseTime"',
};

function toM1(value: unknown): MappingResult {
  if (!isObject(value)) return notAnObject(value);
  // Lines logged through `req.log` carry `req` too: only the request log has the response.
  if (!Object.hasOwn(value, "res") && !Object.hasOwn(value, "responseTime")) return NOT_A_REQUEST_LOG;
  const record: Record<string, unknown> = {};
  const sources = new Map<M1Field, string>();
  const take = (
    field: M1Field,
    path: readonly string[],
    convert: (v: unknown) => unknown = (v) => v,
  ): void => {
    sources.set(field, path.join("."));
    const found = readPath(value, path);
    if (found.found) record[field] = convert(found.value);
  };
  // pino-http's default ids count requests from 1 in each process: written as decimal text, since M1
  // ids are strings (docs/presets.md says why a genReqId with unique ids is better).
  take("request_id", PINO_PATHS.requestId, (v) => (Number.isSafeInteger(v) ? String(v) : v));
  // The route is the URL's path: the query string is not part of the function's name.
  take("function", PINO_PATHS.url, (v) => (typeof v === "string" ? (v.split("?", 1)[0] as string) : v));
  record.stage = PINO_STAGE;
  take("status", PINO_PATHS.statusCode);
  take("latency_ms", PINO_PATHS.responseTime);
  record.error_code = null;
  record.upstream_status = null;
  record.upstream_latency_ms = null;
  if (Object.hasOwn(value, "time")) take("ts", PINO_PATHS.time);
  return { record, sources };
}

export const pinoPreset: Preset = {
  name: "pino",
  description: "pino-http request logs; name the upstream fields with --map (docs/presets.md)",
  toM1,
};
