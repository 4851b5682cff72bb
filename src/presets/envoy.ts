import {
  isObject,
  notAnObject,
  toQuantity,
  type M1Field,
  type MappingResult,
  type Preset,
} from "./field-map.js";

/**
 * Envoy's JSON access log to M1, with the keys of Istio's JSON access log (docs/presets.md gives the
 * `json_format` to paste). Works with `json_format` (every value a string, `-` when unset) and
 * `typed_json_format` (numbers, and null when unset).
 *
 * Sources: https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage
 * (%RESPONSE_CODE%, %RESPONSE_FLAGS%, %RESPONSE_CODE_DETAILS%, %DURATION%, %ROUTE_NAME%, %UPSTREAM_HOST%,
 * %START_TIME%; "if a value is not set/empty, the logs will contain a - character or, for JSON logs, the
 * string "-". For typed JSON logs unset values are represented as null values"),
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/response_code_details
 * ("via_upstream: The response code was set by the upstream"), and the router's
 * x-envoy-upstream-service-time header (milliseconds spent in the upstream, logged with
 * %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%).
 */

/** The keys the preset reads (Istio's JSON access log names). */
export const ENVOY_KEYS = {
  startTime: "start_time",
  requestId: "request_id",
  routeName: "route_name",
  responseCode: "response_code",
  responseFlags: "response_flags",
  responseCodeDetails: "response_code_details",
  duration: "duration",
  upstreamServiceTime: "upstream_service_time",
  upstreamHost: "upstream_host",
} as const;

/** Every Envoy record is one stage: what the proxy saw. */
export const ENVOY_STAGE = "proxy";

/** The code an upstream failure is recorded with: Envoy documents UF, UH, UR and UC "in addition to 503". */
export const UPSTREAM_FAILURE_STATUS = 503;

/**
 * Flags that say the upstream timed out: UT, "upstream request timeout in addition to 504 response code".
 * Long names are those of %RESPONSE_FLAGS_LONG%.
 */
const TIMEOUT_FLAGS: ReadonlySet<string> = new Set(["UT", "UpstreamRequestTimeout"]);

/**
 * Flags that say the upstream was contacted, or its hosts were, and failed to give an answer: a
 * connection failure (UF), no healthy host (UH), a reset by the upstream (UR), the upstream connection
 * terminated (UC), retries exhausted on such failures (URX), a protocol error in the upstream's answer
 * (UPE). Every other flag (NR no route, RL rate limited, UAEX external authorization denied, DC the client
 * went away, LR local reset, UO circuit breaking, FI fault injection, and the rest) is something Envoy
 * did on its own or the client did: not the upstream's doing, so it is never upstream evidence.
 */
const FAILURE_FLAGS: ReadonlySet<string> = new Set([
  "UF",
  "UpstreamConnectionFailure",
  "UH",
  "NoHealthyUpstream",
  "UR",
  "UpstreamRemoteReset",
  "UC",
  "UpstreamConnectionTermination",
  "URX",
  "UpstreamRetryLimitExceeded",
  "UPE",
  "UpstreamProtocolError",
]);

const K = ENVOY_KEYS;
const CODE = /^\d+$/;

/** "-" in `json_format`, null in `typed_json_format`, and an empty string, are all "not set". */
function isUnset(value: unknown): boolean {
  return value === "-" || value === null || value === "";
}

/** A number, or a decimal string: the same value in `typed_json_format` and `json_format`. */
function readCode(value: unknown): unknown {
  return typeof value === "string" && CODE.test(value) ? Number(value) : value;
}

/** Milliseconds as logged (`"226"` or 226); unset is null; anything else is passed on to be reported. */
function readMillis(value: unknown): unknown {
  if (isUnset(value)) return null;
  const ms = toQuantity(value);
  return ms === null ? value : ms;
}

/** The response flags, split: Envoy writes several as `UF,URX`. */
function flagsOf(value: unknown): string[] {
  if (typeof value !== "string" || isUnset(value)) return [];
  return value
    .split(",")
    .map((flag) => flag.trim())
    .filter((flag) => flag !== "" && flag !== "-");
}

/**
 * The upstream evidence of one record, in this order:
 * 1. `via_upstream`: the upstream set the code, so the code is the upstream's status.
 * 2. UT: the upstream did not answer in time: "timeout".
 * 3. an upstream failure flag (UF, UH, UR, UC, URX, UPE): a 503-class upstream failure.
 * 4. otherwise no upstream evidence (null): Envoy answered on its own (no route, rate limited, denied,
 *    a direct response, a local reply) or the client left. Where the log has no
 *    %RESPONSE_CODE_DETAILS%, an answer with no flag from a known upstream host is taken as the
 *    upstream's, as Envoy's own default log format is read.
 */
function readUpstreamStatus(
  object: Record<string, unknown>,
): { status: unknown; source: string } | undefined {
  if (!Object.hasOwn(object, K.responseFlags)) return undefined;
  const flags = flagsOf(object[K.responseFlags]);
  const hasDetails = Object.hasOwn(object, K.responseCodeDetails) && !isUnset(object[K.responseCodeDetails]);
  const code = readCode(object[K.responseCode]);
  if (hasDetails && object[K.responseCodeDetails] === "via_upstream") {
    return { status: code, source: K.responseCode };
  }
  if (flags.some((flag) => TIMEOUT_FLAGS.has(flag))) return { status: "timeout", source: K.responseFlags };
  if (flags.some((flag) => FAILURE_FLAGS.has(flag))) {
    return { status: UPSTREAM_FAILURE_STATUS, source: K.responseFlags };
  }
  const upstreamHost = Object.hasOwn(object, K.upstreamHost) && !isUnset(object[K.upstreamHost]);
  if (!hasDetails && flags.length === 0 && upstreamHost) return { status: code, source: K.responseCode };
  return { status: null, source: K.responseFlags };
}

function toM1(value: unknown): MappingResult {
  if (!isObject(value)) return notAnObject(value);
  const record: Record<string, unknown> = {};
  const sources = new Map<M1Field, string>();
  const take = (field: M1Field, key: string, convert: (v: unknown) => unknown = (v) => v): void => {
    sources.set(field, key);
    if (Object.hasOwn(value, key)) record[field] = convert(value[key]);
  };
  // Unset is null, and null is not an id or a name: the schema reports it (name your routes, or map
  // `function` to another key such as upstream_cluster).
  const unsetToNull = (v: unknown): unknown => (isUnset(v) ? null : v);
  take("request_id", K.requestId, unsetToNull);
  take("function", K.routeName, unsetToNull);
  record.stage = ENVOY_STAGE;
  take("status", K.responseCode, readCode);
  take("latency_ms", K.duration, (v) => {
    const ms = toQuantity(v);
    return ms === null ? v : ms;
  });
  take("upstream_latency_ms", K.upstreamServiceTime, readMillis);
  const upstream = readUpstreamStatus(value);
  sources.set("upstream_status", upstream?.source ?? K.responseFlags);
  if (upstream !== undefined) record.upstream_status = upstream.status;
  // The flags are the error code ("UF,URX"), so the UNKNOWN evidence shows what Envoy did.
  take("error_code", K.responseFlags, (v) => (isUnset(v) ? null : v));
  if (!Object.hasOwn(value, K.responseFlags)) record.error_code = null;
  if (Object.hasOwn(value, K.startTime) && !isUnset(value[K.startTime])) take("ts", K.startTime);
  return { record, sources };
}

export const envoyPreset: Preset = {
  name: "envoy",
  description: "Envoy JSON access log (json_format or typed_json_format, Istio's key names; docs/presets.md)",
  toM1,
};
