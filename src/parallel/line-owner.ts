import { isUtf8 } from "node:buffer";
import { viewOf } from "../m1/byte-keys.js";
import { ownerOfKey, OWNER_BUCKETS, type Owners } from "../m1/intake.js";
import { ID_KEY, lastOwnerKey, scanOwnerKey } from "../m1/owner-key.js";
import { scannerFor, type LineScanner } from "../m1/wasm-scan.js";

const KEY = Buffer.from(ID_KEY);
const QUOTE = 0x22;

/**
 * Which thread owns a line's unit, read from its bytes without parsing: the hash of the first
 * `"request_id":"…"` without escapes or control bytes in the line. Null when there is none; the caller
 * then goes by line number (`ownerOfLine`). A line whose real request id differs (a repeated key, an
 * escape) is still read correctly: the thread that parses it hands the record to its owner
 * (Intake.foreign).
 */
export function quickOwner(bytes: Buffer, start: number, end: number, owners: Owners): number | null {
  const key = findKey(bytes, start, end);
  if (key < 0) return null;
  // Read as the scanner reads a string, so that the owner is what the thread that parses the line finds
  // from the same bytes; an escape or a control byte leaves it to the line number.
  return scanOwnerKey(bytes, key + KEY.length, end) < 0 ? null : ownerOfKey(lastOwnerKey(), owners);
}

/** The thread that reads a line whose request id cannot be read from its bytes: any will do. */
export function ownerOfLine(line: number, owners: Owners): number {
  return owners[line % OWNER_BUCKETS] as number;
}

/** Where the key starts in the line, or -1; bounded by the line (never scans past it). */
function findKey(bytes: Buffer, start: number, end: number): number {
  const view = viewOf(bytes);
  // Most lines start with it.
  if (keyAt(view, start + 1, end)) return start + 1;
  const last = end - KEY.length;
  for (let i = start; i <= last; i++) {
    if (bytes[i] === QUOTE && bytes[i + 1] === 0x72 && keyAt(view, i, end)) return i;
  }
  return -1;
}

const KEY_WORDS = [KEY.readInt32LE(0), KEY.readInt32LE(4), KEY.readInt32LE(8), KEY.readUInt16LE(12)] as const;

/** Whether `"request_id":"` is at `at` (and within `end`), compared four bytes at a time. */
function keyAt(view: DataView<ArrayBufferLike>, at: number, end: number): boolean {
  return (
    at + KEY.length <= end &&
    view.getInt32(at, true) === KEY_WORDS[0] &&
    view.getInt32(at + 4, true) === KEY_WORDS[1] &&
    view.getInt32(at + 8, true) === KEY_WORDS[2] &&
    view.getUint16(at + 12, true) === KEY_WORDS[3]
  );
}

/** Where a block's lines end and which thread reads each (see `indexLines`), in shared memory. */
export interface LineIndex {
  /** Per line, the index of its newline (or the block's end for a last line without one). */
  readonly ends: Int32Array;
  /** Per line, the thread that reads it. */
  readonly owners: Uint8Array;
  /**
   * The owners table (`Owners`) copied into the memory the bytes are in, with `ends` and `owners`
   * there too: then the WebAssembly scanner indexes the lines (m1/wasm-scan.ts), where it reads them.
   */
  readonly ownerTable?: Uint8Array;
}

/** Lines a block's index holds at most; a block with more is split by each worker itself. */
export const INDEXED_LINES = 64 * 1024;

/**
 * Finds the lines of a block and the worker that owns each (`quickOwner`, or the line's number when its
 * request id cannot be read from the bytes), so that each worker walks only its own lines. Returns
 * the number of lines, or -1 when there are more than the index holds. `firstLine` is the number of
 * the block's first line in its source.
 */
export function indexLines(bytes: Buffer, index: LineIndex, owners: Owners, firstLine: number): number {
  const scanner = index.ownerTable === undefined ? null : scannerFor(bytes.buffer);
  if (scanner !== null && index.ends.buffer === bytes.buffer && index.owners.buffer === bytes.buffer)
    return indexInWasm(scanner, bytes, index, owners, firstLine);
  const view = viewOf(bytes);
  let lines = 0;
  let start = 0;
  while (start < bytes.length) {
    if (lines === INDEXED_LINES) return -1;
    // Most lines start with the key: their owner is read first, before their end is known (the id's
    // string stops at its quote, and at a newline, a control byte, as not closed), and the newline is
    // looked for from the id's end. 57 ns a line instead of 71.
    let owner = -1;
    let from = start;
    if (keyAt(view, start + 1, bytes.length)) {
      const idEnd = scanOwnerKey(bytes, start + 1 + KEY.length, bytes.length);
      if (idEnd >= 0) {
        owner = ownerOfKey(lastOwnerKey(), owners);
        from = idEnd;
      }
    }
    let newline = bytes.indexOf(0x0a, from);
    if (newline < 0) newline = bytes.length;
    index.ends[lines] = newline;
    index.owners[lines] =
      owner >= 0
        ? owner
        : (quickOwner(bytes, start, newline, owners) ?? ownerOfLine(firstLine + lines, owners));
    lines++;
    start = newline + 1;
  }
  return lines;
}

/**
 * `indexLines` by the WebAssembly scanner (half the time: 10M lines, ...), which finds the owner of
 * each line that starts with its request id's key; this finds the others' as `indexLines` does.
 */
function indexInWasm(
  scanner: LineScanner,
  bytes: Buffer,
  index: LineIndex,
  owners: Owners,
  firstLine: number,
): number {
  const base = bytes.byteOffset;
  const lines = scanner.indexLines(
    base,
    base + bytes.length,
    index.ends.byteOffset,
    index.owners.byteOffset,
    (index.ownerTable as Uint8Array).byteOffset,
    Math.min(INDEXED_LINES, index.ends.length, index.owners.length),
  );
  if (lines < 0) return -1;
  let start = 0;
  for (let k = 0; k < lines; k++) {
    const end = index.ends[k] as number;
    if (index.owners[k] === OWNER_UNKNOWN)
      index.owners[k] = quickOwner(bytes, start, end, owners) ?? ownerOfLine(firstLine + k, owners);
    start = end + 1;
  }
  return lines;
}

/** What the WebAssembly scanner writes for a line whose owner it leaves to `indexInWasm`. */
const OWNER_UNKNOWN = 255;

/** Whether a block is valid UTF-8 as a whole (checked once, for every worker). */
export function blockIsUtf8(bytes: Buffer): boolean {
  return isUtf8(bytes);
}
