import { ownerOf } from "../m1/intake.js";

const KEY = Buffer.from('"request_id":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Which of `count` workers owns a line's unit, read from its bytes without parsing: the hash of the
 * first `"request_id":"…"` without escapes in the line. Null when there is none; the caller then goes
 * by line number. A line whose real request id differs (a repeated key, an escape) is still read
 * correctly: the worker that parses it hands the record to its owner (Intake.foreign).
 */
export function quickOwner(bytes: Buffer, start: number, end: number, count: number): number | null {
  const key = findKey(bytes, start, end);
  if (key < 0) return null;
  const idStart = key + KEY.length;
  for (let i = idStart; i < end; i++) {
    const c = bytes[i];
    if (c === BACKSLASH) return null;
    if (c === QUOTE) return ownerOf(bytes, idStart, i, count);
  }
  return null;
}

/** Where the key starts in the line, or -1; bounded by the line (never scans past it). */
function findKey(bytes: Buffer, start: number, end: number): number {
  // Most lines start with it.
  if (matchesAt(bytes, start + 1, end)) return start + 1;
  const last = end - KEY.length;
  for (let i = start; i <= last; i++) {
    if (bytes[i] === QUOTE && bytes[i + 1] === 0x72 && matchesAt(bytes, i, end)) return i;
  }
  return -1;
}

function matchesAt(bytes: Buffer, at: number, end: number): boolean {
  if (at + KEY.length > end) return false;
  for (let k = 0; k < KEY.length; k++) if (bytes[at + k] !== KEY[k]) return false;
  return true;
}
