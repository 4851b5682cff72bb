import { reserve } from "../storage/reserve.js";

/**
 * An open-addressing hash table from byte strings (with a numeric tag, e.g. a function id) to dense
 * indexes 0, 1, 2, …, keeping the key bytes in one growing arena.
 *
 * Why not a `Map<string, number>`: a Map entry keyed by a fresh JavaScript string costs about 130–250
 * bytes per unit and turns into old-generation garbage-collection work (PERF-NOTES.md). Here a key
 * costs its bytes plus 14–20 (its header, its start, its slots; 4 more for a long key or a large tag; its
 * start is not stored while every key takes the same room: `entrySize`), and a lookup hashes the bytes of
 * the line in place, with no string made.
 */
/** Rehash past this load: linear probing stays short, and a probe's neighbours share its cache line. */
const MAX_LOAD = 0.7;
/**
 * Before each key's bytes in the arena, one word: its tag and its length when the tag is below 2^23 and
 * the length below 256 (the word is tag << 8 | length, bit 31 clear), as a unit's key nearly always is;
 * otherwise the length with bit 31 set, and the tag in the word before it.
 */
const SHORT_TAGS = 1 << 23;
const SHORT_LENGTHS = 256;
const LONG = 0x80000000;
/** ByteKeys.entrySize before the first key, and once keys differ in the room they take. */
const NO_KEYS = 0;
const VARIED = -1;
/** Keys placed again at a time when the slots double (see `rehash`). */
const REHASH_BATCH = 256;
/** Arena bytes reserved per key: its header and a 36-character UUID. */
const RESERVED_KEY_BYTES = 4 + 36;

/** The slots (a power of two, at least 8) that hold `keys` keys at most MAX_LOAD full. */
function slotsFor(keys: number): number {
  let slots = 8;
  while (slots * MAX_LOAD < keys) slots *= 2;
  return slots;
}

/** The slot hash of a key from its tag and bytes (what `rehash` recomputes). */
export type SlotHashOf = (tag: number, bytes: Uint8Array, start: number, end: number) => number;

/** The hash a key's slots are probed by: its bytes' hash (`hashBytes`) mixed with its tag. */
export function slotHash(tag: number, hash: number): number {
  return hash ^ Math.imul(tag, 0x9e3779b1);
}

export class ByteKeys {
  /**
   * One word per slot: 0 when empty, else the key's index + 1 in the bits of `mask` (the load keeps
   * every index below it) and its slot hash's bits above them. The low bits of the hash are where the
   * probe starts, so the high ones are what tells the keys of one probe apart: a key whose high bits
   * match is compared (through where it starts, `startOf`: its header is just before its bytes, so comparing
   * it touches the arena once), and one in 2^(32 - bits of mask) that are not the key match by chance.
   * Four bytes a slot: at 0.35–0.7 full, 6–12 bytes a key. Doubling recomputes each key's slot hash
   * from its bytes (`slotHashOf`), since the slots no longer hold it whole.
   */
  private slots: Int32Array;
  /**
   * The slots' memory: a resizable ArrayBuffer, grown as the slots double within the room reserved, and
   * shrunk to nothing when they are released, which gives its pages back at once. A dropped array's
   * pages wait for the collector, and the report's arrays came first: 10M lines, 3.33M units, one
   * thread, peak 393–394 → 380–381 MiB.
   */
  private slotMemory: ArrayBuffer;
  private mask: number;
  /**
   * Where each key's bytes start in the arena (a Buffer is at most 4 GiB in Node: 32 bits hold it),
   * written only once keys differ in size (see `entrySize`).
   */
  private starts: Uint32Array;
  /**
   * While every key takes as many bytes of the arena (a one-word header and as many bytes of its own), as
   * when every request id is a packed UUID (4 + 16 bytes), key i starts at i × entrySize + 4, and `starts`
   * is not written: its pages, reserved, never become resident (3.33M units: 12.7 MiB less), and finding a
   * key reads one array fewer. The first key of another size writes `starts` out, and entrySize becomes
   * VARIED. NO_KEYS before the first key.
   */
  private entrySize = NO_KEYS;
  private arena: Buffer;
  /** The arena as a DataView, to compare keys four bytes at a time. */
  private arenaView: DataView<ArrayBufferLike>;
  private arenaUsed = 0;
  private count = 0;
  private readonly strings: (string | undefined)[] | undefined;

  /**
   * @param keepStrings cache each key's decoded string (for small vocabularies such as function names,
   *   stages and error codes); without it, `text(i)` decodes on every call.
   * @param initialSlots a power of two, at least 8.
   * @param reserveKeys room to reserve for this many keys (see storage/reserve.ts): `starts` and the
   *   arena are allocated for them at once (and grow past them if need be), and room for their slots,
   *   which still double, but within that room (see `rehash`).
   * @param slotHashOf a key's slot hash from its stored tag and bytes, for a test that needs hashes to
   *   collide; without it, `slotHash(tag, hashBytes(bytes))`. Every slot hash given must be this one.
   */
  constructor(
    keepStrings = false,
    initialSlots = 1024,
    reserveKeys = 0,
    private readonly slotHashOf: SlotHashOf | null = null,
  ) {
    if (initialSlots < 8 || (initialSlots & (initialSlots - 1)) !== 0)
      throw new Error(`ByteKeys: ${initialSlots} slots is not a power of two from 8`);
    // Room for as many slots as the reserved keys need: the buffer grows into it as the slots double
    // (see `rehash`); only the pages written to become resident.
    this.slotMemory = reserve(
      (n) => new ArrayBuffer(initialSlots * 4, { maxByteLength: n * 4 }),
      slotsFor(reserveKeys),
      initialSlots,
    );
    this.slots = new Int32Array(this.slotMemory, 0, initialSlots);
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
    return this.internSlotHash(tag, bytes, start, end, slotHash(tag, hash));
  }

  /** The hash a key's slots are probed by: its bytes' hash mixed with its tag. */
  slotHash(tag: number, hash: number): number {
    return slotHash(tag, hash);
  }

  /** Reads the first slot a key with this slot hash is looked for in (to bring it into the cache). */
  touchSlot(slotHash: number): number {
    return this.slots[slotHash & this.mask] as number;
  }

  /**
   * Finds the slot of this slot hash by the hash bits the slots hold (without comparing keys) and reads
   * where its key is, to bring that into the cache (what was read is folded into `touched`). Returns the
   * slot's index, or -1 when there is none: likely, not surely, the key's index.
   */
  touchKey(slotHash: number): number {
    const mask = this.mask;
    const high = slotHash & ~mask;
    const slots = this.slots;
    for (let slot = slotHash & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[slot] as number;
      if (entry === 0) return -1;
      if ((entry & ~mask) !== high) continue;
      const i = (entry & mask) - 1;
      this.touched ^= this.startOf(i);
      return i;
    }
  }

  /**
   * Reads the header and the last byte of each key listed (the first `count` of `indexes`; -1: none), to
   * bring the keys into the cache: a key may straddle two cache lines. Returns what it read. One call a
   * batch: the loads of one key do not wait for another's.
   */
  touchKeys(indexes: Int32Array, count: number): number {
    const arena = this.arena;
    const view = this.arenaView;
    let touched = 0;
    for (let k = 0; k < count; k++) {
      const i = indexes[k] as number;
      if (i < 0) continue;
      const start = this.startOf(i);
      const word = view.getInt32(start - 4, true);
      touched ^= word ^ ((arena[start + lengthOf(word) - 1] as number) << 8);
    }
    return touched;
  }

  /** What `touchKey` read (kept so that the reads are not optimised away). */
  touched = 0;

  /** `intern` given the key's `slotHash`. */
  internSlotHash(tag: number, bytes: Uint8Array, start: number, end: number, slotHash: number): number {
    const length = end - start;
    const slots = this.slots;
    const mask = this.mask;
    const high = slotHash & ~mask;
    let slot = slotHash & mask;
    for (;;) {
      const entry = slots[slot] as number;
      if (entry === 0) break;
      if ((entry & ~mask) === high && this.sameKey((entry & mask) - 1, tag, bytes, start, length)) {
        this.added = false;
        return (entry & mask) - 1;
      }
      slot = (slot + 1) & mask;
    }
    if (this.released) throw new Error("ByteKeys: a key interned after releaseSlots()");
    const i = this.count++;
    const header = tag >>> 0 < SHORT_TAGS && length < SHORT_LENGTHS ? 4 : 8;
    if (this.arenaUsed + length + header > this.arena.length) this.growArena(length + header);
    const keyAt = this.arenaUsed + header;
    const arena = this.arena;
    this.arenaView.setInt32(keyAt - 4, headerWord(tag, length), true);
    if (header === 8) this.arenaView.setUint32(keyAt - 8, tag >>> 0, true);
    for (let k = 0; k < length; k++) arena[keyAt + k] = bytes[start + k] as number;
    this.placeStart(i, keyAt, header === 4 ? 4 + length : VARIED);
    this.arenaUsed = keyAt + length;
    // i + 1 <= MAX_LOAD * (mask + 1) + 1 <= mask, from 8 slots on: it fits below the hash's bits.
    slots[slot] = high | (i + 1);
    if (this.count > MAX_LOAD * (mask + 1)) this.rehash();
    this.added = true;
    return i;
  }

  /** The index of (tag, bytes[start, end)), or -1 when it is not in the table. */
  find(tag: number, bytes: Uint8Array, start: number, end: number, hash: number): number {
    if (this.released) throw new Error("ByteKeys: a key looked up after releaseSlots()");
    const h = slotHash(tag, hash);
    const mask = this.mask;
    const high = h & ~mask;
    const length = end - start;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      if ((entry & ~mask) === high && this.sameKey((entry & mask) - 1, tag, bytes, start, length)) {
        return (entry & mask) - 1;
      }
    }
  }

  /**
   * Frees the hash slots: keys can still be read by index (`tag`, `bytes`, `text`, `snapshot`), but no
   * longer looked up or added. For a table that is complete: its slots are a tenth of it (4 bytes a slot,
   * 0.35–0.7 full, against 88 or more a unit for the rest).
   */
  releaseSlots(): void {
    // One empty slot: every probe ends at once, finding nothing, and adding then throws.
    this.slotMemory.resize(0);
    this.slots = new Int32Array(1);
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
      entrySize: this.entrySize > 0 ? this.entrySize : 0,
      starts: this.starts.subarray(0, this.entrySize > 0 ? 0 : this.count),
    };
  }

  /** The tag a key was added with. */
  tag(i: number): number {
    return keyTag(this.arena, this.startOf(i));
  }

  /** The key's bytes (a view into the table: valid until the next key is added). */
  bytes(i: number): Uint8Array {
    const start = this.startOf(i);
    return this.arena.subarray(start, start + keyLength(this.arena, start));
  }

  /** The key's text. */
  text(i: number): string {
    const cached = this.strings?.[i];
    if (cached !== undefined) return cached;
    const start = this.startOf(i);
    const text = this.arena.toString("utf8", start, start + keyLength(this.arena, start));
    if (this.strings !== undefined) this.strings[i] = text;
    return text;
  }

  /** Whether key i (its header, then its bytes, in the arena) is (tag, bytes[start, start + length)). */
  private sameKey(i: number, tag: number, bytes: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    const stored = this.arenaView;
    const at = this.startOf(i);
    if (stored.getInt32(at - 4, true) !== headerWord(tag, length)) return false;
    if (length >= SHORT_LENGTHS || tag >>> 0 >= SHORT_TAGS) {
      if (stored.getUint32(at - 8, true) !== tag >>> 0) return false;
    }
    // Four bytes at a time, then the rest.
    const given = viewOf(bytes);
    let k = 0;
    for (; k + 4 <= length; k += 4)
      if (stored.getInt32(at + k, true) !== given.getInt32(start + k, true)) return false;
    for (; k < length; k++) if (arena[at + k] !== bytes[start + k]) return false;
    return true;
  }

  /**
   * Doubles the slots: their buffer grows within its room (or one twice as large is made), all of it is
   * emptied, and each key is placed again, by index, at the slot its slot
   * hash names or the first empty one after it. The slots hold only part of each hash, so it is
   * recomputed from the key's bytes: read in the order they were added, one pass along the arena. The
   * slots are written at random, each a likely cache miss; so the keys go in batches, their hashes
   * computed first, then their slots read, then the keys placed: in a loop that does nothing else the
   * processor overlaps the misses, where the hashing in between kept it to one or two at a time
   * (3.33M keys, all the doublings: 0.9 s one key at a time).
   */
  private rehash(): void {
    const size = 2 * (this.mask + 1);
    if (size * 4 > this.slotMemory.maxByteLength) {
      this.slotMemory = new ArrayBuffer(size * 4, { maxByteLength: size * 4 });
      this.slots = new Int32Array(this.slotMemory, 0, size);
    } else {
      this.slots.fill(0);
      this.slotMemory.resize(size * 4);
      this.slots = new Int32Array(this.slotMemory, 0, size);
    }
    const slots = this.slots;
    const mask = size - 1;
    this.mask = mask;
    const arena = this.arena;
    const view = this.arenaView;
    const hashes = this.rehashBatch;
    let touched = 0;
    for (let first = 0; first < this.count; first += REHASH_BATCH) {
      const count = Math.min(REHASH_BATCH, this.count - first);
      for (let k = 0; k < count; k++) {
        const start = this.startOf(first + k);
        const word = view.getInt32(start - 4, true);
        const tag = word < 0 ? view.getUint32(start - 8, true) | 0 : word >>> 8;
        const end = start + lengthOf(word);
        hashes[k] =
          this.slotHashOf === null
            ? slotHash(tag, hashBytes(arena, start, end))
            : this.slotHashOf(tag, arena, start, end);
      }
      for (let k = 0; k < count; k++) touched ^= slots[(hashes[k] as number) & mask] as number;
      for (let k = 0; k < count; k++) {
        const h = hashes[k] as number;
        let slot = h & mask;
        while (slots[slot] !== 0) slot = (slot + 1) & mask;
        slots[slot] = (h & ~mask) | (first + k + 1);
      }
    }
    this.touched ^= touched;
  }

  /** The slot hashes of a batch of keys being placed again (see `rehash`). */
  private readonly rehashBatch = new Int32Array(REHASH_BATCH);

  /** Where key i's bytes start in the arena. */
  private startOf(i: number): number {
    const size = this.entrySize;
    return size > 0 ? i * size + 4 : (this.starts[i] as number);
  }

  /**
   * Notes where the new key i starts: nothing while every key's entry (`entry`: its header and bytes, or
   * VARIED for a two-word header) has one size; else in `starts`, written out for the keys before it the
   * first time.
   */
  private placeStart(i: number, keyAt: number, entry: number): void {
    if (this.entrySize === NO_KEYS) this.entrySize = entry;
    else if (this.entrySize > 0 && entry !== this.entrySize) {
      while (this.starts.length <= i) this.growStarts();
      for (let k = 0; k < i; k++) this.starts[k] = k * this.entrySize + 4;
      this.entrySize = VARIED;
    }
    if (this.entrySize === VARIED) {
      if (i === this.starts.length) this.growStarts();
      this.starts[i] = keyAt;
    }
  }

  private growStarts(): void {
    const next = new Uint32Array(this.starts.length * 2);
    // Only the keys written: in a reserved array the rest is untouched, and stays so.
    next.set(this.starts.subarray(0, this.entrySize === VARIED ? this.count - 1 : 0));
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
 * The keys of a table, by index: key i's bytes start in the arena at `keyStartIn(keys, i)`, after its
 * header (`keyTag`, `keyLength`: one little-endian word, tag << 8 | length, or two, the tag and then the
 * length with bit 31 set, for a tag from 2^23 or a length from 256).
 */
export interface KeysSnapshot {
  readonly count: number;
  readonly arena: Uint8Array;
  /** When every key takes this many bytes of the arena, header included: key i starts at i × it + 4. */
  readonly entrySize: number;
  /** Otherwise (entrySize 0), where each key starts; empty when entrySize says. */
  readonly starts: Uint32Array;
}

/** Where key i's bytes start in a snapshot's arena. */
export function keyStartIn(keys: KeysSnapshot, i: number): number {
  return keys.entrySize > 0 ? i * keys.entrySize + 4 : (keys.starts[i] as number);
}

/** The last word of the header of a key (tag, length): see KeysSnapshot. */
function headerWord(tag: number, length: number): number {
  return tag >>> 0 < SHORT_TAGS && length < SHORT_LENGTHS ? (tag << 8) | length : length | LONG | 0;
}

/** A key's length from the last word of its header. */
function lengthOf(word: number): number {
  return word < 0 ? word & ~LONG : word & (SHORT_LENGTHS - 1);
}

/** The length of the key whose bytes start at `start` in an arena (from its header). */
export function keyLength(arena: Uint8Array, start: number): number {
  return lengthOf(readUint32(arena, start - 4) | 0);
}

/** The tag of the key whose bytes start at `start` in an arena (from its header). */
export function keyTag(arena: Uint8Array, start: number): number {
  const word = readUint32(arena, start - 4);
  return word >= LONG ? readUint32(arena, start - 8) : word >>> 8;
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
