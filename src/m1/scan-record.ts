import { lengthOk } from "./field-rules.js";
import { finishHash, hashByte, HASH_SEED, hashWord, viewOf } from "./byte-keys.js";
import { TIMEOUT_SEVERITY } from "./record.js";
import {
  R_ERROR_CODE,
  R_FUNCTION,
  R_HASHES,
  R_LATENCY,
  R_REQUEST_ID,
  R_STAGE,
  R_STATUS,
  R_TIME,
  R_UNKNOWN,
  R_UNKNOWN_COUNT,
  R_UPSTREAM,
  R_UPSTREAM_LATENCY,
  REFUSED,
  scannerFor,
  type LineScanner,
} from "./wasm-scan.js";

/**
 * A valid record located in its bytes: the fields of SPEC.md section 1 as offsets into `bytes` (strings)
 * and as numbers. One instance is reused for every line, so the hot path allocates nothing.
 *
 * Every instance must keep one V8 hidden class: the unit table reads records from the scanner's and from
 * its own (the general path's), and reading a double field through two classes boxes it, a heap number
 * per field per line. So the doubles start as doubles (NaN), and status and upstream are only ever
 * given small integers (`| 0`): no instance's fields change representation, whatever it is given first.
 */
export class ScannedRecord {
  bytes: Uint8Array = new Uint8Array(0);
  requestId = [0, 0];
  fn = [0, 0];
  stage = [0, 0];
  /** [-1, -1] for a null error_code. */
  errorCode = [-1, -1];
  /** A small integer (always stored `| 0`). */
  status = 0;
  latencyMs = Number.NaN;
  /** 0 null, 100–599 the code, 600 "timeout" (record.ts). */
  upstream = 0;
  /** NaN for null. */
  upstreamLatencyMs = Number.NaN;
  /** NaN when the record has no timestamp. */
  timeMs = Number.NaN;
  /** Unknown keys as [start, end) pairs, `unknownCount` of them. */
  unknown: number[] = [];
  unknownCount = 0;
  /** `hashBytes` of the string fields' bytes, computed while they were scanned. */
  requestIdHash = 0;
  fnHash = 0;
  stageHash = 0;
  errorCodeHash = 0;
  /** The shape of the last line read key by key, tried first on the next (see scanRecord). */
  readonly shape = new LineShape();
}

// Byte values.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const NEWLINE = 0x0a;
const CR = 0x0d;
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
 *
 * A log's lines nearly all share one shape: the same keys in the same order with the same spacing. So
 * the bytes between values of the last line read (`LineShape`) are tried first, compared as literals;
 * a line that differs anywhere is read key by key, and then becomes the shape the next line is tried on.
 */
export function scanRecord(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: ScannedRecord,
  shapeTried = false,
): boolean {
  if (!shapeTried && out.shape.fields > 0) {
    const scanner = scannerFor(bytes.buffer);
    const read = scanner === null ? REFUSED : scanInWasm(scanner, bytes, start, end, out, false);
    if (read === 1) return true;
    view = viewOf(bytes);
    if (scanner === null || read !== REFUSED) {
      if (scanShaped(bytes, start, end, out)) return true;
    }
  }
  view = viewOf(bytes);
  return scanKeyByKey(bytes, start, end, out);
}

// Where a record's fields are among the scanner's words and doubles (wasm-scan.ts recordAt).
const W_REQUEST_ID = R_REQUEST_ID / 4;
const W_FUNCTION = R_FUNCTION / 4;
const W_STAGE = R_STAGE / 4;
const W_ERROR_CODE = R_ERROR_CODE / 4;
const W_HASHES = R_HASHES / 4;
const W_STATUS = R_STATUS / 4;
const W_UPSTREAM = R_UPSTREAM / 4;
const W_UNKNOWN_COUNT = R_UNKNOWN_COUNT / 4;
const W_UNKNOWN = R_UNKNOWN / 4;
const D_LATENCY = R_LATENCY / 8;
const D_UPSTREAM_LATENCY = R_UPSTREAM_LATENCY / 8;
const D_TIME = R_TIME / 8;

/**
 * Takes record `k` that the WebAssembly scanner read from `bytes` (in its memory) into `out`, as the
 * JavaScript scan would have left it.
 */
export function takeRecord(scanner: LineScanner, k: number, bytes: Uint8Array, out: ScannedRecord): void {
  const words = scanner.words;
  const doubles = scanner.doubles;
  const w = scanner.recordAt(k);
  const d = w / 2;
  const base = bytes.byteOffset;
  out.requestId[0] = (words[w + W_REQUEST_ID] as number) - base;
  out.requestId[1] = (words[w + W_REQUEST_ID + 1] as number) - base;
  out.fn[0] = (words[w + W_FUNCTION] as number) - base;
  out.fn[1] = (words[w + W_FUNCTION + 1] as number) - base;
  out.stage[0] = (words[w + W_STAGE] as number) - base;
  out.stage[1] = (words[w + W_STAGE + 1] as number) - base;
  const errorCodeStart = words[w + W_ERROR_CODE] as number;
  if (errorCodeStart < 0) {
    out.errorCode[0] = -1;
    out.errorCode[1] = -1;
  } else {
    out.errorCode[0] = errorCodeStart - base;
    out.errorCode[1] = (words[w + W_ERROR_CODE + 1] as number) - base;
    out.errorCodeHash = words[w + W_HASHES + 3] as number;
  }
  out.requestIdHash = words[w + W_HASHES] as number;
  out.fnHash = words[w + W_HASHES + 1] as number;
  out.stageHash = words[w + W_HASHES + 2] as number;
  out.status = (words[w + W_STATUS] as number) | 0;
  out.upstream = (words[w + W_UPSTREAM] as number) | 0;
  out.latencyMs = doubles[d + D_LATENCY] as number;
  out.upstreamLatencyMs = doubles[d + D_UPSTREAM_LATENCY] as number;
  out.timeMs = doubles[d + D_TIME] as number;
  const unknown = words[w + W_UNKNOWN_COUNT] as number;
  out.unknownCount = 0;
  for (let u = 0; u < unknown; u++)
    addUnknown(
      out,
      (words[w + W_UNKNOWN + 2 * u] as number) - base,
      (words[w + W_UNKNOWN + 2 * u + 1] as number) - base,
    );
  out.bytes = bytes;
}

/** Makes the scanner read with `out`'s shape (written to it again only when that changed). */
export function useShapeOf(scanner: LineScanner, out: ScannedRecord): void {
  const shape = out.shape;
  scanner.useShape(
    shape,
    shape.version,
    shape.fields,
    shape.keys,
    shape.from,
    shape.nameStart,
    shape.nameEnd,
    shape.text,
  );
}

/**
 * The shape path in WebAssembly (wasm-scan.ts), for bytes in a memory it reads: with `lineMode`, as
 * `scanShapedLine` (`limit` then, and the newline's index returned), else as `scanShaped` (1 for a
 * record). REFUSED when JavaScript's shape path would refuse the line too, UNSURE when it must decide.
 */
function scanInWasm(
  scanner: LineScanner,
  bytes: Uint8Array,
  start: number,
  endOrLimit: number,
  out: ScannedRecord,
  lineMode: boolean,
): number {
  useShapeOf(scanner, out);
  const base = bytes.byteOffset;
  const read = lineMode
    ? scanner.shapedLine(base + start, base + endOrLimit)
    : scanner.shapedRecord(base + start, base + endOrLimit);
  if (read < 0) return read;
  takeRecord(scanner, 0, bytes, out);
  return lineMode ? read - base : 1;
}

/**
 * The bytes that surround the values of a line, learned from a line that was read key by key: literal
 * i is what comes before value i (`{"request_id":` for the first, `,"function":` for the next, …), and
 * the last literal what follows the last value (`}`).
 */
class LineShape {
  /** Values in the shape; 0 while none is learned. */
  fields = 0;
  /** Counts the shapes learned, so that the WebAssembly scanner knows when to take it again. */
  version = 0;
  /** The key of each value, as its bit (0: an unknown key). */
  readonly keys = new Int32Array(MAX_SHAPE_FIELDS);
  /** Literal i is text[from[i], from[i + 1]). */
  readonly from = new Int32Array(MAX_SHAPE_FIELDS + 2);
  /** For an unknown key, where its name lies in its literal (offsets from the literal's start). */
  readonly nameStart = new Int32Array(MAX_SHAPE_FIELDS);
  readonly nameEnd = new Int32Array(MAX_SHAPE_FIELDS);
  readonly text = new Uint8Array(MAX_SHAPE_BYTES);
  /**
   * Each literal of eight bytes or more as eight-byte pieces (read as little-endian doubles), literal
   * i's from `eightFrom[i]` to `eightFrom[i + 1]`, piece e at offset `eightAt[e]` in its literal: every
   * eighth byte, and then, when the length is not a multiple of eight, the last eight bytes
   * (overlapping the piece before), so that no byte is compared alone. Two doubles are equal exactly
   * when their bits are, except NaN and ±0, and no literal's piece is either: a NaN's top twelve bits
   * are set, which in valid UTF-8 would need 0x7f or 0xff after a byte of 0xf0 or more (it is
   * followed by 0x80–0xbf), and ±0 has seven zero bytes, which JSON has only escaped.
   */
  readonly eights = new Float64Array(MAX_SHAPE_BYTES / 8 + MAX_SHAPE_FIELDS + 1);
  readonly eightAt = new Int32Array(MAX_SHAPE_BYTES / 8 + MAX_SHAPE_FIELDS + 1);
  readonly eightFrom = new Int32Array(MAX_SHAPE_FIELDS + 2);
  /**
   * Each literal of four to seven bytes as its first and last four bytes (one word when it has four),
   * little-endian, literal i's from `wordFrom[i]` to `wordFrom[i + 1]`, at `wordAt[w]`. A shorter
   * literal (`}`) is compared byte by byte.
   */
  readonly words = new Int32Array(2 * MAX_SHAPE_FIELDS + 2);
  readonly wordAt = new Int32Array(2 * MAX_SHAPE_FIELDS + 2);
  readonly wordFrom = new Int32Array(MAX_SHAPE_FIELDS + 2);
}

/** The line's buffer seen as a DataView (byte-keys.ts `viewOf`), to read four bytes at a time. */
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

const MAX_SHAPE_FIELDS = 32;
const MAX_SHAPE_BYTES = 2048;

/** Where a key-by-key scan saw each value begin and end, to learn the line's shape if it is accepted. */
const seenKeys = new Int32Array(MAX_SHAPE_FIELDS);
const seenValueStart = new Int32Array(MAX_SHAPE_FIELDS);
const seenValueEnd = new Int32Array(MAX_SHAPE_FIELDS);
const seenNameStart = new Int32Array(MAX_SHAPE_FIELDS);
const seenNameEnd = new Int32Array(MAX_SHAPE_FIELDS);

/**
 * `scanRecord`'s first way alone, for a line whose end is not yet known: `bytes[start, limit]` holds it
 * and maybe more lines. Returns the index of the newline that ends the line when the line is a valid
 * record in the shape of the last line read key by key, or -1 (the caller then finds the line's end and
 * calls `scanRecord`, which need not try the shape again: `shapeTried`). No byte this way accepts is a
 * newline (the literals come from a line, and strings refuse control bytes), so the newline right after
 * the last literal, or after a `\r` there, is the line's first: the line, without that `\r`, is the
 * one `scanRecord` would have been given, and the result the same. Finding each newline by itself
 * (`indexOf`) costs 40–55 ns a line; this costs a comparison or two. `bytes[start, limit]` must be valid
 * UTF-8.
 */
export function scanShapedLine(bytes: Uint8Array, start: number, limit: number, out: ScannedRecord): number {
  if (out.shape.fields === 0) return -1;
  const scanner = scannerFor(bytes.buffer);
  if (scanner !== null) {
    const newline = scanInWasm(scanner, bytes, start, limit, out, true);
    if (newline >= 0 || newline === REFUSED) return newline;
  }
  view = viewOf(bytes);
  const end = readShaped(bytes, start, limit, out);
  if (end < 0) return -1;
  const newline =
    bytes[end] === NEWLINE ? end : bytes[end] === CR && bytes[end + 1] === NEWLINE ? end + 1 : -1;
  return newline >= 0 && finish(bytes, out) ? newline : -1;
}

function scanShaped(bytes: Uint8Array, start: number, end: number, out: ScannedRecord): boolean {
  return readShaped(bytes, start, end, out) === end && finish(bytes, out);
}

/** Reads a line in the last shape, within bytes[start, end); returns where its last literal ends, or -1. */
function readShaped(bytes: Uint8Array, start: number, end: number, out: ScannedRecord): number {
  const shape = out.shape;
  const text = shape.text;
  const from = shape.from;
  out.unknownCount = 0;
  timeBit = 0;
  let i = start;
  for (let f = 0; f <= shape.fields; f++) {
    const literalAt = i;
    const p = from[f] as number;
    const length = (from[f + 1] as number) - p;
    if (i + length > end) return -1;
    if (length >= 8) {
      const eightsEnd = shape.eightFrom[f + 1] as number;
      for (let e = shape.eightFrom[f] as number; e < eightsEnd; e++)
        if (view.getFloat64(literalAt + (shape.eightAt[e] as number), true) !== shape.eights[e]) return -1;
    } else if (length >= 4) {
      const wordsEnd = shape.wordFrom[f + 1] as number;
      for (let w = shape.wordFrom[f] as number; w < wordsEnd; w++)
        if (view.getInt32(literalAt + (shape.wordAt[w] as number), true) !== shape.words[w]) return -1;
    } else for (let k = 0; k < length; k++) if (bytes[literalAt + k] !== text[p + k]) return -1;
    i = literalAt + length;
    if (f === shape.fields) break;
    i = readValue(bytes, i, end);
    if (i < 0) return -1;
    const key = shape.keys[f] as number;
    if (key === 0)
      addUnknown(out, literalAt + (shape.nameStart[f] as number), literalAt + (shape.nameEnd[f] as number));
    else if (!storeField(key, bytes, out)) return -1;
  }
  return i;
}

function scanKeyByKey(bytes: Uint8Array, start: number, end: number, out: ScannedRecord): boolean {
  let i = skipSpace(bytes, start, end);
  if (bytes[i] !== OPEN) return false;
  i = skipSpace(bytes, i + 1, end);
  let seen = 0;
  let fields = 0;
  out.unknownCount = 0;
  timeBit = 0;
  if (bytes[i] === CLOSE) return false;
  for (;;) {
    // Key.
    if (bytes[i] !== QUOTE) return false;
    const keyStart = i + 1;
    const keyEnd = readString(bytes, keyStart, end);
    if (keyEnd < 0) return false;
    const key = knownKey(bytes, keyStart, keyEnd);
    if ((seen & key) !== 0) return false;
    seen |= key;
    i = skipSpace(bytes, keyEnd + 1, end);
    if (bytes[i] !== COLON) return false;
    i = skipSpace(bytes, i + 1, end);
    // Value.
    const valueAt = i;
    i = readValue(bytes, i, end);
    if (i < 0) return false;
    if (key !== 0) {
      if (!storeField(key, bytes, out)) return false;
    } else {
      // A repeated unknown key: JSON.parse keeps the last, and counts it once; leave it to that path.
      if (repeatsUnknown(bytes, keyStart, keyEnd, out)) return false;
      addUnknown(out, keyStart, keyEnd);
    }
    if (fields < MAX_SHAPE_FIELDS) {
      seenKeys[fields] = key;
      seenValueStart[fields] = valueAt;
      seenValueEnd[fields] = i;
      seenNameStart[fields] = keyStart;
      seenNameEnd[fields] = keyEnd;
    }
    fields++;
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
  if ((seen & REQUIRED) !== REQUIRED || !finish(bytes, out)) return false;
  learnShape(out.shape, bytes, start, end, fields);
  return true;
}

/** Makes the line just accepted the shape the next line is tried on (when it fits the bounds). */
function learnShape(shape: LineShape, bytes: Uint8Array, start: number, end: number, fields: number): void {
  if (fields > MAX_SHAPE_FIELDS) return;
  let literalBytes = end - start;
  for (let f = 0; f < fields; f++)
    literalBytes -= (seenValueEnd[f] as number) - (seenValueStart[f] as number);
  if (literalBytes > MAX_SHAPE_BYTES) return;
  let at = 0;
  let word = 0;
  let eight = 0;
  let from = start;
  for (let f = 0; f <= fields; f++) {
    const to = f === fields ? end : (seenValueStart[f] as number);
    shape.from[f] = at;
    shape.wordFrom[f] = word;
    shape.eightFrom[f] = eight;
    const length = to - from;
    if (length >= 8) {
      for (let k = 0; k + 8 <= length; k += 8) eight = learnEight(shape, eight, from, k);
      if (length % 8 !== 0) eight = learnEight(shape, eight, from, length - 8);
    } else if (length >= 4) {
      word = learnWord(shape, word, from, 0);
      if (length > 4) word = learnWord(shape, word, from, length - 4);
    }
    if (f < fields) {
      shape.keys[f] = seenKeys[f] as number;
      shape.nameStart[f] = (seenNameStart[f] as number) - from;
      shape.nameEnd[f] = (seenNameEnd[f] as number) - from;
    }
    for (let k = from; k < to; k++) shape.text[at++] = bytes[k] as number;
    if (f < fields) from = seenValueEnd[f] as number;
  }
  shape.from[fields + 1] = at;
  shape.wordFrom[fields + 1] = word;
  shape.eightFrom[fields + 1] = eight;
  shape.fields = fields;
  shape.version++;
}

/**
 * Adds the eight bytes at offset `k` of a literal that starts at `from` to the shape's pieces; returns
 * the next piece. `view` is over the line's bytes (the key-by-key scan set it).
 */
function learnEight(shape: LineShape, eight: number, from: number, k: number): number {
  shape.eights[eight] = view.getFloat64(from + k, true);
  shape.eightAt[eight] = k;
  return eight + 1;
}

/** `learnEight` for four bytes, a word. */
function learnWord(shape: LineShape, word: number, from: number, k: number): number {
  shape.words[word] = view.getInt32(from + k, true);
  shape.wordAt[word] = k;
  return word + 1;
}

// The value just read by readValue (module state: the hot path allocates nothing).
let valueKind = 0;
/** For a string, its contents (without quotes); otherwise the token. */
let valueStart = 0;
let valueEnd = 0;
/**
 * A number read, and the time's when it is a number. In a typed array, not variables: a module's
 * variable holding a fraction or an epoch millisecond is a heap number allocated at each assignment.
 */
const numbers = new Float64Array(3);
const VALUE = 0;
const TIME = 1;
/** The epoch ms at which the last `YYYY-MM-DDTHH` read starts (see hourStart), NaN before any. */
const LAST_HOUR = 2;
numbers[LAST_HOUR] = Number.NaN;
/** For a string, hashBytes of its contents (a signed 32-bit integer). */
let valueHash = 0;

// The record's time while a line is read: the first of ts, timestamp, time present (by bit order).
let timeBit = 0;
let timeKind = 0;
let timeStart = 0;
let timeEnd = 0;

/** Reads the scalar value at i into the value state; returns the index after it, or -1. */
function readValue(bytes: Uint8Array, i: number, end: number): number {
  const c = bytes[i] as number;
  if (c === QUOTE) {
    valueStart = i + 1;
    valueEnd = readString(bytes, valueStart, end);
    if (valueEnd < 0) return -1;
    valueKind = V_STRING;
    return valueEnd + 1;
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) {
    valueStart = i;
    valueEnd = readNumber(bytes, i, end);
    if (valueEnd < 0) return -1;
    valueKind = V_NUMBER;
    return valueEnd;
  }
  return readLiteral(bytes, i, end);
}

/**
 * `readValue` for `null`, `true` and `false` (apart, so that readValue stays small enough for V8 to
 * inline it into the scan's loop: 485 bytes of bytecode with it, over the 460 V8 inlines).
 */
function readLiteral(bytes: Uint8Array, i: number, end: number): number {
  const c = bytes[i] as number;
  valueStart = i;
  if (c === 0x6e && bytes[i + 1] === 0x75 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x6c) {
    valueKind = V_NULL;
    valueEnd = i + 4;
  } else if (c === 0x74 && bytes[i + 1] === 0x72 && bytes[i + 2] === 0x75 && bytes[i + 3] === 0x65) {
    valueKind = V_OTHER;
    valueEnd = i + 4;
  } else if (
    c === 0x66 &&
    bytes[i + 1] === 0x61 &&
    bytes[i + 2] === 0x6c &&
    bytes[i + 3] === 0x73 &&
    bytes[i + 4] === 0x65
  ) {
    valueKind = V_OTHER;
    valueEnd = i + 5;
  } else {
    // Objects, arrays, or not JSON at all: the general path.
    return -1;
  }
  return valueEnd <= end ? valueEnd : -1;
}

/** Checks the value just read against the rules of a known key, and keeps it; false for a violation. */
function storeField(key: number, bytes: Uint8Array, out: ScannedRecord): boolean {
  const kind = valueKind;
  const valueNumber = numbers[VALUE] as number;
  // Written out, not a call: TurboFan inlines nothing into this function, and a double passed to a call
  // is a heap number allocated (this one call was most of the scanner's garbage).
  const statusLike = valueNumber >= 100 && valueNumber <= 599 && Number.isInteger(valueNumber);
  switch (key) {
    case K_REQUEST_ID:
      if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 256)) return false;
      out.requestId[0] = valueStart;
      out.requestId[1] = valueEnd;
      out.requestIdHash = valueHash;
      return true;
    case K_FUNCTION:
      if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 256)) return false;
      out.fn[0] = valueStart;
      out.fn[1] = valueEnd;
      out.fnHash = valueHash;
      return true;
    case K_STAGE:
      if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 128)) return false;
      out.stage[0] = valueStart;
      out.stage[1] = valueEnd;
      out.stageHash = valueHash;
      return true;
    case K_STATUS:
      if (kind !== V_NUMBER || !statusLike) return false;
      out.status = valueNumber | 0;
      return true;
    case K_LATENCY:
      if (kind !== V_NUMBER || !(valueNumber >= 0 && valueNumber < Infinity)) return false;
      out.latencyMs = valueNumber + 0;
      return true;
    case K_ERROR_CODE:
      if (kind === V_NULL) {
        out.errorCode[0] = -1;
        out.errorCode[1] = -1;
        return true;
      }
      if (kind !== V_STRING || !lengthOk(bytes, valueStart, valueEnd, 128)) return false;
      out.errorCode[0] = valueStart;
      out.errorCode[1] = valueEnd;
      out.errorCodeHash = valueHash;
      return true;
    case K_UPSTREAM:
      if (kind === V_NULL) out.upstream = 0;
      else if (kind === V_NUMBER && statusLike) out.upstream = valueNumber | 0;
      else if (kind === V_STRING && isTimeout(bytes, valueStart, valueEnd)) out.upstream = TIMEOUT_SEVERITY;
      else return false;
      return true;
    case K_UPSTREAM_LATENCY:
      if (kind === V_NULL) out.upstreamLatencyMs = Number.NaN;
      else if (kind === V_NUMBER && valueNumber >= 0 && valueNumber < Infinity)
        out.upstreamLatencyMs = valueNumber + 0;
      else return false;
      return true;
    default:
      // ts, timestamp, time: the first of them that is present is the record's time (bit order says which).
      if (timeBit === 0 || key < timeBit) {
        timeBit = key;
        timeKind = kind;
        timeStart = valueStart;
        timeEnd = valueEnd;
        numbers[TIME] = valueNumber;
      }
      return true;
  }
}

/** Reads the record's time once every field is in; false when it is present but not readable here. */
function finish(bytes: Uint8Array, out: ScannedRecord): boolean {
  if (timeBit === 0) out.timeMs = Number.NaN;
  else if (timeKind === V_NUMBER && Number.isFinite(numbers[TIME])) out.timeMs = numbers[TIME] as number;
  else if (timeKind === V_STRING) {
    const pastHour = msPastHour(bytes, timeStart, timeEnd);
    if (pastHour < 0) return false;
    out.timeMs = (numbers[LAST_HOUR] as number) + pastHour;
  } else return false;
  out.bytes = bytes;
  return true;
}

function addUnknown(out: ScannedRecord, start: number, end: number): void {
  if (out.unknownCount * 2 === out.unknown.length) out.unknown.push(0, 0);
  out.unknown[out.unknownCount * 2] = start;
  out.unknown[out.unknownCount * 2 + 1] = end;
  out.unknownCount++;
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

/**
 * The index of the closing quote of a string without escapes or control characters, or -1; leaves the
 * hash of its contents (`hashBytes`) in `valueHash`. Reads four bytes at a time while none of them is
 * a quote, a backslash or a control character (tested all at once, by the word tricks of `hasSpecial`).
 */
function readString(bytes: Uint8Array, i: number, end: number): number {
  const from = i;
  let h = HASH_SEED;
  for (; i + 4 <= end; i += 4) {
    const word = view.getInt32(i, true);
    if (hasSpecial(word)) break;
    h = hashWord(h, word);
  }
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      valueHash = finishHash(h, i - from);
      return i;
    }
    if (c === BACKSLASH || c < 0x20) return -1;
    h = hashByte(h, c);
  }
  return -1;
}

/**
 * Whether any of a word's four bytes is a quote, a backslash or below 0x20: "has a zero byte" is
 * (v - 0x01010101) & ~v & 0x80808080, applied to the word xor each byte sought; "has a byte below n"
 * is (v - n·0x01010101) & ~v & 0x80808080. Both are exact for whether any byte matches.
 */
export function hasSpecial(word: number): boolean {
  const quote = word ^ 0x22222222;
  const backslash = word ^ 0x5c5c5c5c;
  const found =
    ((quote - 0x01010101) & ~quote) | ((backslash - 0x01010101) & ~backslash) | ((word - 0x20202020) & ~word);
  return (found & 0x80808080) !== 0;
}

/**
 * Reads a number in strict JSON grammar into `numbers[VALUE]`, exactly as JSON.parse gives it; returns its
 * end, or -1. With at most 15 significant digits and no exponent, digits / 10^k is exact in both
 * operands and correctly rounded (Clinger's fast path); anything else goes through Number().
 */
function readNumber(bytes: Uint8Array, i: number, end: number): number {
  const from = i;
  const negative = bytes[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let c = bytes[i] as number;
  if (c === ZERO) c = bytes[++i] as number;
  else if (c > ZERO && c <= NINE) {
    do {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      c = bytes[++i] as number;
    } while (c >= ZERO && c <= NINE);
  } else return -1;
  if (c === DOT) {
    c = bytes[++i] as number;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do {
      mantissa = mantissa * 10 + (c - ZERO);
      if (mantissa !== 0) digits++;
      scale++;
      c = bytes[++i] as number;
    } while (c >= ZERO && c <= NINE);
  }
  if (c === 0x65 || c === 0x45) {
    c = bytes[++i] as number;
    if (c === 0x2b || c === MINUS) c = bytes[++i] as number;
    if (!(c >= ZERO && c <= NINE)) return -1;
    do c = bytes[++i] as number;
    while (c >= ZERO && c <= NINE);
    digits = 16;
  }
  if (i > end) return -1;
  if (digits > 15 || scale > 15) {
    numbers[VALUE] = Number(Buffer.from(bytes.buffer, bytes.byteOffset + from, i - from).toString("latin1"));
    return i;
  }
  const value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
  numbers[VALUE] = negative ? -value : value;
  return i;
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

const KEY_BYTES = new Map<string, Uint8Array>(
  [
    "time",
    "stage",
    "status",
    "function",
    "timestamp",
    "request_id",
    "latency_ms",
    "error_code",
    "upstream_status",
    "upstream_latency_ms",
  ].map((key) => [key, Buffer.from(key, "latin1")]),
);

function matches(bytes: Uint8Array, start: number, word: string): boolean {
  const expected = KEY_BYTES.get(word) as Uint8Array;
  for (let k = 0; k < expected.length; k++) if (bytes[start + k] !== expected[k]) return false;
  return true;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Reads an RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`) as JSON.parse + Date.parse would:
 * its hour's start goes to `numbers[LAST_HOUR]` (see hourStart) and the milliseconds past it are
 * returned, or -1 for any other shape, which the general path (parse-timestamp.ts) then reads or
 * rejects. A small integer out, not a double: a returned epoch millisecond is a heap number allocated.
 */
function msPastHour(b: Uint8Array, s: number, e: number): number {
  const length = e - s;
  if (length < 20 || b[e - 1] !== 0x5a || b[s + 4] !== MINUS || b[s + 7] !== MINUS || b[s + 10] !== 0x54)
    return -1;
  if (b[s + 13] !== COLON || b[s + 16] !== COLON) return -1;
  if (!hourStart(b, s)) return -1;
  const minute = digitsAt(b, s + 14, 2);
  const second = digitsAt(b, s + 17, 2);
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return -1;
  let ms = 0;
  if (length > 20) {
    // A fraction of 1–9 digits; Date.parse keeps milliseconds and drops the rest.
    const fraction = length - 21;
    if (b[s + 19] !== DOT || fraction < 1 || fraction > 9) return -1;
    for (let k = 0; k < fraction; k++) {
      const d = b[s + 20 + k] as number;
      if (d < ZERO || d > NINE) return -1;
      if (k < 3) ms = ms * 10 + (d - ZERO);
    }
    for (let k = fraction; k < 3; k++) ms *= 10;
  }
  return minute * 60_000 + second * 1000 + ms;
}

/**
 * The last `YYYY-MM-DDTHH` read, consecutive lines mostly share it: its 13 bytes as the little-endian
 * words at offsets 0, 4, 8 and 9 (the last two overlap), compared four bytes at a time.
 */
const lastHour = new Int32Array(4);

/**
 * Puts the epoch ms at which the hour `YYYY-MM-DDTHH` at b[s] starts in `numbers[LAST_HOUR]`; false
 * when it is not a valid one.
 */
function hourStart(b: Uint8Array, s: number): boolean {
  // `view` is over b (the scan set it), which holds at least 20 bytes from s (msPastHour checked).
  if (
    view.getInt32(s, true) === lastHour[0] &&
    view.getInt32(s + 4, true) === lastHour[1] &&
    view.getInt32(s + 8, true) === lastHour[2] &&
    view.getInt32(s + 9, true) === lastHour[3] &&
    !Number.isNaN(numbers[LAST_HOUR])
  )
    return true;
  const year = digitsAt(b, s, 4);
  const month = digitsAt(b, s + 5, 2);
  const day = digitsAt(b, s + 8, 2);
  const hour = digitsAt(b, s + 11, 2);
  // Years before 1000 (which Date.UTC would shift) and impossible dates go to the general path.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return false;
  if (day > (DAYS[month - 1] as number)) return false;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return false;
  lastHour[0] = view.getInt32(s, true);
  lastHour[1] = view.getInt32(s + 4, true);
  lastHour[2] = view.getInt32(s + 8, true);
  lastHour[3] = view.getInt32(s + 9, true);
  numbers[LAST_HOUR] = daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000;
  return true;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years 1000–9999 here), as Date.UTC
 * counts them, in integer arithmetic (H. Hinnant's days_from_civil).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
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
