import { finishHash, HASH_SEED, viewOf } from "./byte-keys.js";

/**
 * Request ids that are UUIDs in their canonical lowercase text (`8-4-4-4-12` hex digits, 36 bytes), kept
 * in a unit table as their 16 bytes instead: 20 bytes less a unit (docs/performance.md, "Memory").
 *
 * Only the exact canonical form is packed: unpacking gives back the same 36 bytes, so nothing a report
 * shows changes, and an id in upper case, with braces or of any other shape stays as it was written
 * (a different text is a different unit: SPEC.md section 2 compares request ids exactly). A packed key is
 * told apart from a 16-byte id that happens to have the same bytes by its tag (`PACKED_UUID`).
 */

/**
 * The bit of a unit key's tag that says its bytes are a packed UUID: the lowest, the function id above it
 * (`unitTag`), so that a tag stays small and fits the one-word header of a key (byte-keys.ts).
 */
export const PACKED_UUID = 1;

/** A unit key's tag: its function id, and whether its bytes are a packed UUID. */
export function unitTag(functionId: number, packed: boolean): number {
  return (functionId << 1) | (packed ? PACKED_UUID : 0);
}

/** The function id of a unit key's tag. */
export function functionOfTag(tag: number): number {
  return tag >>> 1;
}
export const UUID_TEXT_BYTES = 36;
export const UUID_PACKED_BYTES = 16;

const DIGITS = new TextEncoder().encode("0123456789abcdef");
const DASH = 0x2d;
/**
 * Two characters (a little-endian 16-bit word) → 1 + the byte their two hex digits make, or 0 when either
 * is not `0`–`9` or `a`–`f`: one load a pair. Zero for "not" leaves the table's other pages untouched, so
 * 12 of its 128 KiB become resident. A loop of per-character lookups, or four characters at a time in
 * 32-bit arithmetic, took 27–40 ns an id in V8; this, written out, takes 14–16.
 */
const PAIR_VALUE = new Uint16Array(65536);
for (let high = 0; high < 16; high++)
  for (let low = 0; low < 16; low++)
    PAIR_VALUE[(DIGITS[high] as number) | ((DIGITS[low] as number) << 8)] = 1 + ((high << 4) | low);

/**
 * Packs the 36 bytes at `bytes[start]` into 16 bytes at `into[at]` when they are a canonical lowercase
 * UUID, and says whether they were; when not, nothing is written.
 */
export function packUuid(bytes: Uint8Array, start: number, into: Uint8Array, at: number): boolean {
  if (
    bytes[start + 8] !== DASH ||
    bytes[start + 13] !== DASH ||
    bytes[start + 18] !== DASH ||
    bytes[start + 23] !== DASH
  )
    return false;
  // The sixteen digit pairs; the dashes sit between pairs.
  const v = viewOf(bytes);
  const p = PAIR_VALUE;
  const s = start;
  const b0 = (p[v.getUint16(s, true)] as number) - 1;
  const b1 = (p[v.getUint16(s + 2, true)] as number) - 1;
  const b2 = (p[v.getUint16(s + 4, true)] as number) - 1;
  const b3 = (p[v.getUint16(s + 6, true)] as number) - 1;
  const b4 = (p[v.getUint16(s + 9, true)] as number) - 1;
  const b5 = (p[v.getUint16(s + 11, true)] as number) - 1;
  const b6 = (p[v.getUint16(s + 14, true)] as number) - 1;
  const b7 = (p[v.getUint16(s + 16, true)] as number) - 1;
  const b8 = (p[v.getUint16(s + 19, true)] as number) - 1;
  const b9 = (p[v.getUint16(s + 21, true)] as number) - 1;
  const b10 = (p[v.getUint16(s + 24, true)] as number) - 1;
  const b11 = (p[v.getUint16(s + 26, true)] as number) - 1;
  const b12 = (p[v.getUint16(s + 28, true)] as number) - 1;
  const b13 = (p[v.getUint16(s + 30, true)] as number) - 1;
  const b14 = (p[v.getUint16(s + 32, true)] as number) - 1;
  const b15 = (p[v.getUint16(s + 34, true)] as number) - 1;
  if ((b0 | b1 | b2 | b3 | b4 | b5 | b6 | b7 | b8 | b9 | b10 | b11 | b12 | b13 | b14 | b15) < 0) return false;
  into[at] = b0;
  into[at + 1] = b1;
  into[at + 2] = b2;
  into[at + 3] = b3;
  into[at + 4] = b4;
  into[at + 5] = b5;
  into[at + 6] = b6;
  into[at + 7] = b7;
  into[at + 8] = b8;
  into[at + 9] = b9;
  into[at + 10] = b10;
  into[at + 11] = b11;
  into[at + 12] = b12;
  into[at + 13] = b13;
  into[at + 14] = b14;
  into[at + 15] = b15;
  return true;
}

/** Writes the 36-byte text of the UUID packed at `packed[at]` into `into` (from 0). */
export function unpackUuid(packed: Uint8Array, at: number, into: Uint8Array): void {
  let to = 0;
  for (let k = 0; k < UUID_PACKED_BYTES; k++) {
    if (to === 8 || to === 13 || to === 18 || to === 23) into[to++] = DASH;
    const byte = packed[at + k] as number;
    into[to++] = DIGITS[byte >>> 4] as number;
    into[to++] = DIGITS[byte & 15] as number;
  }
}

/**
 * Reads unit keys back as the request ids' text bytes, unpacking the packed ones into a buffer of its
 * own (a view returned is valid until the next call).
 */
export class RequestIdBytes {
  private readonly text = new Uint8Array(UUID_TEXT_BYTES);

  /** The request id of the key whose tag is `tag` and whose bytes are `arena[start, end)`. */
  of(tag: number, arena: Uint8Array, start: number, end: number): Uint8Array {
    if ((tag & PACKED_UUID) === 0) return arena.subarray(start, end);
    unpackUuid(arena, start, this.text);
    return this.text;
  }
}

/**
 * `hashBytes` of the 16 bytes of a packed UUID at `at` in the view (a unit key's slot hash: see
 * `UnitTable.add`): four words, written out, since four calls to `hashWord` were not inlined there
 * (79 ms of a 10M-line profile).
 */
export function hashPacked(view: DataView<ArrayBufferLike>, at: number): number {
  let h = Math.imul(HASH_SEED ^ view.getInt32(at, true), 0x9e3779b1);
  h = h ^ (h >>> 15);
  h = Math.imul(h ^ view.getInt32(at + 4, true), 0x9e3779b1);
  h = h ^ (h >>> 15);
  h = Math.imul(h ^ view.getInt32(at + 8, true), 0x9e3779b1);
  h = h ^ (h >>> 15);
  h = Math.imul(h ^ view.getInt32(at + 12, true), 0x9e3779b1);
  h = h ^ (h >>> 15);
  return finishHash(h, UUID_PACKED_BYTES);
}
