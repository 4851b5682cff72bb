import { lengthOk } from "./field-rules.js";
import { TIMEOUT_SEVERITY } from "./record.js";

/**
 * A valid record located in its bytes: the fields of SPEC.md section 1 as offsets into `bytes` (strings)
 * and as numbers. One instance is reused for every line, so the hot path allocates nothing.
 */
export class ScannedRecord {
  bytes: Uint8Array = new Uint8Array(0);
  requestId = [0, 0];
  fn = [0, 0];
  stage = [0, 0];
  /** [-1, -1] for a null error_code. */
  errorCode = [-1, -1];
  status = 0;
  latencyMs = 0;
  /** 0 null, 100–599 the code, 600 "timeout" (record.ts). */
  upstream = 0;
  /** NaN for null. */
  upstreamLatencyMs = Number.NaN;
  /** NaN when the record has no timestamp. */
  timeMs = Number.NaN;
  /** Unknown keys as [start, end) pairs, `unknownCount` of them. */
  unknown: number[] = [];
  unknownCount = 0;
}

// Byte values.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const DOT = 0x2e;

// Which known key a key is, as a bit (so that a repeated key is seen and left to JSON.parse).
const K_REQUEST_ID = 1;
const K_FUNCTION = 2;
const K_STAGE = 4;
const K_STATUS = 8;
const K_LATENCY = 16;
const K_ERROR_CODE = 32;
const K_UPSTREAM = 64;
const K_UPSTREAM_LATENCY = 128;
const K_TS = 256;
const K_TIMESTAMP = 512;
const K_TIME = 1024;
const REQUIRED = 255;

// Value kinds.
const V_STRING = 1;
const V_NUMBER = 2;
const V_NULL = 3;
const V_OTHER = 4;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The fast path for the common line shape: a flat JSON object whose strings have no escapes. It reads
 * the fields straight from the bytes and checks them as SPEC.md section 1 does, and returns true only
 * for a record that is certainly valid, filling `out`. Anything else — an escape, nesting, a repeated
 * key, any doubt, any violation — returns false, and the caller takes the general path (JSON.parse and
 * the zod schema), which decides and words the reason. test/m1/scan-record.test.ts holds the two paths
 * to the same results. `bytes[start, end)` must be valid UTF-8 without the newline.
 */
export function scanRecord(bytes: Uint8Array, start: number, end: number, out: ScannedRecord): boolean {
  let i = skipSpace(bytes, start, end);
  if (bytes[i] !== OPEN) return false;
  i = skipSpace(bytes, i + 1, end);
  let seen = 0;
  out.unknownCount = 0;
  let tsKind = 0;
  let tsStart = 0;
  let tsEnd = 0;
  let tsNumber = 0;
  let tsBit = 0;
  if (bytes[i] === CLOSE) return false;
  for (;;) {
    // Key.
    if (bytes[i] !== QUOTE) return false;
    const keyStart = i + 1;
    const keyEnd = stringEnd(bytes, keyStart, end);
    if (keyEnd < 0) return false;
    const key = knownKey(bytes, keyStart, keyEnd);
    if ((seen & key) !== 0) return false;
    seen |= key;
    i = skipSpace(bytes, keyEnd + 1, end);
    if (bytes[i] !== COLON) return false;
    i = skipSpace(bytes, i + 1, end);
    // Value.
    let kind: number;
    let valueStart = i;
    let valueEnd: number;
    let number = 0;
    const c = bytes[i] as number;
    if (c === QUOTE) {
      valueStart = i + 1;
      valueEnd = stringEnd(bytes, valueStart, end);
      if (valueEnd < 0) return false;
      kind = V_STRING;
      i = valueEnd + 1;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      valueEnd = numberEnd(bytes, i, end);
      if (valueEnd < 0) return false;
      number = parseNumber(bytes, i, valueEnd);
      kind = V_NUMBER;
      i = valueEnd;
    } else if (c === 0x6e && bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c) {
      kind = V_NULL;
      valueEnd = i + 4;
      i = valueEnd;
    } else if (
      (c === 0x74 && bytes[i + 1] === 0x72 && bytes[i + 2] === 0x75 && bytes[i + 3] === 0x65) ||
      (c === 0x66 &&
        bytes[i + 1] === 0x61 &&
        bytes[i + 2] === 0x6c &&
        bytes[i + 3] === 0x73 &&
        bytes[i + 4] === 0x65)
    ) {
      kind = V_OTHER;
      valueEnd = c === 0x74 ? i + 4 : i + 5;
      i = valueEnd;
    } else {
      // Objects, arrays, or not JSON at all: the general path.
      return false;
    }
    switch (key) {
      case K_REQUEST_ID:
        if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 256)) return false;
        out.requestId[0] = valueStart;
        out.requestId[1] = valueEnd;
        break;
      case K_FUNCTION:
        if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 256)) return false;
        out.fn[0] = valueStart;
        out.fn[1] = valueEnd;
        break;
      case K_STAGE:
        if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 128)) return false;
        out.stage[0] = valueStart;
        out.stage[1] = valueEnd;
        break;
      case K_STATUS:
        if (kind !== V_NUMBER || !isStatus(number)) return false;
        out.status = number;
        break;
      case K_LATENCY:
        if (kind !== V_NUMBER || !(number >= 0 && number < Infinity)) return false;
        out.latencyMs = number + 0;
        break;
      case K_ERROR_CODE:
        if (kind === V_NULL) {
          out.errorCode[0] = -1;
          out.errorCode[1] = -1;
        } else if (kind === V_STRING && lengthOk(bytes, valueStart, valueEnd, 128)) {
          out.errorCode[0] = valueStart;
          out.errorCode[1] = valueEnd;
        } else return false;
        break;
      case K_UPSTREAM:
        if (kind === V_NULL) out.upstream = 0;
        else if (kind === V_NUMBER && isStatus(number)) out.upstream = number;
        else if (kind === V_STRING && isTimeout(bytes, valueStart, valueEnd)) out.upstream = TIMEOUT_SEVERITY;
        else return false;
        break;
      case K_UPSTREAM_LATENCY:
        if (kind === V_NULL) out.upstreamLatencyMs = Number.NaN;
        else if (kind === V_NUMBER && number >= 0 && number < Infinity) out.upstreamLatencyMs = number + 0;
        else return false;
        break;
      case K_TS:
      case K_TIMESTAMP:
      case K_TIME:
        // The first of ts, timestamp, time that is present is the record's time (bit order says which).
        if (tsBit === 0 || key < tsBit) {
          tsBit = key;
          tsKind = kind;
          tsStart = valueStart;
          tsEnd = valueEnd;
          tsNumber = number;
        }
        break;
      default:
        // A repeated unknown key: JSON.parse keeps the last, and counts it once; leave it to that path.
        if (repeatsUnknown(bytes, keyStart, keyEnd, out)) return false;
        if (out.unknownCount * 2 === out.unknown.length) out.unknown.push(0, 0);
        out.unknown[out.unknownCount * 2] = keyStart;
        out.unknown[out.unknownCount * 2 + 1] = keyEnd;
        out.unknownCount++;
    }
    i = skipSpace(bytes, i, end);
    const next = bytes[i];
    if (next === COMMA) {
      i = skipSpace(bytes, i + 1, end);
      continue;
    }
    if (next !== CLOSE) return false;
    if (skipSpace(bytes, i + 1, end) !== end) return false;
    break;
  }
  if ((seen & REQUIRED) !== REQUIRED) return false;
  if (tsBit === 0) out.timeMs = Number.NaN;
  else if (tsKind === V_NUMBER && Number.isFinite(tsNumber)) out.timeMs = tsNumber;
  else if (tsKind === V_STRING) {
    const ms = parseIsoUtc(bytes, tsStart, tsEnd);
    if (Number.isNaN(ms)) return false;
    out.timeMs = ms;
  } else return false;
  out.bytes = bytes;
  return true;
}

function repeatsUnknown(bytes: Uint8Array, start: number, end: number, out: ScannedRecord): boolean {
  const length = end - start;
  for (let k = 0; k < out.unknownCount; k++) {
    const s = out.unknown[2 * k] as number;
    if ((out.unknown[2 * k + 1] as number) - s !== length) continue;
    let same = true;
    for (let j = 0; j < length && same; j++) same = bytes[s + j] === bytes[start + j];
    if (same) return true;
  }
  return false;
}

function skipSpace(bytes: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = bytes[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** The index of the closing quote of a string without escapes or control characters, or -1. */
function stringEnd(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** The end of a number in strict JSON grammar, or -1. */
function numberEnd(bytes: Uint8Array, i: number, end: number): number {
  if (bytes[i] === MINUS) i++;
  if (bytes[i] === ZERO) i++;
  else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
  else return -1;
  if (bytes[i] === DOT) {
    i++;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i++;
  }
  const e = bytes[i];
  if (e === 0x65 || e === 0x45) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
    if (!isDigit(bytes[i])) return -1;
    while (isDigit(bytes[i])) i++;
  }
  return i <= end ? i : -1;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= ZERO && c <= NINE;
}

/**
 * A JSON number's value, exactly as JSON.parse gives it. With at most 15 significant digits and no
 * exponent, digits / 10^k is exact in both operands and correctly rounded (Clinger's fast path);
 * anything else goes through Number().
 */
function parseNumber(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let digits = 0;
  let mantissa = 0;
  let scale = 0;
  let afterDot = false;
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c === DOT) {
      afterDot = true;
      continue;
    }
    if (c < ZERO || c > NINE) return slowNumber(bytes, start, end);
    mantissa = mantissa * 10 + (c - ZERO);
    if (mantissa !== 0) digits++;
    if (afterDot) scale++;
  }
  if (digits > 15) return slowNumber(bytes, start, end);
  const value = scale === 0 ? mantissa : mantissa / (POW10[scale] ?? Number.NaN);
  if (Number.isNaN(value)) return slowNumber(bytes, start, end);
  return negative ? -value : value;
}

function slowNumber(bytes: Uint8Array, start: number, end: number): number {
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1"));
}

function isStatus(n: number): boolean {
  return n >= 100 && n <= 599 && Number.isInteger(n);
}

function isTimeout(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start === 7 &&
    bytes[start] === 0x74 &&
    bytes[start + 1] === 0x69 &&
    bytes[start + 2] === 0x6d &&
    bytes[start + 3] === 0x65 &&
    bytes[start + 4] === 0x6f &&
    bytes[start + 5] === 0x75 &&
    bytes[start + 6] === 0x74
  );
}

/** Which known key the bytes name, as its bit, or 0 for an unknown key. */
function knownKey(b: Uint8Array, s: number, e: number): number {
  switch (e - s) {
    case 2:
      return b[s] === 0x74 && b[s + 1] === 0x73 ? K_TS : 0;
    case 4:
      return matches(b, s, "time") ? K_TIME : 0;
    case 5:
      return matches(b, s, "stage") ? K_STAGE : 0;
    case 6:
      return matches(b, s, "status") ? K_STATUS : 0;
    case 8:
      return matches(b, s, "function") ? K_FUNCTION : 0;
    case 9:
      return matches(b, s, "timestamp") ? K_TIMESTAMP : 0;
    case 10:
      if (matches(b, s, "request_id")) return K_REQUEST_ID;
      if (matches(b, s, "latency_ms")) return K_LATENCY;
      return matches(b, s, "error_code") ? K_ERROR_CODE : 0;
    case 15:
      return matches(b, s, "upstream_status") ? K_UPSTREAM : 0;
    case 19:
      return matches(b, s, "upstream_latency_ms") ? K_UPSTREAM_LATENCY : 0;
    default:
      return 0;
  }
}

function matches(bytes: Uint8Array, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (bytes[start + k] !== word.charCodeAt(k)) return false;
  return true;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS[.fff…]Z`, the shape nearly every logger writes, read from the bytes as epoch ms;
 * NaN for anything else, which the general path (parse-timestamp.ts) then reads or rejects.
 */
function parseIsoUtc(b: Uint8Array, s: number, e: number): number {
  const length = e - s;
  if (length < 20 || b[e - 1] !== 0x5a || b[s + 4] !== MINUS || b[s + 7] !== MINUS || b[s + 10] !== 0x54)
    return Number.NaN;
  if (b[s + 13] !== COLON || b[s + 16] !== COLON) return Number.NaN;
  const year = digitsAt(b, s, 4);
  const month = digitsAt(b, s + 5, 2);
  const day = digitsAt(b, s + 8, 2);
  const hour = digitsAt(b, s + 11, 2);
  const minute = digitsAt(b, s + 14, 2);
  const second = digitsAt(b, s + 17, 2);
  let ms = 0;
  if (length > 20) {
    // A fraction of 1–9 digits; Date.parse keeps milliseconds and drops the rest.
    const fraction = length - 21;
    if (b[s + 19] !== DOT || fraction < 1 || fraction > 9) return Number.NaN;
    for (let k = 0; k < fraction; k++) {
      const d = b[s + 20 + k] as number;
      if (d < ZERO || d > NINE) return Number.NaN;
      if (k < 3) ms = ms * 10 + (d - ZERO);
    }
    for (let k = fraction; k < 3; k++) ms *= 10;
  }
  // Years before 1000 (which Date.UTC would shift) and impossible dates go to the general path.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN;
  if (day > (DAYS[month - 1] as number)) return Number.NaN;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)))
    return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function digitsAt(b: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let k = 0; k < count; k++) {
    const d = b[at + k] as number;
    if (d < ZERO || d > NINE) return -1;
    n = n * 10 + (d - ZERO);
  }
  return n;
}
