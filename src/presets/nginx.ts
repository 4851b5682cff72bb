import { upstreamSeverity } from "../m1/record.js";
import {
  isObject,
  notAnObject,
  secondsToMs,
  toQuantity,
  type M1Field,
  type MappingResult,
  type Preset,
} from "./field-map.js";

/**
 * nginx's JSON access log (the `log_format attribute escape=json` of docs/presets.md) to M1.
 *
 * Sources: https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format (escape=json: a variable
 * that is not set is written as an empty string), and the embedded variables of
 * https://nginx.org/en/docs/http/ngx_http_upstream_module.html#variables: each `$upstream_*` variable
 * keeps one value per attempt, "separated by commas and colons like addresses in the $upstream_addr
 * variable" (`, ` between servers of one group, ` : ` after an internal redirect to another group);
 * "If a server cannot be selected, the variable keeps the 502 (Bad Gateway) status code" and
 * `$upstream_addr` keeps the name of the server group. Times are seconds with millisecond resolution.
 *
 * What nginx writes when it, not the upstream, ends an attempt (ngx_http_upstream_next, checked against
 * nginx 1.22 by test/e2e/nginx.test.ts): a timeout is a 504 and any other failure (connection refused or
 * reset, an invalid header) a 502 in `$upstream_status`, with `-` in `$upstream_header_time` because no
 * response header came back; a refused connection also has `-` in `$upstream_connect_time`. A request the
 * client abandoned while the upstream worked is status 499 with `-` in `$upstream_status`.
 */

/** The keys of the documented log_format. */
export const NGINX_KEYS = {
  msec: "msec",
  timeIso8601: "time_iso8601",
  requestId: "request_id",
  route: "route",
  status: "status",
  requestTime: "request_time",
  upstreamAddr: "upstream_addr",
  upstreamStatus: "upstream_status",
  upstreamResponseTime: "upstream_response_time",
  upstreamConnectTime: "upstream_connect_time",
  upstreamHeaderTime: "upstream_header_time",
} as const;

/** Every nginx record is one stage: what the proxy saw. */
export const NGINX_STAGE = "proxy";

/** The error codes the preset derives (docs/presets.md). */
export const NGINX_ERRORS = {
  clientClosed: "CLIENT_CLOSED_REQUEST",
  timeout: "UPSTREAM_TIMEOUT",
  connectFailed: "UPSTREAM_CONNECT_FAILED",
  failed: "UPSTREAM_FAILED",
  noLiveUpstream: "NO_LIVE_UPSTREAM",
} as const;

const K = NGINX_KEYS;
const STATUS = /^\d{3}$/;
const TIME = /^\d+(?:\.\d+)?$/;
// What $upstream_addr holds for a server that was contacted: IPv4:port, [IPv6]:port, or a UNIX socket.
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}:\d+|\[[0-9A-Fa-f:.]+\]:\d+|unix:.+)$/;
// Attempts are separated by ", " (servers of one group) or " : " (an internal redirect to another group).
const ATTEMPT_SEPARATOR = /, | : /;

/** An nginx value that means "nothing": escape=json writes "" for a variable that is not set. */
function isUnset(value: unknown): boolean {
  return value === "" || value === "-" || value === null;
}

/**
 * The values of one `$upstream_*` variable, one per attempt: null when the key is absent or unset, and
 * undefined when the value is not text at all (an object, a boolean), which is passed on as logged.
 */
function attemptsOf(object: Record<string, unknown>, key: string): string[] | null | undefined {
  if (!Object.hasOwn(object, key)) return null;
  const value = object[key];
  if (typeof value === "number") return [String(value)];
  if (value === null || value === "") return null;
  if (typeof value !== "string") return undefined;
  return value.split(ATTEMPT_SEPARATOR);
}

/** What one attempt says about the upstream. */
interface AttemptEvidence {
  readonly upstream: number | "timeout" | null;
  readonly error: string | null;
}

/**
 * Reads one attempt. The upstream answered when a response header came back (`$upstream_header_time` is
 * a time); without one, the code is nginx's: a 504 is the upstream not answering within the proxy's
 * timeouts ("timeout"), a 502 the upstream failing to give an answer (refused, reset, invalid). Both are
 * evidence about the upstream that was contacted. A group name instead of an address means no server
 * could be selected: nginx never contacted one, so there is no upstream evidence.
 */
function readAttempt(
  status: string,
  addr: string | undefined,
  header: string | undefined,
  connect: string | undefined,
): AttemptEvidence {
  if (status === "-") return { upstream: null, error: null };
  if (addr !== undefined && addr !== "-" && !ADDRESS.test(addr)) {
    return { upstream: null, error: NGINX_ERRORS.noLiveUpstream };
  }
  const code = Number(status);
  if (header === undefined || TIME.test(header)) return { upstream: code, error: null };
  if (code === 504) return { upstream: "timeout", error: NGINX_ERRORS.timeout };
  return { upstream: code, error: connect === "-" ? NGINX_ERRORS.connectFailed : NGINX_ERRORS.failed };
}

/**
 * The upstream evidence of all attempts, merged as SPEC.md section 2 merges records of one unit: the most
 * severe upstream status ("timeout" > 5xx > 4xx > 3xx > 2xx) and the largest upstream time. Each attempt
 * is one look at the upstream, and the merge keeps the worst of them, as it would if each attempt had
 * been logged on its own line. A value that is not nginx's syntax is passed on as logged, so that the
 * schema reports it; an absent key stays absent (reported missing).
 */
function readUpstream(object: Record<string, unknown>): {
  status: unknown;
  latencyMs: unknown;
  error: string | null;
} {
  const statuses = attemptsOf(object, K.upstreamStatus);
  const rawStatus = object[K.upstreamStatus];
  let status: unknown = Object.hasOwn(object, K.upstreamStatus) ? null : undefined;
  let error: string | null = null;
  if (statuses !== null) {
    if (statuses === undefined || statuses.some((s) => s !== "-" && !STATUS.test(s))) {
      status = rawStatus;
    } else {
      // A companion variable that is absent or not text says nothing about the attempts.
      const addrs = attemptsOf(object, K.upstreamAddr) ?? null;
      const headers = attemptsOf(object, K.upstreamHeaderTime) ?? null;
      const connects = attemptsOf(object, K.upstreamConnectTime) ?? null;
      let worst = -1;
      statuses.forEach((s, i) => {
        const attempt = readAttempt(s, addrs?.[i], headers?.[i], connects?.[i]);
        const severity = upstreamSeverity(attempt.upstream);
        // Ties go to the later attempt: the last word on the request.
        if (severity > 0 && severity >= worst) {
          worst = severity;
          status = attempt.upstream;
          error = attempt.error;
        } else if (worst <= 0 && attempt.error !== null) {
          error = attempt.error;
        }
      });
    }
  }
  let latencyMs: unknown = Object.hasOwn(object, K.upstreamResponseTime) ? null : undefined;
  const times = attemptsOf(object, K.upstreamResponseTime);
  if (times !== null) {
    if (times === undefined || times.some((t) => t !== "-" && !TIME.test(t))) {
      latencyMs = object[K.upstreamResponseTime];
    } else {
      const ms = times.filter((t) => t !== "-").map((t) => secondsToMs(Number(t)));
      latencyMs = ms.length === 0 ? null : Math.max(...ms);
    }
  }
  return { status, latencyMs, error };
}

function toM1(value: unknown): MappingResult {
  if (!isObject(value)) return notAnObject(value);
  const record: Record<string, unknown> = {};
  const sources = new Map<M1Field, string>();
  const take = (field: M1Field, key: string, convert: (v: unknown) => unknown = (v) => v): void => {
    sources.set(field, key);
    if (Object.hasOwn(value, key)) record[field] = convert(value[key]);
  };
  take("request_id", K.requestId);
  take("function", K.route);
  record.stage = NGINX_STAGE;
  // nginx writes the status as three digits ("000" when it sent no response, "009" for HTTP/0.9):
  // read as a number, so that 0 and 9 are reported as out of range.
  take("status", K.status, (v) => (typeof v === "string" && STATUS.test(v) ? Number(v) : v));
  take("latency_ms", K.requestTime, (v) => {
    const seconds = toQuantity(v);
    return seconds === null ? v : secondsToMs(seconds);
  });
  const upstream = readUpstream(value);
  sources.set("upstream_status", K.upstreamStatus);
  if (upstream.status !== undefined) record.upstream_status = upstream.status;
  sources.set("upstream_latency_ms", K.upstreamResponseTime);
  if (upstream.latencyMs !== undefined) record.upstream_latency_ms = upstream.latencyMs;
  // 499 is nginx's "client closed request": the client left before the answer.
  record.error_code = record.status === 499 ? NGINX_ERRORS.clientClosed : upstream.error;
  if (Object.hasOwn(value, K.msec) && !isUnset(value[K.msec])) {
    take("ts", K.msec, (v) => {
      const seconds = toQuantity(v);
      return seconds === null ? v : secondsToMs(seconds);
    });
  } else if (Object.hasOwn(value, K.timeIso8601) && !isUnset(value[K.timeIso8601])) {
    take("ts", K.timeIso8601);
  }
  return { record, sources };
}

export const nginxPreset: Preset = {
  name: "nginx",
  description: "nginx JSON access log (log_format escape=json with $upstream_* variables; docs/presets.md)",
  toM1,
};
