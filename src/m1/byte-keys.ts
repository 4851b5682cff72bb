import { reserve } from "../storage/reserve.js";

/**
 * An open-addressing hash table from byte strings (with a numeric tag, e.g. a function id) to dense
 * indexes 0, 1, 2, …, keeping the key bytes in one growing arena.
 *
 * Why not a `Map<string, number>`: a Map entry keyed by a fresh JavaScript string costs about 130–250
 * bytes per unit and turns into old-generation garbage-collection work (PERF-NOTES.md). Here a key
 * costs its bytes plus 23–35 (its header, its start, its slots), and a lookup hashes the bytes of the line
 * in place, with no string made.
 */
const SLOT = 2;
/** Rehash past this load: linear probing stays short, and a probe's neighbours share its cache line. */
const MAX_LOAD = 0.7;
/** Before each key's bytes in the arena: its tag and its length, 4 bytes each. */
const HEADER = 8;
/** Arena bytes reserved per key: its header and a 36-character UUID. */
const RESERVED_KEY_BYTES = HEADER + 36;

/** The slots (a power of two) that hold `keys` keys at most MAX_LOAD full. */
function slotsFor(keys: number): number {
  let slots = 1;
  while (slots * MAX_LOAD < keys) slots *= 2;
  return slots;
}

export class ByteKeys {
  /**
   * Two words per slot: index + 1 (0: empty), hash. A hash that matches leads to the key through its
   * `starts` entry; the key's tag and length are stored just before its bytes, so comparing it touches
   * the arena once. Eight bytes a slot, not sixteen: at 0.35–0.7 full, 11–23 bytes a key.
   */
  private slots: Int32Array;
  private mask: number;
  /** Where each key's bytes start in the arena (a Buffer is at most 4 GiB in Node: 32 bits hold it). */
  private starts: Uint32Array;
  private arena: Buffer;
  /** The arena as a DataView, to compare keys four bytes at a time. */
  private arenaView: DataView<ArrayBufferLike>;
  private arenaUsed = 0;
  private count = 0;
  private readonly strings: (string | undefined)[] | undefined;

  /**
   * @param keepStrings cache each key's decoded string (for small vocabularies such as function names,
   *   stages and error codes); without it, `text(i)` decodes on every call.
   * @param reserveKeys room to reserve for this many keys (see storage/reserve.ts): `starts` and the
   *   arena are allocated for them at once (and grow past them if need be), and room for their slots,
   *   which still double, but within that room (see `rehash`).
   */
  constructor(keepStrings = false, initialSlots = 1024, reserveKeys = 0) {
    // Room for as many slots as the reserved keys need: the slots in use are a prefix, and doubling
    // fills the next stretch of it in place (see `rehash`).
    this.slots = reserve((n) => new Int32Array(n * SLOT), slotsFor(reserveKeys), initialSlots);
    this.mask = initialSlots - 1;
    const least = Math.ceil(initialSlots * MAX_LOAD) + 1;
    this.starts = reserve((n) => new Uint32Array(n), reserveKeys, least);
    this.arena = reserve((n) => Buffer.allocUnsafe(n), reserveKeys * RESERVED_KEY_BYTES, least * 16);
    this.arenaView = viewOf(this.arena);
    this.strings = keepStrings ? [] : undefined;
  }

  /** How many distinct keys. */
  get size(): number {
    return this.count;
  }

  /** Set by `intern`: whether the last call added a new key. */
  added = false;

  /** The index of (tag, bytes[start, end)), adding it if new; `hash` must be `hashBytes` of the bytes. */
  intern(tag: number, bytes: Uint8Array, start: number, end: number, hash: number): number {
    return this.internSlotHash(tag, bytes, start, end, this.slotHash(tag, hash));
  }

  /** The hash a key's slots are probed by: its bytes' hash mixed with its tag. */
  slotHash(tag: number, hash: number): number {
    return hash ^ Math.imul(tag, 0x9e3779b1);
  }

  /** Reads the first slot a key with this slot hash is looked for in (to bring it into the cache). */
  touchSlot(slotHash: number): number {
    return this.slots[(slotHash & this.mask) * SLOT] as number;
  }

  /**
   * Finds the slot of this slot hash by the hashes the slots hold (without comparing keys) and reads
   * where its key is, to bring that into the cache (what was read is folded into `touched`). Returns the
   * slot's index, or -1 when there is none: likely, not surely, the key's index.
   */
  touchKey(slotHash: number): number {
    const h = slotHash | 0;
    const slots = this.slots;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * SLOT;
      const entry = slots[at] as number;
      if (entry === 0) return -1;
      if (slots[at + 1] !== h) continue;
      this.touched ^= this.starts[entry - 1] as number;
      return entry - 1;
    }
  }

  /**
   * Reads the header and the last byte of each key listed (the first `count` of `indexes`; -1: none), to
   * bring the keys into the cache: a key may straddle two cache lines. Returns what it read. One call a
   * batch: the loads of one key do not wait for another's.
   */
  touchKeys(indexes: Int32Array, count: number): number {
    const starts = this.starts;
    const arena = this.arena;
    const view = this.arenaView;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const i = indexes[k] as number;
      if (i < 0) continue;
      const start = starts[i] as number;
      const length = view.getUint32(start - 4, true);
      touched ^= (arena[start - HEADER] as number) ^ ((arena[start + length - 1] as number) << 8);
    }
    return touched;
  }

  /** What `touchKey` read (kept so that the reads are not optimised away). */
  touched = 0;

  /** `intern` given the key's `slotHash`. */
  internSlotHash(tag: number, bytes: Uint8Array, start: number, end: number, slotHash: number): number {
    const h = slotHash | 0;
    const length = end - start;
    const slots = this.slots;
    let slot = h & this.mask;
    for (;;) {
      const at = slot * SLOT;
      const entry = slots[at] as number;
      if (entry === 0) break;
      if (slots[at + 1] === h && this.sameKey(entry - 1, tag, bytes, start, length)) {
        this.added = false;
        return entry - 1;
      }
      slot = (slot + 1) & this.mask;
    }
    if (this.released) throw new Error("ByteKeys: a key interned after releaseSlots()");
    const i = this.count++;
    if (i === this.starts.length) this.growStarts();
    if (this.arenaUsed + length + HEADER > this.arena.length) this.growArena(length + HEADER);
    const keyAt = this.arenaUsed;
    const arena = this.arena;
    this.arenaView.setUint32(keyAt, tag, true);
    this.arenaView.setUint32(keyAt + 4, length, true);
    for (let k = 0; k < length; k++) arena[keyAt + HEADER + k] = bytes[start + k] as number;
    this.starts[i] = keyAt + HEADER;
    this.arenaUsed += length + HEADER;
    const at = slot * SLOT;
    slots[at] = i + 1;
    slots[at + 1] = h;
    if (this.count > MAX_LOAD * (this.mask + 1)) this.rehash();
    this.added = true;
    return i;
  }

  /** The index of (tag, bytes[start, end)), or -1 when it is not in the table. */
  find(tag: number, bytes: Uint8Array, start: number, end: number, hash: number): number {
    if (this.released) throw new Error("ByteKeys: a key looked up after releaseSlots()");
    const h = this.slotHash(tag, hash) | 0;
    const length = end - start;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = slot * SLOT;
      const entry = this.slots[at] as number;
      if (entry === 0) return -1;
      if (this.slots[at + 1] === h && this.sameKey(entry - 1, tag, bytes, start, length)) {
        return entry - 1;
      }
    }
  }

  /**
   * Frees the hash slots: keys can still be read by index (`tag`, `bytes`, `text`, `snapshot`), but no
   * longer looked up or added. For a table that is complete: its slots are a sixth of it (8 bytes a slot,
   * 0.35–0.7 full, against 100–150 bytes a unit for the rest).
   */
  releaseSlots(): void {
    // One empty slot: every probe ends at once, finding nothing, and adding then throws.
    this.slots = new Int32Array(SLOT);
    this.mask = 0;
    this.released = true;
  }

  /** Set by `releaseSlots`. */
  private released = false;

  /** The index of a string key, adding it if new. */
  internText(tag: number, text: string): number {
    const bytes = Buffer.from(text, "utf8");
    return this.intern(tag, bytes, 0, bytes.length, hashBytes(bytes, 0, bytes.length));
  }

  /** The keys as plain arrays, for another thread's table to absorb (structured clone copies them). */
  snapshot(): KeysSnapshot {
    return {
      count: this.count,
      arena: this.arena.subarray(0, this.arenaUsed),
      starts: this.starts.subarray(0, this.count),
    };
  }

  /** The tag a key was added with. */
  tag(i: number): number {
    return keyTag(this.arena, this.starts[i] as number);
  }

  /** The key's bytes (a view into the table: valid until the next key is added). */
  bytes(i: number): Uint8Array {
    const start = this.starts[i] as number;
    return this.arena.subarray(start, start + keyLength(this.arena, start));
  }

  /** The key's text. */
  text(i: number): string {
    const cached = this.strings?.[i];
    if (cached !== undefined) return cached;
    const start = this.starts[i] as number;
    const text = this.arena.toString("utf8", start, start + keyLength(this.arena, start));
    if (this.strings !== undefined) this.strings[i] = text;
    return text;
  }

  /** Whether key i (its header, then its bytes, in the arena) is (tag, bytes[start, start + length)). */
  private sameKey(i: number, tag: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    const stored = this.arenaView;
    const at = this.starts[i] as number;
    if (stored.getUint32(at - HEADER, true) !== tag >>> 0 || stored.getUint32(at - 4, true) !== length)
      return false;
    // Four bytes at a time, then the rest.
    const given = viewOf(bytes);
    let k = 0;
    for (; k + 4 <= length; k += 4)
      if (stored.getInt32(at + k, true) !== given.getInt32(start + k, true)) return false;
    for (; k < length; k++) if (arena[at + k] !== bytes[start + k]) return false;
    return true;
  }

  /**
   * Doubles the slots in use, in place: the slots are a prefix of a larger array (reserved, or made
   * twice as large here by one copy), and the new half is empty. Each key goes to the slot its hash
   * names in the doubled table, or to the first empty one after it. No fresh table is filled at random
   * and no old one is left for the collector: only the new half's pages are touched for the first time.
   *
   * Keys are moved in slot order, starting after an empty slot `e` (keys are never removed, so a key at
   * slot i > e has its home in (e, i]): when the key at slot i is moved, every slot in (e, i) holds
   * only moved keys or nothing, so its probe, in either half, stops at slot i at the latest (emptied for
   * it) without passing a key still to move, and no key moved earlier was placed past one. The keys in
   * slots [0, e) may have homes at the end (their probes wrapped around), so they are set aside first
   * and placed last, into a table that is whole again.
   */
  private rehash(): void {
    const size = this.mask + 1;
    if (2 * size * SLOT > this.slots.length) {
      const larger = new Int32Array(2 * size * SLOT);
      larger.set(this.slots);
      this.slots = larger;
    }
    const slots = this.slots;
    this.mask = 2 * size - 1;
    let e = 0;
    while (slots[e * SLOT] !== 0) e++;
    const aside = slots.slice(0, e * SLOT);
    slots.fill(0, 0, e * SLOT);
    for (let from = (e + 1) * SLOT; from < size * SLOT; from += SLOT) {
      const entry = slots[from] as number;
      if (entry === 0) continue;
      slots[from] = 0;
      this.place(entry, slots[from + 1] as number);
    }
    for (let k = 0; k < aside.length; k += SLOT) this.place(aside[k] as number, aside[k + 1] as number);
  }

  /** Puts a slot's two words at the first empty slot from their hash's (for `rehash`). */
  private place(entry: number, hash: number): void {
    const slots = this.slots;
    let slot = hash & this.mask;
    while (slots[slot * SLOT] !== 0) slot = (slot + 1) & this.mask;
    slots[slot * SLOT] = entry;
    slots[slot * SLOT + 1] = hash;
  }

  private growStarts(): void {
    const next = new Uint32Array(this.starts.length * 2);
    next.set(this.starts);
    this.starts = next;
  }

  private growArena(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaUsed + need));
    this.arena.copy(next, 0, 0, this.arenaUsed);
    this.arena = next;
    this.arenaView = viewOf(next);
  }
}

/**
 * The keys of a table, by index: key i's bytes start at arena[starts[i]], after its header (its tag,
 * then its length, 4 bytes each, little-endian: `keyTag`, `keyLength`).
 */
export interface KeysSnapshot {
  readonly count: number;
  readonly arena: Uint8Array;
  readonly starts: Uint32Array;
}

/** The length of the key whose bytes start at `start` in an arena (from its header). */
export function keyLength(arena: Uint8Array, start: number): number {
  return readUint32(arena, start - 4);
}

/** The tag of the key whose bytes start at `start` in an arena (from its header). */
export function keyTag(arena: Uint8Array, start: number): number {
  return readUint32(arena, start - HEADER);
}

function readUint32(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) |
      ((bytes[at + 1] as number) << 8) |
      ((bytes[at + 2] as number) << 16) |
      ((bytes[at + 3] as number) << 24)) >>>
    0
  );
}

export const HASH_SEED = 0x811c9dc5;

/** A DataView of the bytes given last (made again only when they change: they are mostly one buffer). */
let lastView: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
let lastViewOf: Uint8Array | null = null;

/** The bytes as a DataView (over exactly their range), to read four bytes at a time. */
export function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  if (bytes !== lastViewOf) {
    lastViewOf = bytes;
    lastView = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return lastView;
}

/**
 * A 32-bit hash of bytes: their whole four-byte words (little-endian) and then the one to three bytes
 * left are mixed in, then the length and murmur3's finalizer. The scanner computes the same hash while
 * it reads a string, four bytes at a time (scan-record.ts), so a key is hashed once per line.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED;
  let i = start;
  const view = viewOf(bytes);
  for (; i + 4 <= end; i += 4) h = hashWord(h, view.getInt32(i, true));
  for (; i < end; i++) h = hashByte(h, bytes[i] as number);
  return finishHash(h, end - start);
}

/** One step of `hashBytes`: four bytes as a little-endian word. */
export function hashWord(h: number, word: number): number {
  h = Math.imul(h ^ word, 0x9e3779b1);
  return h ^ (h >>> 15);
}

/** One step of `hashBytes`: one byte. */
export function hashByte(h: number, byte: number): number {
  return Math.imul(h ^ byte, 0x01000193);
}

/**
 * The last step of `hashBytes`, given the FNV state after the bytes and their count. Hashes are signed
 * 32-bit integers: V8 keeps those unboxed (an unsigned one past 2^31 is a heap number, allocated each
 * time it is passed to a function or stored in a variable of a module).
 */
export function finishHash(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
