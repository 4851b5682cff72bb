import { viewOf } from "./byte-keys.js";
import { hasSpecial } from "./scan-record.js";

/**
 * What precedes a request id in a line, as the index of lines looks for it (parallel/line-owner.ts,
 * first right after the line's `{`); a thread's own line that starts `{` and this is not checked for
 * its owner again (intake.ts).
 */
export const ID_KEY = '"request_id":"';

/**
 * The key a request id's owning thread is found by (see intake.ts `ownerOf`): its four-byte words
 * (little-endian), then its last one to three bytes, each xored into the key rotated by 5, then its
 * length. The main thread reads it for every line it indexes (parallel/line-owner.ts), so it is cheaper
 * than the unit table's hash (`hashBytes`, a multiplication per word): 10M lines, the index took
 * 0.60 s of the main thread's profile instead of 0.79–0.86. It is independent of that hash, too, so the units a thread
 * owns start their probes across all of its table's slots.
 */
export function ownerKey(bytes: Uint8Array, start: number, end: number): number {
  const view = viewOf(bytes);
  let key = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) key = rotate(key) ^ view.getInt32(i, true);
  for (; i < end; i++) key = rotate(key) ^ (bytes[i] as number);
  return key ^ (end - start);
}

function rotate(key: number): number {
  return (key << 5) | (key >>> 27);
}

/** The `ownerKey` of the string `scanOwnerKey` last read. */
let lastKey = 0;

/**
 * Reads the string whose contents start at i, within `end`, for a line's owner: returns the index of
 * its closing quote and leaves its `ownerKey` for `lastOwnerKey`, or returns -1 when it has an escape
 * or a control byte (as the scanner would refuse it) or does not close. Four bytes at a time.
 */
export function scanOwnerKey(bytes: Uint8Array, i: number, end: number): number {
  const view = viewOf(bytes);
  const from = i;
  let key = 0;
  for (; i + 4 <= end; i += 4) {
    const word = view.getInt32(i, true);
    if (hasSpecial(word)) break;
    key = rotate(key) ^ word;
  }
  for (; i < end; i++) {
    const c = bytes[i] as number;
    if (c === 0x22) {
      lastKey = key ^ (i - from);
      return i;
    }
    if (c === 0x5c || c < 0x20) return -1;
    key = rotate(key) ^ c;
  }
  return -1;
}

export function lastOwnerKey(): number {
  return lastKey;
}
