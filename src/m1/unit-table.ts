import {
  ByteKeys,
  hashBytes,
  keyLength,
  keyStartIn,
  keyTag,
  viewOf,
  type KeysSnapshot,
} from "./byte-keys.js";
import { Fingerprint } from "./fingerprint.js";
import {
  functionOfTag,
  hashPacked,
  packUuid,
  PACKED_UUID,
  RequestIdBytes,
  unitTag,
  UUID_PACKED_BYTES,
  UUID_TEXT_BYTES,
} from "./packed-uuid.js";
import type { M1Record } from "./record.js";
import { upstreamFromSeverity, upstreamSeverity } from "./record.js";
import type { UnitFacts, UnitFactsScratch } from "./rules.js";
import { reserve } from "../storage/reserve.js";
import type { ScratchPolicy } from "../storage/scratch-file.js";
import { DistinctPrints } from "./distinct-prints.js";
import { ScannedRecord } from "./scan-record.js";
import { SetInterner } from "./set-interner.js";
import { codeElement, errorCodesAmong, mapElement, stageElement, stagesAmong } from "./unit-words.js";
import { groupByFunction, wholePart, type UnitsPart, type UnitsReader } from "./units-reader.js";
import { Vocabulary } from "./vocabulary.js";

/** A unit table as plain data (typed arrays, arrays, strings): what a worker thread sends back. */
export interface UnitsSnapshot {
  readonly functions: readonly string[];
  readonly words: readonly string[];
  readonly sets: readonly (readonly number[])[];
  readonly keys: KeysSnapshot;
  readonly rows: Float64Array;
  /** Fingerprints beyond the inline ones, as [unit, a, b] triples (empty unless asked for). */
  readonly spilled: Int32Array;
  readonly distinctRecords: number;
}

/** A merged unit, read back out of the table (SPEC.md section 2). */
export interface Unit extends UnitFacts {
  readonly requestId: string;
  readonly function: string;
  readonly errorCodes: readonly string[];
  readonly stages: readonly string[];
  /** Earliest and latest timestamp of its records, epoch ms, or null when none had one. */
  readonly firstMs: number | null;
  readonly lastMs: number | null;
}

const INITIAL_CAPACITY = 1024;
/**
 * Fingerprints kept inline per unit (three: a request logs a few stages); more go to DistinctPrints (a
 * hash set, then a scratch file).
 */
const INLINE_PRINTS = 3;
const NULL_WORD = 0x7fffffff;
/** Records staged before their units are found and merged (see `settle`). */
const BATCH = 128;
const STAGED_WORDS = 9;
const STAGED_NUMBERS = 4;
// A staged record's words (signed: V8 passes them around unboxed) and numbers, as `merge` reads them.
const S_SLOT_HASH = 0;
/** The key's tag: its function id and whether its id is a packed UUID (`unitTag`). */
const S_TAG = 1;
const S_ID_AT = 2;
const S_ID_LENGTH = 3;
const S_STATUS = 4;
const S_UPSTREAM = 5;
const S_WORDS = 6;
const S_PRINT_A = 7;
const S_PRINT_B = 8;
const S_LATENCY = 0;
const S_UPSTREAM_LATENCY = 1;
const S_FIRST_MS = 2;
const S_LAST_MS = 3;

// The row of a unit (exported for FrozenUnits, which reads the same rows). Doubles:
export const LATENCY = 0;
/** NaN stands for null. */
export const UPSTREAM_LATENCY = 1;
export const FIRST_MS = 2;
export const LAST_MS = 3;
// 16-bit halves (index into the row's 4 × ROW halves): the status and the upstream severity share the
// ninth word.
export const STATUS = 16;
/** Upstream severity: 0 null, 100–599 the code, 600 timeout (see record.ts). */
export const UPSTREAM = 17;
// 32-bit words (index into the row's 2 × ROW words):
/** The set of the unit's stages and error codes (unit-words.ts). */
export const WORDS = 9;
/**
 * Up to INLINE_PRINTS fingerprints, two words each, filled in order; (0, 0) is an empty place (no
 * fingerprint is: see Fingerprint.end), so a row needs no count.
 */
export const PRINTS = 10;
/** Doubles a row: 64 bytes. */
export const ROW = 8;

/**
 * Every unit (request_id, function) seen so far, merged as SPEC.md section 2 says.
 *
 * Memory grows with units, not lines: a unit is its request id's bytes in a hash table (ByteKeys: 16 for
 * a UUID, packed-uuid.ts) plus its row, its hash slots, where its key starts and its key's header, about
 * 78–83 bytes more (docs/performance.md). Every merge is a maximum or a set union, so adding records in
 * any order, or twice, gives the same table.
 */
export class UnitTable implements UnitsReader {
  /** Function names, stages and error codes, each a word with an id. */
  readonly functionNames = new Vocabulary();
  readonly words = new Vocabulary();
  readonly wordSets = new SetInterner();
  private readonly keys: ByteKeys;

  /**
   * One row per unit, ROW doubles wide, read both as doubles and as 32-bit words (the same memory):
   * a merge touches one or two cache lines instead of one per column.
   */
  private rows: Float64Array;
  private words32: Uint32Array;
  /** The same memory as 16-bit halves (STATUS and UPSTREAM). */
  private halves: Uint16Array;
  /** The same words, signed: fingerprints are signed 32-bit halves (see Fingerprint). */
  private ints32: Int32Array;
  /** Fingerprints of units with more distinct records than fit inline. */
  private readonly spilledPrints: DistinctPrints;
  private readonly print = new Fingerprint();
  private readonly requestIds = new RequestIdBytes();
  private readonly scratch = new ScannedRecord();

  // The batch of staged records (see `add` and `settle`): per record STAGED_WORDS words (slot hash,
  // key's tag, where its request id is in batchIds and its length, status, upstream, set of stage and
  // error code, fingerprint) and STAGED_NUMBERS doubles (latency, upstream latency, first and last time).
  private pending = 0;
  private readonly batchWords = new Int32Array(BATCH * STAGED_WORDS);
  private readonly batchNumbers = new Float64Array(BATCH * STAGED_NUMBERS);
  /** Per staged record, the unit its slot hash likely names (found while touching), or -1. */
  private readonly batchUnits = new Int32Array(BATCH);
  private batchIds = new Uint8Array(BATCH * 64);
  private batchIdsView = new DataView(this.batchIds.buffer);
  private batchIdsUsed = 0;
  /** What the touching passes of `settle` read, kept so that the reads are not optimised away. */
  touched = 0;

  /** Set by `seal`. */
  private sealed = false;
  /** Distinct records whose fingerprints are inline (the others are counted by spilledPrints). */
  private distinctInline = 0;

  /**
   * @param scratch where fingerprints beyond a unit's third may go when there are too many to keep in
   *   memory (see DistinctPrints); without it they all stay in memory.
   * @param reserveUnits room to reserve for this many units (storage/reserve.ts: pages are used only as
   *   units fill them); the table grows past it if need be.
   */
  constructor(scratch: ScratchPolicy | null = null, reserveUnits = 0) {
    this.spilledPrints = new DistinctPrints(scratch);
    this.keys = new ByteKeys(false, 4096, reserveUnits);
    this.rows = reserve((n) => new Float64Array(n * ROW), reserveUnits, INITIAL_CAPACITY);
    this.words32 = new Uint32Array(this.rows.buffer);
    this.halves = new Uint16Array(this.rows.buffer);
    this.ints32 = new Int32Array(this.rows.buffer);
  }

  /** Valid records added that were not duplicates of an earlier record of their unit. */
  get distinctRecords(): number {
    this.settle();
    return this.distinctInline + this.spilledPrints.distinct;
  }

  /** Whether fingerprints went to scratch space. */
  get spilled(): boolean {
    this.settle();
    return this.spilledPrints.spilled;
  }

  /**
   * Says that no record will be added: the hash slots, needed only to find a unit by its key, give their
   * pages back before the report is built (10M lines, 3.33M units: 32 MiB, about what the report takes).
   * The units are read as before; adding to a sealed table throws.
   */
  seal(): void {
    this.settle();
    this.sealed = true;
    this.keys.releaseSlots();
  }

  /** Frees the scratch space, if any; the table must not be used after. */
  close(): void {
    this.spilledPrints.close();
  }

  get size(): number {
    this.settle();
    return this.keys.size;
  }

  /** Function names by function id. */
  get functions(): string[] {
    this.settle();
    return Array.from({ length: this.functionNames.size }, (_, id) => this.functionNames.text(id));
  }

  /**
   * Merges one valid record, located in its bytes, into its unit. The record is staged: its words become
   * ids and its fingerprint is taken now (small tables, in cache), and the unit is found and merged
   * with the rest of its batch (see `settle`). Every read of the table settles first.
   */
  add(r: ScannedRecord): void {
    if (this.sealed) throw new Error("UnitTable: a record added after seal()");
    const bytes = r.bytes;
    const fnId = this.functionNames.idOfHashed(bytes, r.fn[0] as number, r.fn[1] as number, r.fnHash);
    const stage = this.words.idOfHashed(bytes, r.stage[0] as number, r.stage[1] as number, r.stageHash);
    const code =
      r.errorCode[0] === -1
        ? -1
        : this.words.idOfHashed(bytes, r.errorCode[0] as number, r.errorCode[1] as number, r.errorCodeHash);
    const start = r.requestId[0] as number;
    const end = r.requestId[1] as number;
    const length = end - start;
    if (this.pending === BATCH || this.batchIdsUsed + length > this.batchIds.length) this.settle();
    if (length > this.batchIds.length) {
      this.batchIds = new Uint8Array(length);
      this.batchIdsView = new DataView(this.batchIds.buffer);
    }
    const k = this.pending++;
    const n = k * STAGED_NUMBERS;
    const numbers = this.batchNumbers;
    numbers[n + S_LATENCY] = r.latencyMs;
    numbers[n + S_UPSTREAM_LATENCY] = r.upstreamLatencyMs;
    numbers[n + S_FIRST_MS] = r.timeMs;
    numbers[n + S_LAST_MS] = r.timeMs;
    // The fingerprint reads the numbers from the batch: see Fingerprint.numberIn.
    const p = this.print;
    p.begin();
    p.word(this.words.hashA(stage), this.words.hashB(stage));
    p.number(r.status);
    p.numberIn(numbers, n + S_LATENCY);
    if (code === -1) p.word(NULL_WORD, NULL_WORD);
    else p.word(this.words.hashA(code), this.words.hashB(code));
    p.number(r.upstream);
    p.numberIn(numbers, n + S_UPSTREAM_LATENCY);
    p.numberIn(numbers, n + S_FIRST_MS);
    p.end();
    const w = k * STAGED_WORDS;
    const words = this.batchWords;
    words[w + S_ID_AT] = this.batchIdsUsed;
    words[w + S_STATUS] = r.status;
    words[w + S_UPSTREAM] = r.upstream;
    const stageSet = this.wordSets.add(SetInterner.EMPTY, stageElement(stage));
    words[w + S_WORDS] = code === -1 ? stageSet : this.wordSets.add(stageSet, codeElement(code));
    words[w + S_PRINT_A] = p.a;
    words[w + S_PRINT_B] = p.b;
    // A key's slot hash is that of its bytes as stored (ByteKeys recomputes it from them as it doubles):
    // a packed UUID's 16 bytes, four words, or the text's, which the scanner hashed as it read them.
    const at = this.batchIdsUsed;
    if (length === UUID_TEXT_BYTES && packUuid(bytes, start, this.batchIds, at)) {
      const tag = unitTag(fnId, true);
      words[w + S_SLOT_HASH] = this.keys.slotHash(tag, hashPacked(this.batchIdsView, at));
      words[w + S_TAG] = tag;
      words[w + S_ID_LENGTH] = UUID_PACKED_BYTES;
      this.batchIdsUsed += UUID_PACKED_BYTES;
      return;
    }
    const tag = unitTag(fnId, false);
    words[w + S_SLOT_HASH] = this.keys.slotHash(tag, r.requestIdHash);
    words[w + S_TAG] = tag;
    words[w + S_ID_LENGTH] = length;
    // The request id's bytes, four at a time, then the rest.
    const ids = this.batchIds;
    const into = this.batchIdsView;
    const from = viewOf(bytes);
    let to = at;
    let i = start;
    for (; i + 4 <= end; i += 4, to += 4) into.setInt32(to, from.getInt32(i, true), true);
    for (; i < end; i++) ids[to++] = bytes[i] as number;
    this.batchIdsUsed = to;
  }

  /**
   * Merges the staged records. With units spread through a large table, finding a unit costs cache
   * misses (its hash slot, where its key is, its row, its key), and one line's misses cannot overlap the
   * next line's when a whole line is scanned in between. So the batch is walked in passes: reading
   * every record's hash slot, then where the key is and the row that slot points to, then the key's
   * bytes (and the spilled fingerprints' slots) — in each pass loads that do not depend on each other,
   * which the processor overlaps — and then merging, with what it needs now in cache.
   */
  private settle(): void {
    const count = this.pending;
    if (count === 0) return;
    this.pending = 0;
    this.batchIdsUsed = 0;
    const words = this.batchWords;
    const keys = this.keys;
    const units = this.batchUnits;
    let touched = 0;
    for (let k = 0; k < count; k++)
      touched ^= keys.touchSlot(words[k * STAGED_WORDS + S_SLOT_HASH] as number);
    for (let k = 0; k < count; k++) {
      let unit = keys.touchKey(words[k * STAGED_WORDS + S_SLOT_HASH] as number);
      if (unit >= 0 && (unit + 1) * ROW <= this.rows.length) {
        // Both ends of the row: it may straddle two cache lines.
        touched ^=
          (this.words32[2 * unit * ROW] as number) ^ (this.words32[2 * (unit + 1) * ROW - 1] as number);
      } else unit = -1;
      units[k] = unit;
    }
    touched ^= keys.touchKeys(units, count);
    // A unit with more distinct records than its row holds keeps the others in the spilled set.
    for (let k = 0; k < count; k++) {
      const unit = units[k] as number;
      if (unit >= 0 && this.printsFull(unit)) {
        const w = k * STAGED_WORDS;
        touched ^= this.spilledPrints.touch(
          unit,
          words[w + S_PRINT_A] as number,
          words[w + S_PRINT_B] as number,
        );
      }
    }
    this.touched = touched;
    const ids = this.batchIds;
    const numbers = this.batchNumbers;
    for (let k = 0; k < count; k++) {
      const w = k * STAGED_WORDS;
      const idAt = words[w + S_ID_AT] as number;
      const unit = keys.internSlotHash(
        words[w + S_TAG] as number,
        ids,
        idAt,
        idAt + (words[w + S_ID_LENGTH] as number),
        words[w + S_SLOT_HASH] as number,
      );
      this.merge(unit, keys.added, words, w, numbers, k * STAGED_NUMBERS);
    }
  }

  /** Merges a record that came through the general path (JSON.parse and the schema). */
  addRecord(record: M1Record): void {
    const parts = [record.request_id, record.function, record.stage, record.error_code ?? ""];
    const bytes = Buffer.from(parts.join(""), "utf8");
    const r = this.scratch;
    let at = 0;
    const next = (text: string, range: number[]): void => {
      const length = Buffer.byteLength(text, "utf8");
      range[0] = at;
      range[1] = at + length;
      at += length;
    };
    next(record.request_id, r.requestId);
    next(record.function, r.fn);
    next(record.stage, r.stage);
    if (record.error_code === null) {
      r.errorCode[0] = -1;
      r.errorCode[1] = -1;
    } else next(record.error_code, r.errorCode);
    r.bytes = bytes;
    const hash = (range: number[]): number => hashBytes(bytes, range[0] as number, range[1] as number);
    r.requestIdHash = hash(r.requestId);
    r.fnHash = hash(r.fn);
    r.stageHash = hash(r.stage);
    if (record.error_code !== null) r.errorCodeHash = hash(r.errorCode);
    r.status = record.status | 0;
    r.latencyMs = record.latency_ms;
    r.upstream = upstreamSeverity(record.upstream_status) | 0;
    r.upstreamLatencyMs = record.upstream_latency_ms ?? Number.NaN;
    r.timeMs = record.timeMs ?? Number.NaN;
    this.add(r);
  }

  /**
   * The whole table as plain data: for another thread's table to absorb (with its spilled
   * fingerprints), or to read (without them: `prints` false, and a distinct count is all it needs).
   */
  snapshot(prints = true): UnitsSnapshot {
    this.settle();
    return {
      functions: this.functionNames.texts(),
      words: this.words.texts(),
      sets: this.wordSets.all(),
      keys: this.keys.snapshot(),
      rows: this.rows.subarray(0, this.size * ROW),
      spilled: prints ? this.spilledPrints.entries() : new Int32Array(0),
      distinctRecords: this.distinctRecords,
    };
  }

  /**
   * A snapshot whose arrays are copies of exactly the units' parts, to post to other threads: a
   * structured clone copies a view's whole buffer, and a table's buffers have room reserved past its
   * units (storage/reserve.ts).
   */
  compactSnapshot(): UnitsSnapshot {
    const s = this.snapshot();
    const k = s.keys;
    return {
      ...s,
      keys: {
        count: k.count,
        // A copy (a Buffer's `slice` would be a view).
        arena: new Uint8Array(k.arena),
        entrySize: k.entrySize,
        starts: k.starts.slice(),
      },
      rows: s.rows.slice(),
      // `spilled` is made afresh, exactly sized, by every snapshot.
    };
  }

  /**
   * Merges the units of another table (its snapshot; those `keep` accepts, by request id) into this one,
   * by the same maxima and unions as adding records, so the result does not depend on how the input was
   * divided. Parallel reading uses it once: to hand what the main thread read alone to the workers.
   */
  absorb(other: UnitsSnapshot, keep?: (bytes: Uint8Array, start: number, end: number) => boolean): void {
    if (this.sealed) throw new Error("UnitTable: units absorbed after seal()");
    this.settle();
    const fnIds = other.functions.map((name) => this.functionNames.idOfText(name));
    const wordIds = other.words.map((word) => this.words.idOfText(word));
    const setIds = new Map<number, number>();
    const mapSet = (set: number): number => {
      let mapped = setIds.get(set);
      if (mapped === undefined) {
        mapped = SetInterner.EMPTY;
        for (const element of other.sets[set] ?? [])
          mapped = this.wordSets.add(
            mapped,
            mapElement(element, (word) => wordIds[word] as number),
          );
        setIds.set(set, mapped);
      }
      return mapped;
    };
    const spilled = new Map<number, number[]>();
    // One unit of the other table at a time, laid out as a staged record, for `merge`.
    const words = new Int32Array(STAGED_WORDS);
    const numbers = new Float64Array(STAGED_NUMBERS);
    for (let k = 0; k < other.spilled.length; k += 3) {
      const unit = other.spilled[k] as number;
      let list = spilled.get(unit);
      if (list === undefined) spilled.set(unit, (list = []));
      list.push(other.spilled[k + 1] as number, other.spilled[k + 2] as number);
    }
    const arena = other.keys.arena;
    const rows = other.rows;
    const theirs = new Int32Array(rows.buffer, rows.byteOffset, rows.length * 2);
    const theirHalves = new Uint16Array(rows.buffer, rows.byteOffset, rows.length * 4);
    for (let i = 0; i < other.keys.count; i++) {
      const start = keyStartIn(other.keys, i);
      const end = start + keyLength(arena, start);
      const tag = keyTag(arena, start);
      const text = this.requestIds.of(tag, arena, start, end);
      if (keep !== undefined && !keep(text, 0, text.length)) continue;
      const ours = unitTag(fnIds[functionOfTag(tag)] as number, (tag & PACKED_UUID) !== 0);
      const unit = this.keys.intern(ours, arena, start, end, hashBytes(arena, start, end));
      const d = i * ROW;
      const w = 2 * d;
      const prints = Array.from(theirs.subarray(w + PRINTS, w + PRINTS + 2 * INLINE_PRINTS));
      while (prints.length > 2 && prints.at(-1) === 0 && prints.at(-2) === 0) prints.length -= 2;
      prints.push(...(spilled.get(i) ?? []));
      // The row merges once, with the first fingerprint; the others only join the unit's fingerprints.
      words[S_STATUS] = theirHalves[2 * w + STATUS] as number;
      words[S_UPSTREAM] = theirHalves[2 * w + UPSTREAM] as number;
      words[S_WORDS] = mapSet(theirs[w + WORDS] as number);
      words[S_PRINT_A] = prints[0] as number;
      words[S_PRINT_B] = prints[1] as number;
      numbers[S_LATENCY] = rows[d + LATENCY] as number;
      numbers[S_UPSTREAM_LATENCY] = rows[d + UPSTREAM_LATENCY] as number;
      numbers[S_FIRST_MS] = rows[d + FIRST_MS] as number;
      numbers[S_LAST_MS] = rows[d + LAST_MS] as number;
      this.merge(unit, this.keys.added, words, 0, numbers, 0);
      for (let p = 2; p < prints.length; p += 2)
        this.addPrint(unit, prints[p] as number, prints[p + 1] as number);
    }
  }

  /** The function id of a unit (an index into `functions`). */
  functionIdOf(index: number): number {
    this.settle();
    return functionOfTag(this.keys.tag(index));
  }

  requestIdOf(index: number): string {
    this.settle();
    if ((this.keys.tag(index) & PACKED_UUID) === 0) return this.keys.text(index);
    return Buffer.from(this.requestIdBytes(index)).toString("latin1");
  }

  /** The request id's text bytes: a view valid until the next call (a packed UUID is unpacked). */
  requestIdBytes(index: number): Uint8Array {
    this.settle();
    const bytes = this.keys.bytes(index);
    return this.requestIds.of(this.keys.tag(index), bytes, 0, bytes.length);
  }

  /** The unit indexes of each function, by function id. */
  indexesByFunction(): Int32Array[] {
    this.settle();
    return groupByFunction(this);
  }

  /** The merged facts of a unit, without decoding any string (for classifying millions of units). */
  facts(index: number, into?: UnitFactsScratch): UnitFacts {
    this.settle();
    return factsOfRow(this.rows, this.halves, index, into);
  }

  parts(): UnitsPart[] {
    return wholePart(this);
  }

  /** The earliest and latest timestamp over all units, epoch ms, NaN when no record had one. */
  timeSpan(): { first: number; last: number } {
    this.settle();
    return timeSpanOf(this.rows, this.size);
  }

  /** The earliest timestamp of a unit's records, epoch ms, or null when none had one. */
  firstMsOf(index: number): number | null {
    this.settle();
    const first = this.rows[index * ROW + FIRST_MS] as number;
    return Number.isNaN(first) ? null : first;
  }

  /** The merged latency_ms of a unit. */
  latencyOf(index: number): number {
    this.settle();
    return this.rows[index * ROW + LATENCY] as number;
  }

  /** The id of a unit's set of stages and error codes (see `errorCodesOf`). */
  wordSetOf(index: number): number {
    this.settle();
    return this.words32[2 * index * ROW + WORDS] as number;
  }

  /** The error codes of a set id (of `wordSetOf(i)`). */
  errorCodesOf(set: number): string[] {
    return errorCodesAmong(this.wordSets.members(set), (id) => this.words.text(id));
  }

  /** The merged unit at an index, 0 ≤ index < size. */
  unit(index: number): Unit {
    this.settle();
    const d = index * ROW;
    const first = this.rows[d + FIRST_MS] as number;
    const last = this.rows[d + LAST_MS] as number;
    return {
      ...this.facts(index),
      requestId: this.requestIdOf(index),
      function: this.functionNames.text(this.functionIdOf(index)),
      errorCodes: this.errorCodesOf(this.words32[2 * d + WORDS] as number),
      stages: stagesAmong(this.wordSets.members(this.words32[2 * d + WORDS] as number), (id) =>
        this.words.text(id),
      ),
      firstMs: Number.isNaN(first) ? null : first,
      lastMs: Number.isNaN(last) ? null : last,
    };
  }

  /**
   * Merges a record laid out as a staged one (`staged` from `w`, `numbers` from `n`) into unit i. Read
   * from the arrays, not passed as arguments: a double passed to a function is a heap number allocated.
   */
  private merge(
    i: number,
    isNew: boolean,
    staged: Int32Array,
    w0: number,
    numbers: Float64Array,
    n: number,
  ): void {
    if (isNew && (i + 1) * ROW > this.rows.length) this.grow();
    const status = staged[w0 + S_STATUS] as number;
    const upstream = staged[w0 + S_UPSTREAM] as number;
    const wordSet = staged[w0 + S_WORDS] as number;
    const printA = staged[w0 + S_PRINT_A] as number;
    const printB = staged[w0 + S_PRINT_B] as number;
    const latency = numbers[n + S_LATENCY] as number;
    const upstreamLatency = numbers[n + S_UPSTREAM_LATENCY] as number;
    const firstMs = numbers[n + S_FIRST_MS] as number;
    const lastMs = numbers[n + S_LAST_MS] as number;
    const rows = this.rows;
    const words = this.words32;
    const halves = this.halves;
    const d = i * ROW;
    const w = 2 * d;
    if (isNew) {
      rows[d + LATENCY] = latency;
      rows[d + UPSTREAM_LATENCY] = upstreamLatency;
      rows[d + FIRST_MS] = firstMs;
      rows[d + LAST_MS] = lastMs;
      halves[2 * w + STATUS] = status;
      halves[2 * w + UPSTREAM] = upstream;
      words[w + WORDS] = wordSet;
      // A new unit's row is zero (rows are allocated zeroed and never reused): its prints are empty.
      this.addPrint(i, printA, printB);
      return;
    }
    if (status > (halves[2 * w + STATUS] as number)) halves[2 * w + STATUS] = status;
    if (latency > (rows[d + LATENCY] as number)) rows[d + LATENCY] = latency;
    if (upstream > (halves[2 * w + UPSTREAM] as number)) halves[2 * w + UPSTREAM] = upstream;
    // The larger or smaller where the held value may be NaN (none yet), written out: doubles passed to a
    // call that is not inlined are heap numbers allocated.
    const heldUpstreamLatency = rows[d + UPSTREAM_LATENCY] as number;
    if (heldUpstreamLatency !== heldUpstreamLatency || upstreamLatency > heldUpstreamLatency)
      rows[d + UPSTREAM_LATENCY] = upstreamLatency;
    const heldFirst = rows[d + FIRST_MS] as number;
    if (heldFirst !== heldFirst || firstMs < heldFirst) rows[d + FIRST_MS] = firstMs;
    const heldLast = rows[d + LAST_MS] as number;
    if (heldLast !== heldLast || lastMs > heldLast) rows[d + LAST_MS] = lastMs;
    const held = words[w + WORDS] as number;
    if (wordSet !== held) words[w + WORDS] = this.wordSets.union(held, wordSet);
    this.addPrint(i, printA, printB);
  }

  /** Remembers a record's fingerprint (signed halves) for its unit (a repeat is counted once). */
  private addPrint(unit: number, a: number, b: number): void {
    const words = this.ints32;
    const w = 2 * unit * ROW;
    for (let at = w + PRINTS; at < w + PRINTS + 2 * INLINE_PRINTS; at += 2) {
      const heldA = words[at] as number;
      const heldB = words[at + 1] as number;
      if (heldA === a && heldB === b) return;
      if ((heldA | heldB) === 0) {
        words[at] = a;
        words[at + 1] = b;
        this.distinctInline++;
        return;
      }
    }
    this.spilledPrints.add(unit, a, b);
  }

  /** Whether a unit's row holds as many fingerprints as it can (more go to spilledPrints). */
  private printsFull(unit: number): boolean {
    const at = 2 * unit * ROW + PRINTS + 2 * (INLINE_PRINTS - 1);
    return ((this.ints32[at] as number) | (this.ints32[at + 1] as number)) !== 0;
  }

  private grow(): void {
    const next = new Float64Array(this.rows.length * 2);
    next.set(this.rows);
    this.rows = next;
    this.words32 = new Uint32Array(next.buffer);
    this.halves = new Uint16Array(next.buffer);
    this.ints32 = new Int32Array(next.buffer);
  }
}
/** Unit i's facts from its row (`rows` and `halves` over one buffer), in `into` when given. */
export function factsOfRow(
  rows: Float64Array,
  halves: Uint16Array,
  index: number,
  into: UnitFactsScratch = { status: 0, latencyMs: 0, upstream: null, upstreamLatencyMs: null },
): UnitFacts {
  const d = index * ROW;
  const upstreamLatency = rows[d + UPSTREAM_LATENCY] as number;
  into.status = halves[4 * d + STATUS] as number;
  into.latencyMs = rows[d + LATENCY] as number;
  into.upstream = upstreamFromSeverity(halves[4 * d + UPSTREAM] as number);
  into.upstreamLatencyMs = Number.isNaN(upstreamLatency) ? null : upstreamLatency;
  return into;
}

/**
 * The earliest first and latest last timestamp of `count` rows, epoch ms, NaN when none has one. Compared
 * in the loop, not through a helper: a double passed to a call that is not inlined is a heap number.
 */
export function timeSpanOf(rows: Float64Array, count: number): { first: number; last: number } {
  let first = Number.NaN;
  let last = Number.NaN;
  for (let d = 0; d < count * ROW; d += ROW) {
    const f = rows[d + FIRST_MS] as number;
    const l = rows[d + LAST_MS] as number;
    if (!Number.isNaN(f) && !(f >= first)) first = f;
    if (!Number.isNaN(l) && !(l <= last)) last = l;
  }
  return { first, last };
}
