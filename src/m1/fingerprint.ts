import type { M1Record } from "./record.js";
import { upstreamSeverity } from "./record.js";

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/**
 * A 64-bit fingerprint (two 32-bit halves) of a record's known fields other than its unit key:
 * stage, status, latency, error code, upstream status and latency, and time. Two records of one unit
 * with the same fingerprint are the same record (SPEC.md section 2, duplicates); with a handful of
 * records per unit, a false match has odds near 2^-64.
 */
export function fingerprint(record: M1Record, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  const mixText = (text: string | null): void => {
    if (text === null) {
      a = mix(a, 0xffffffff);
      b = mix(b, 0x7fffffff);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = mix(a, c);
      b = mix(b, c + 0x10000);
    }
    a = mix(a, 0xfffffffe);
    b = mix(b, 0x7ffffffe);
  };
  const mixNumber = (value: number | null): void => {
    // -0 and 0 are the same latency; NaN stands for null.
    scratch[0] = value === null ? Number.NaN : value + 0;
    a = mix(mix(a, words[0] as number), words[1] as number);
    b = mix(mix(b, (words[1] as number) ^ 0x5bd1e995), words[0] as number);
  };
  mixText(record.stage);
  mixNumber(record.status);
  mixNumber(record.latency_ms);
  mixText(record.error_code);
  mixNumber(upstreamSeverity(record.upstream_status));
  mixNumber(record.upstream_latency_ms);
  mixNumber(record.timeMs);
  out[0] = finish(a);
  out[1] = finish(b);
}

function mix(h: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
