// AssemblyScript, compiled by `npm run build` to dist/m1/line-scanner.wasm (see wasm/README.md).
//
// The hot loops of reading M1 lines, in WebAssembly, each a port of the JavaScript it stands in for:
// - `shapedLine` / `shapedRecord`: the shape path of src/m1/scan-record.ts, a line read as the literals
//   of the last line read key by key, with a value between each two. It decides exactly as
//   scan-record.ts's `readShaped` + `finish` do, and returns the same offsets, hashes and numbers;
//   anything it is not sure of returns UNSURE, and the caller reads the line in JavaScript.
// - `scanLines` (src/input/line-splitter.ts) and `scanOwnLines` (src/parallel/walk-block.ts): many
//   lines read that way at a call, into records, up to the first line not taken.
// - `indexLines`: src/parallel/line-owner.ts's index of a block's lines and their owners.
// test/m1/scan-record.test.ts, test/m1/intake-line-at.test.ts and test/parallel/ hold each to the
// JavaScript it ports.
//
// The memory is the caller's (imported, shared): the bytes it reads are where they were read into,
// never copied. Each thread's instance has a scratch area of its own in it (`init`): the shape, written
// by the caller, and the records read, for the caller to take.

// The scratch area, from `scratch` (byte offsets). The shape (written by src/m1/wasm-scan.ts):
const SHAPE_FIELDS = 0; // i32: values in the shape
const SHAPE_KEYS = 4; // i32[32]: each value's key, as its bit (0 an unknown key)
const SHAPE_FROM = 132; // i32[34]: literal f is text[from[f], from[f + 1])
const SHAPE_NAME_START = 268; // i32[32]: an unknown key's name in its literal (offsets in the literal)
const SHAPE_NAME_END = 396; // i32[32]
const SHAPE_TEXT = 524; // u8[2048]: the literals
// Then the records read: BATCH_RECORDS of RECORD_BYTES from RECORDS (one line at a time: the first).
const RECORDS = 2576;
const RECORD_BYTES = 352;
const BATCH_RECORDS = 32;
// Each scratch area takes 16384 bytes (SCRATCH_BYTES in src/m1/wasm-scan.ts).
// A record's fields (offsets from its start; strings as absolute offsets in the memory):
const R_LINE = 0; // i32: the line's index in its block (scanOwnLines)
const R_LINE_START = 4; // i32: where the line starts (scanOwnLines)
const R_REQUEST_ID = 8; // i32 start, end
const R_FUNCTION = 16;
const R_STAGE = 24;
const R_ERROR_CODE = 32; // -1, -1 for null
const R_HASHES = 40; // i32 × 4: request id, function, stage, error code
const R_STATUS = 56; // i32
const R_UPSTREAM = 60; // i32: 0 null, 100–599, 600 timeout
const R_UNKNOWN_COUNT = 64; // i32
const R_LATENCY = 72; // f64
const R_UPSTREAM_LATENCY = 80; // f64, NaN for null
const R_TIME = 88; // f64, NaN for none
const R_UNKNOWN = 96; // i32 pairs, 32 of them

/** The line is not one this path accepts: a mismatch with the shape, or a violation. */
const REFUSED: i32 = -1;
/** A number this path does not read exactly (an exponent, more than 15 digits): JavaScript reads it. */
const UNSURE: i32 = -2;

// Keys, as bits (scan-record.ts).
const K_REQUEST_ID = 1;
const K_FUNCTION = 2;
const K_STAGE = 4;
const K_STATUS = 8;
const K_LATENCY = 16;
const K_ERROR_CODE = 32;
const K_UPSTREAM = 64;
const K_UPSTREAM_LATENCY = 128;

// Value kinds.
const V_STRING = 1;
const V_NUMBER = 2;
const V_NULL = 3;
const V_OTHER = 4;

const HASH_SEED: i32 = 0x811c9dc5;
const TIMEOUT_SEVERITY: i32 = 600;

let scratch: u32 = 0;
/** Where the record being read goes. */
let record: u32 = 0;

// The value just read.
let valueKind: i32 = 0;
let valueStart: u32 = 0;
let valueEnd: u32 = 0;
let valueHash: i32 = 0;
let valueNumber: f64 = 0;
/** Set when a number was not read exactly: the line is UNSURE, not refused. */
let unsure = false;

// The record's time: the first of ts, timestamp, time present (by bit order).
let timeBit: i32 = 0;
let timeKind: i32 = 0;
let timeStart: u32 = 0;
let timeEnd: u32 = 0;
let timeNumber: f64 = 0;

// The last `YYYY-MM-DDTHH` read (its 13 bytes as words at 0, 8 and 9) and the epoch ms it starts at.
let lastHourA: u64 = 0;
let lastHourB: u32 = 0;
let lastHourC: u32 = 0;
let lastHourStart: f64 = NaN;

/** Sets where this instance's scratch area is (SCRATCH_BYTES, which no other thread uses). */
export function init(at: u32): void {
  scratch = at;
  store<i32>(at + SHAPE_FIELDS, 0);
}

function hashWord(h: i32, word: i32): i32 {
  h = (h ^ word) * 0x9e3779b1;
  return h ^ (<i32>((<u32>h) >> 15));
}

function hashByte(h: i32, b: i32): i32 {
  return (h ^ b) * 0x01000193;
}

function finishHash(h: i32, length: i32): i32 {
  h ^= length;
  h ^= <i32>((<u32>h) >> 16);
  h = h * 0x85ebca6b;
  h ^= <i32>((<u32>h) >> 13);
  h = h * 0xc2b2ae35;
  return h ^ (<i32>((<u32>h) >> 16));
}

/**
 * The index of the closing quote of a string without escapes or control bytes whose contents start at
 * i and which closes before end, or -1: the first quote, backslash or control byte, found sixteen bytes
 * at a time (a load may read past `end`: the caller's memory holds 16 bytes more), must be a quote.
 */
function closingQuote(i: u32, end: u32): i32 {
  const quote = i8x16.splat(0x22);
  const backslash = i8x16.splat(0x5c);
  const space = i8x16.splat(0x20);
  let p = i;
  for (;;) {
    const v = v128.load(p);
    const special = v128.or(v128.or(i8x16.eq(v, quote), i8x16.eq(v, backslash)), i8x16.lt_u(v, space));
    const bits = i8x16.bitmask(special);
    if (bits != 0) {
      p += ctz(bits);
      break;
    }
    p += 16;
    if (p >= end) return -1;
  }
  if (p >= end || load<u8>(p) != 0x22) return -1;
  return <i32>p;
}

/** `closingQuote`, with the string's hash (byte-keys.ts `hashBytes`) in valueHash. */
function readString(i: u32, end: u32): i32 {
  const from = i;
  const close = closingQuote(i, end);
  if (close < 0) return -1;
  const p = <u32>close;
  let h = HASH_SEED;
  for (; i + 4 <= p; i += 4) h = hashWord(h, load<i32>(i));
  for (; i < p; i++) h = hashByte(h, load<u8>(i));
  valueHash = finishHash(h, p - from);
  return p;
}

/** 10^k for k in 0–15, each exact. */
function pow10(k: i32): f64 {
  switch (k) {
    case 0:
      return 1;
    case 1:
      return 1e1;
    case 2:
      return 1e2;
    case 3:
      return 1e3;
    case 4:
      return 1e4;
    case 5:
      return 1e5;
    case 6:
      return 1e6;
    case 7:
      return 1e7;
    case 8:
      return 1e8;
    case 9:
      return 1e9;
    case 10:
      return 1e10;
    case 11:
      return 1e11;
    case 12:
      return 1e12;
    case 13:
      return 1e13;
    case 14:
      return 1e14;
    default:
      return 1e15;
  }
}

/**
 * Reads a number in strict JSON grammar into valueNumber; returns its end, or -1. As scan-record.ts's
 * `readNumber`: with at most 15 significant digits and no exponent, digits / 10^k is correctly rounded;
 * anything else sets `unsure`, for JavaScript's `Number()` to read.
 */
function readNumber(i: u32, end: u32): i32 {
  const negative = load<u8>(i) == 0x2d;
  if (negative) i++;
  let mantissa: f64 = 0;
  let digits = 0;
  let scale = 0;
  let c: u32 = load<u8>(i);
  if (c == 0x30) c = load<u8>(++i);
  else if (c - 0x31 < 9) {
    do {
      mantissa = mantissa * 10 + <f64>(c - 0x30);
      digits++;
      c = load<u8>(++i);
    } while (c - 0x30 < 10);
  } else return -1;
  if (c == 0x2e) {
    c = load<u8>(++i);
    if (c - 0x30 >= 10) return -1;
    do {
      mantissa = mantissa * 10 + <f64>(c - 0x30);
      if (mantissa != 0) digits++;
      scale++;
      c = load<u8>(++i);
    } while (c - 0x30 < 10);
  }
  if (c == 0x65 || c == 0x45 || digits > 15 || scale > 15) {
    unsure = true;
    return -1;
  }
  if (i > end) return -1;
  const value = scale == 0 ? mantissa : mantissa / pow10(scale);
  valueNumber = negative ? -value : value;
  return i;
}

/** Reads the scalar value at i; returns the index after it, or -1. */
function readValue(i: u32, end: u32): i32 {
  const c: u32 = load<u8>(i);
  valueStart = i;
  if (c == 0x22) {
    valueStart = i + 1;
    const close = readString(i + 1, end);
    if (close < 0) return -1;
    valueEnd = close;
    valueKind = V_STRING;
    return close + 1;
  }
  if (c == 0x2d || c - 0x30 < 10) {
    const after = readNumber(i, end);
    if (after < 0) return -1;
    valueEnd = after;
    valueKind = V_NUMBER;
    return after;
  }
  const word = load<u32>(i);
  if (word == 0x6c6c756e) {
    valueKind = V_NULL;
    valueEnd = i + 4;
  } else if (word == 0x65757274) {
    valueKind = V_OTHER;
    valueEnd = i + 4;
  } else if (word == 0x736c6166 && load<u8>(i + 4) == 0x65) {
    valueKind = V_OTHER;
    valueEnd = i + 5;
  } else return -1;
  return valueEnd <= end ? valueEnd : -1;
}

/** field-rules.ts `lengthOk`: 1 to max characters (UTF-8 bytes that do not continue a character). */
function lengthOk(start: u32, end: u32, max: u32): bool {
  const length = end - start;
  if (length < 1) return false;
  if (length <= max) return true;
  if (length > 4 * max) return false;
  let count: u32 = 0;
  for (let i = start; i < end; i++) if ((load<u8>(i) & 0xc0) != 0x80) count++;
  return count <= max;
}

function storeRange(at: u32): void {
  store<u32>(record + at, valueStart);
  store<u32>(record + at + 4, valueEnd);
}

/** Checks the value just read against the rules of a known key and keeps it; false for a violation. */
function storeField(key: i32): bool {
  const kind = valueKind;
  const n = valueNumber;
  const statusLike = kind == V_NUMBER && n >= 100 && n <= 599 && n == Math.floor(n);
  switch (key) {
    case K_REQUEST_ID:
      if (kind != V_STRING || !lengthOk(valueStart, valueEnd, 256)) return false;
      storeRange(R_REQUEST_ID);
      store<i32>(record + R_HASHES, valueHash);
      return true;
    case K_FUNCTION:
      if (kind != V_STRING || !lengthOk(valueStart, valueEnd, 256)) return false;
      storeRange(R_FUNCTION);
      store<i32>(record + R_HASHES + 4, valueHash);
      return true;
    case K_STAGE:
      if (kind != V_STRING || !lengthOk(valueStart, valueEnd, 128)) return false;
      storeRange(R_STAGE);
      store<i32>(record + R_HASHES + 8, valueHash);
      return true;
    case K_STATUS:
      if (!statusLike) return false;
      store<i32>(record + R_STATUS, <i32>n);
      return true;
    case K_LATENCY:
      if (kind != V_NUMBER || !(n >= 0)) return false;
      // + 0: -0 is read as 0, as scan-record.ts does.
      store<f64>(record + R_LATENCY, n + 0);
      return true;
    case K_ERROR_CODE:
      if (kind == V_NULL) {
        store<i32>(record + R_ERROR_CODE, -1);
        store<i32>(record + R_ERROR_CODE + 4, -1);
        return true;
      }
      if (kind != V_STRING || !lengthOk(valueStart, valueEnd, 128)) return false;
      storeRange(R_ERROR_CODE);
      store<i32>(record + R_HASHES + 12, valueHash);
      return true;
    case K_UPSTREAM:
      if (kind == V_NULL) store<i32>(record + R_UPSTREAM, 0);
      else if (statusLike) store<i32>(record + R_UPSTREAM, <i32>n);
      else if (kind == V_STRING && isTimeout(valueStart, valueEnd))
        store<i32>(record + R_UPSTREAM, TIMEOUT_SEVERITY);
      else return false;
      return true;
    case K_UPSTREAM_LATENCY:
      if (kind == V_NULL) store<f64>(record + R_UPSTREAM_LATENCY, NaN);
      else if (kind == V_NUMBER && n >= 0) store<f64>(record + R_UPSTREAM_LATENCY, n + 0);
      else return false;
      return true;
    default:
      // ts, timestamp, time: the first of them present is the record's time (bit order says which).
      if (timeBit == 0 || key < timeBit) {
        timeBit = key;
        timeKind = kind;
        timeStart = valueStart;
        timeEnd = valueEnd;
        timeNumber = n;
      }
      return true;
  }
}

/** Whether the string is exactly `timeout` (its bytes 0–3 and 3–6 as words). */
function isTimeout(start: u32, end: u32): bool {
  return end - start == 7 && load<u32>(start) == 0x656d6974 && load<u32>(start + 3) == 0x74756f65;
}

/** The number of `count` decimal digits at `at`, or -1. */
function digitsAt(at: u32, count: u32): i32 {
  let n = 0;
  for (let k: u32 = 0; k < count; k++) {
    const d: u32 = <u32>load<u8>(at + k) - 0x30;
    if (d >= 10) return -1;
    n = n * 10 + <i32>d;
  }
  return n;
}

function daysInMonth(month: i32): i32 {
  if (month == 2) return 29;
  return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
}

/** scan-record.ts `daysFromCivil`, for years 1000–9999 (all positive: integer division floors). */
function daysFromCivil(year: i32, month: i32, day: i32): i32 {
  const y = month <= 2 ? year - 1 : year;
  const era = y / 400;
  const yearOfEra = y - era * 400;
  const dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** scan-record.ts `hourStart`: the hour `YYYY-MM-DDTHH` at s into lastHourStart; false if not valid. */
function hourStart(s: u32): bool {
  const a = load<u64>(s);
  const b = load<u32>(s + 8);
  const c = load<u32>(s + 9);
  if (a == lastHourA && b == lastHourB && c == lastHourC && !isNaN(lastHourStart)) return true;
  const year = digitsAt(s, 4);
  const month = digitsAt(s + 5, 2);
  const day = digitsAt(s + 8, 2);
  const hour = digitsAt(s + 11, 2);
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (day > daysInMonth(month)) return false;
  if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))) return false;
  lastHourA = a;
  lastHourB = b;
  lastHourC = c;
  lastHourStart = <f64>daysFromCivil(year, month, day) * 86400000 + <f64>hour * 3600000;
  return true;
}

/** scan-record.ts `msPastHour`: the milliseconds past lastHourStart of the time at [s, e), or -1. */
function msPastHour(s: u32, e: u32): i32 {
  const length = e - s;
  if (length < 20) return -1;
  if (load<u8>(e - 1) != 0x5a || load<u8>(s + 4) != 0x2d || load<u8>(s + 7) != 0x2d) return -1;
  if (load<u8>(s + 10) != 0x54 || load<u8>(s + 13) != 0x3a || load<u8>(s + 16) != 0x3a) return -1;
  if (!hourStart(s)) return -1;
  const minute = digitsAt(s + 14, 2);
  const second = digitsAt(s + 17, 2);
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  let ms = 0;
  if (length > 20) {
    // A fraction of 1–9 digits; Date.parse keeps milliseconds and drops the rest.
    const fraction = <i32>length - 21;
    if (load<u8>(s + 19) != 0x2e || fraction < 1 || fraction > 9) return -1;
    for (let k = 0; k < fraction; k++) {
      const d: u32 = <u32>load<u8>(s + 20 + <u32>k) - 0x30;
      if (d >= 10) return -1;
      if (k < 3) ms = ms * 10 + <i32>d;
    }
    for (let k = fraction; k < 3; k++) ms *= 10;
  }
  return minute * 60000 + second * 1000 + ms;
}

/** scan-record.ts `finish`: the record's time, once every field is in; false when it is not readable. */
function finish(): bool {
  if (timeBit == 0) store<f64>(record + R_TIME, NaN);
  else if (timeKind == V_NUMBER) store<f64>(record + R_TIME, timeNumber);
  else if (timeKind == V_STRING) {
    const past = msPastHour(timeStart, timeEnd);
    if (past < 0) return false;
    store<f64>(record + R_TIME, lastHourStart + <f64>past);
  } else return false;
  return true;
}

/** Whether the `length` bytes at `at` are those at `expected`: eight at a time, then four, then one. */
function literalMatches(at: u32, expected: u32, length: u32): bool {
  if (length >= 8) {
    let k: u32 = 0;
    for (; k + 8 <= length; k += 8) if (load<u64>(at + k) != load<u64>(expected + k)) return false;
    return k == length || load<u64>(at + length - 8) == load<u64>(expected + length - 8);
  }
  if (length >= 4)
    return (
      load<u32>(at) == load<u32>(expected) && load<u32>(at + length - 4) == load<u32>(expected + length - 4)
    );
  for (let k: u32 = 0; k < length; k++) if (load<u8>(at + k) != load<u8>(expected + k)) return false;
  return true;
}

/**
 * Reads the line at `start` in the shape, within [start, limit); returns where its last literal ends,
 * REFUSED or UNSURE (scan-record.ts `readShaped`).
 */
function readShaped(start: u32, limit: u32): i32 {
  const shape = scratch;
  const fields = load<i32>(shape + SHAPE_FIELDS);
  if (fields == 0) return REFUSED;
  store<i32>(record + R_UNKNOWN_COUNT, 0);
  timeBit = 0;
  unsure = false;
  let i = start;
  for (let f = 0; ; f++) {
    const literalAt = i;
    const p = load<u32>(shape + SHAPE_FROM + 4 * f);
    const length = load<u32>(shape + SHAPE_FROM + 4 * f + 4) - p;
    if (i + length > limit) return REFUSED;
    if (!literalMatches(literalAt, shape + SHAPE_TEXT + p, length)) return REFUSED;
    i = literalAt + length;
    if (f == fields) break;
    const after = readValue(i, limit);
    if (after < 0) return unsure ? UNSURE : REFUSED;
    i = after;
    const key = load<i32>(shape + SHAPE_KEYS + 4 * f);
    if (key == 0) {
      const count = load<i32>(record + R_UNKNOWN_COUNT);
      const pair = record + R_UNKNOWN + 8 * count;
      store<u32>(pair, literalAt + load<u32>(shape + SHAPE_NAME_START + 4 * f));
      store<u32>(pair + 4, literalAt + load<u32>(shape + SHAPE_NAME_END + 4 * f));
      store<i32>(record + R_UNKNOWN_COUNT, count + 1);
    } else if (!storeField(key)) return REFUSED;
  }
  return i;
}

/**
 * scan-record.ts `scanShapedLine`: the line at `start`, whose end is not yet known (`limit`, as there).
 * Returns the index of the newline that ends it when it is a valid record in the shape, else REFUSED
 * or UNSURE.
 */
export function shapedLine(start: u32, limit: u32): i32 {
  record = scratch + RECORDS;
  return readLine(start, limit);
}

function readLine(start: u32, limit: u32): i32 {
  const end = readShaped(start, limit);
  if (end < 0) return end;
  const c = load<u8>(end);
  const newline = c == 0x0a ? end : c == 0x0d && load<u8>(end + 1) == 0x0a ? end + 1 : -1;
  if (newline < 0) return REFUSED;
  return finish() ? newline : REFUSED;
}

/** The line [start, end) (its end known): 1 when it is a valid record in the shape, else REFUSED or UNSURE. */
export function shapedRecord(start: u32, end: u32): i32 {
  record = scratch + RECORDS;
  return readRecord(start, end);
}

function readRecord(start: u32, end: u32): i32 {
  const last = readShaped(start, end);
  if (last < 0) return last;
  return <u32>last == end && finish() ? 1 : REFUSED;
}

// The index of a block's lines for the threads that read them (src/parallel/line-owner.ts `indexLines`).

/** Written for a line whose owner is not found here: JavaScript finds it (no thread has this index). */
const OWNER_UNKNOWN: u8 = 255;

/** The owner key (src/m1/owner-key.ts) of the string `readOwnerKey` last read. */
let ownerKey: i32 = 0;

function rotate(key: i32): i32 {
  return (key << 5) | (<i32>((<u32>key) >> 27));
}

/**
 * owner-key.ts `scanOwnerKey`: the index of the closing quote of the string whose contents start at i,
 * before end, with its owner key in `ownerKey`; -1 when it has an escape or a control byte or does not
 * close.
 */
function readOwnerKey(i: u32, end: u32): i32 {
  const from = i;
  const close = closingQuote(i, end);
  if (close < 0) return -1;
  const p = <u32>close;
  let key = 0;
  for (; i + 4 <= p; i += 4) key = rotate(key) ^ load<i32>(i);
  for (; i < p; i++) key = rotate(key) ^ (<i32>load<u8>(i));
  ownerKey = key ^ (<i32>(p - from));
  return p;
}

/** The first newline at or after i and before end, or end. */
function newlineFrom(i: u32, end: u32): u32 {
  const newline = i8x16.splat(0x0a);
  for (let p = i; p < end; p += 16) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(p), newline));
    if (bits != 0) {
      const at = p + ctz(bits);
      return at < end ? at : end;
    }
  }
  return end;
}

/** The bytes of `"request_id":"`. */
const KEY_LENGTH: u32 = 14;

/**
 * line-owner.ts `indexLines` for the block [start, end): per line, where its newline is (as an offset
 * from `start`) in the i32s at `endsAt`, and the thread that reads it in the bytes at `ownersAt`, found
 * from its request id when the line starts `{"request_id":"` and the id is a plain string (bucket
 * `(key × 0x9e3779b1) >>> 24` of the 256-byte table at `tableAt`), else OWNER_UNKNOWN, for JavaScript
 * to find. Returns the number of lines, or -1 when there are more than `max`.
 */
export function indexLines(start: u32, end: u32, endsAt: u32, ownersAt: u32, tableAt: u32, max: i32): i32 {
  let lines = 0;
  let s = start;
  while (s < end) {
    if (lines == max) return -1;
    let owner = OWNER_UNKNOWN;
    let from = s;
    if (s + 1 + KEY_LENGTH <= end && isIdKey(s + 1)) {
      const idEnd = readOwnerKey(s + 1 + KEY_LENGTH, end);
      if (idEnd >= 0) {
        owner = load<u8>(tableAt + ((<u32>(ownerKey * 0x9e3779b1)) >> 24));
        from = <u32>idEnd;
      }
    }
    const newline = newlineFrom(from, end);
    store<i32>(endsAt + 4 * <u32>lines, <i32>(newline - start));
    store<u8>(ownersAt + <u32>lines, owner);
    lines++;
    s = newline + 1;
  }
  return lines;
}

/** Whether `"request_id":"` is at `at` (the caller checked that its 14 bytes are within the block). */
function isIdKey(at: u32): bool {
  // Its bytes 0–7, 8–11 and 12–13 as little-endian words.
  return (
    load<u64>(at) == 0x7473657571657222 && load<u32>(at + 8) == 0x2264695f && load<u16>(at + 12) == 0x223a
  );
}

// Reading a thread's own lines of an indexed block, many at a call (src/parallel/walk-block.ts).

/**
 * Where the last `scanOwnLines` stopped (the index of the first line it did not read, or the block's
 * line count), or the last `scanLines` (the start of the first line it did not read).
 */
let stoppedAt: i32 = 0;

/** Where the last `scanOwnLines` or `scanLines` stopped. */
export function stopped(): i32 {
  return stoppedAt;
}

/**
 * Reads the lines from `start` of a chunk whose last newline is at `last`, one after another, as
 * `shapedLine` reads a line (src/input/line-splitter.ts: the limit of each is `last` or its start +
 * `maxLineBytes`, whichever comes first), each into the next record, with its start. Stops at the first
 * line it does not take (the caller reads it), or when BATCH_RECORDS are read; `stopped` says where.
 * Returns the records read.
 */
export function scanLines(start: u32, last: u32, maxLineBytes: u32): i32 {
  let count = 0;
  let s = start;
  while (s <= last && count < BATCH_RECORDS) {
    const limit = s + maxLineBytes < last ? s + maxLineBytes : last;
    record = scratch + RECORDS + <u32>count * RECORD_BYTES;
    const newline = readLine(s, limit);
    if (newline < 0) break;
    store<u32>(record + R_LINE_START, s);
    count++;
    s = <u32>newline + 1;
  }
  stoppedAt = <i32>s;
  return count;
}

/**
 * Reads the lines from line `from` of an indexed block (its bytes from `base`; the index as
 * `indexLines` leaves it: `lines` ends at `endsAt`, owners at `ownersAt`) that thread `me` owns, as
 * `shapedRecord` reads a line (without its `\r`), each into the next record, with its index and start.
 * Stops at the first own line it does not take (not a record in the shape, UNSURE, or longer than
 * `maxLineBytes`: the caller reads it), or when BATCH_RECORDS are read; `stopped` says where. Returns
 * the records read.
 */
export function scanOwnLines(
  base: u32,
  endsAt: u32,
  ownersAt: u32,
  from: i32,
  lines: i32,
  me: i32,
  maxLineBytes: u32,
): i32 {
  let count = 0;
  let k = from;
  let start: u32 = k == 0 ? base : base + <u32>load<i32>(endsAt + 4 * <u32>(k - 1)) + 1;
  for (; k < lines; k++) {
    const lineStart = start;
    const newline = base + <u32>load<i32>(endsAt + 4 * <u32>k);
    start = newline + 1;
    if (<i32>load<u8>(ownersAt + <u32>k) != me) continue;
    if (count == BATCH_RECORDS) break;
    let end = newline;
    if (end > lineStart && load<u8>(end - 1) == 0x0d) end--;
    if (end - lineStart > maxLineBytes) break;
    record = scratch + RECORDS + <u32>count * RECORD_BYTES;
    if (readRecord(lineStart, end) != 1) break;
    store<i32>(record + R_LINE, k);
    store<u32>(record + R_LINE_START, lineStart);
    count++;
  }
  stoppedAt = k;
  return count;
}
