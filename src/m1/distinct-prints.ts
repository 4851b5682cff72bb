import type { ScratchPolicy, ScratchStore } from "../storage/scratch-file.js";
import { mixTriple, PrintSet } from "./print-set.js";

/**
 * Spilled fingerprints are kept in this many buckets (by hash), so each is counted apart: a thread whose
 * budget is B triples counts up to 128 B of them in one pass per bucket (16M with one thread, 8M each
 * with two; with 64 buckets and half the budget, two threads on 10M records took two passes each).
 */
const BUCKETS = 128;
const BUCKET_SHIFT = 25;
/** Triples a bucket holds in memory before it is written out: 6 KiB a bucket, 768 KiB in all. */
const CHUNK_TRIPLES = 512;
const CHUNK_BYTES = CHUNK_TRIPLES * 12;
/**
 * The fewest triples a counting pass takes, whatever the memory budget: a budget of 0 (a test's) would
 * otherwise make one pass per triple, and counting quadratic. 4 Ki triples are a set of 96 KiB at most.
 */
const MIN_PER_PASS = 4096;

/**
 * The distinct (unit, fingerprint) triples of the records that did not fit inline in their unit's row
 * (SPEC.md section 2: a record equal to an earlier record of its unit is a duplicate), counted exactly
 * in bounded memory.
 *
 * Up to `printsInMemory` distinct triples they are a hash set in memory, and a repeat is known at once.
 * Past that, when scratch space can be had, every triple is appended to scratch space instead, in 128
 * buckets by hash, and the distinct ones are counted when asked: bucket by bucket, each in a set of at
 * most `printsInMemory` triples (a bucket larger than that is counted in as many passes, each taking
 * the triples of one share of the hash). Merging needs no answer sooner — a duplicate changes no merged
 * field — so a log whose requests have thousands of records each costs 12 bytes of disk per record,
 * not 24–48 of memory. Writing fails (a full disk)? The triples are read back into memory and the count
 * goes on there. No scratch space at all? It stays in memory. Either way the count is exact.
 */
export class DistinctPrints {
  private memory: PrintSet | null = new PrintSet();
  private spill: PrintSpill | null = null;
  private spillable: boolean;

  constructor(private readonly scratch: ScratchPolicy | null = null) {
    this.spillable = scratch !== null;
  }

  /** Whether the triples are in scratch space (for tests and the docs' figures). */
  get spilled(): boolean {
    return this.spill !== null;
  }

  /** Reads where a triple would be looked up (to bring it into the cache); returns what it read. */
  touch(unit: number, a: number, b: number): number {
    return this.memory === null ? 0 : this.memory.touch(unit, a, b);
  }

  /** Adds a triple (a repeat is counted once). */
  add(unit: number, a: number, b: number): void {
    const memory = this.memory;
    if (memory === null) {
      if ((this.spill as PrintSpill).add(unit, a, b)) return;
      this.backToMemory().add(unit, a, b);
      return;
    }
    // Full: moved to scratch space before this triple is added, so the set never grows past its budget.
    if (this.spillable && memory.size >= (this.scratch as ScratchPolicy).printsInMemory) {
      this.toScratch(memory);
      if (this.memory === null) {
        this.add(unit, a, b);
        return;
      }
    }
    memory.add(unit, a, b);
  }

  /** The number of distinct triples added. */
  get distinct(): number {
    return this.memory === null ? (this.spill as PrintSpill).distinct() : this.memory.size;
  }

  /** Every triple, as [unit, a, b, unit, a, b, …]; once spilled, a repeated triple may be listed twice. */
  entries(): Int32Array {
    return this.memory === null ? (this.spill as PrintSpill).entries() : this.memory.entries();
  }

  /** Frees the scratch space, if any. */
  close(): void {
    this.spill?.close();
  }

  private toScratch(memory: PrintSet): void {
    const scratch = this.scratch as ScratchPolicy;
    const store = scratch.open();
    if (store === null) {
      this.spillable = false;
      return;
    }
    const spill = new PrintSpill(store, scratch.printsInMemory, memory);
    if (!memory.drain((unit, a, b) => spill.add(unit, a, b))) {
      spill.close();
      this.spillable = false;
      return;
    }
    // The set's memory is the spill's counting set from now on (see PrintSpill.distinct).
    memory.clear();
    this.spill = spill;
    this.memory = null;
  }

  private backToMemory(): PrintSet {
    const spill = this.spill as PrintSpill;
    const memory = new PrintSet();
    const all = spill.entries();
    for (let k = 0; k < all.length; k += 3)
      memory.add(all[k] as number, all[k + 1] as number, all[k + 2] as number);
    spill.close();
    this.spill = null;
    this.memory = memory;
    this.spillable = false;
    return memory;
  }
}

/** Triples appended to scratch space by bucket; the distinct ones counted on demand. */
class PrintSpill {
  /** Each bucket's triples not yet written: CHUNK_TRIPLES a bucket. */
  private readonly pending = new Int32Array(BUCKETS * CHUNK_TRIPLES * 3);
  private readonly filled = new Uint32Array(BUCKETS);
  /** Where each bucket's written chunks are (each CHUNK_BYTES long). */
  private readonly chunks: number[][] = Array.from({ length: BUCKETS }, () => []);
  private end = 0;
  private added = 0;
  private counted = -1;
  private countedAt = -1;

  /**
   * @param set the set to count in, emptied: the in-memory set that grew to `perPass` triples before
   *   the spill, so counting (at most that many triples a pass, or MIN_PER_PASS when the budget is
   *   smaller) needs no memory of its own.
   */
  constructor(
    private readonly store: ScratchStore,
    private readonly perPass: number,
    private readonly set: PrintSet,
  ) {}

  /** Appends a triple; false when it could not be written (and nothing was kept of it). */
  add(unit: number, a: number, b: number): boolean {
    const bucket = mixTriple(unit, a, b) >>> BUCKET_SHIFT;
    const filled = this.filled[bucket] as number;
    if (filled === CHUNK_TRIPLES && !this.write(bucket)) return false;
    const at = 3 * (bucket * CHUNK_TRIPLES + (this.filled[bucket] as number));
    this.pending[at] = unit;
    this.pending[at + 1] = a;
    this.pending[at + 2] = b;
    this.filled[bucket] = (this.filled[bucket] as number) + 1;
    this.added++;
    return true;
  }

  /**
   * The distinct triples: each bucket counted apart, in passes of at most `perPass` triples (at least
   * MIN_PER_PASS).
   */
  distinct(): number {
    if (this.countedAt === this.added) return this.counted;
    let distinct = 0;
    const set = this.set;
    const chunk = new Int32Array(CHUNK_TRIPLES * 3);
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const written = (this.chunks[bucket] as number[]).length * CHUNK_TRIPLES;
      const passes = Math.max(
        1,
        Math.ceil((written + (this.filled[bucket] as number)) / Math.max(MIN_PER_PASS, this.perPass)),
      );
      for (let pass = 0; pass < passes; pass++) {
        set.clear();
        const take = (triples: Int32Array, count: number): void => {
          for (let k = 0; k < 3 * count; k += 3) {
            const unit = triples[k] as number;
            const a = triples[k + 1] as number;
            const b = triples[k + 2] as number;
            // A share by a second hash (the arguments turned round), which the set's slots do not follow.
            if (passes === 1 || mixTriple(a, b, unit) % passes === pass) set.add(unit, a, b);
          }
        };
        for (const position of this.chunks[bucket] as number[]) {
          this.store.read(new Uint8Array(chunk.buffer), position);
          take(chunk, CHUNK_TRIPLES);
        }
        const from = 3 * bucket * CHUNK_TRIPLES;
        take(this.pending.subarray(from, from + 3 * CHUNK_TRIPLES), this.filled[bucket] as number);
        distinct += set.size;
      }
    }
    this.counted = distinct;
    this.countedAt = this.added;
    return distinct;
  }

  /** Every triple added, repeats included. */
  entries(): Int32Array {
    const out = new Int32Array(3 * this.added);
    let n = 0;
    const chunk = new Int32Array(CHUNK_TRIPLES * 3);
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      for (const position of this.chunks[bucket] as number[]) {
        this.store.read(new Uint8Array(chunk.buffer), position);
        out.set(chunk, n);
        n += chunk.length;
      }
      const from = 3 * bucket * CHUNK_TRIPLES;
      const count = 3 * (this.filled[bucket] as number);
      out.set(this.pending.subarray(from, from + count), n);
      n += count;
    }
    return out;
  }

  close(): void {
    this.store.close();
  }

  /** Writes a bucket's full chunk; false when the store refused it. */
  private write(bucket: number): boolean {
    const from = 3 * bucket * CHUNK_TRIPLES;
    const bytes = new Uint8Array(this.pending.buffer, from * 4, CHUNK_BYTES);
    try {
      this.store.write(bytes, this.end);
    } catch {
      return false;
    }
    (this.chunks[bucket] as number[]).push(this.end);
    this.end += CHUNK_BYTES;
    this.filled[bucket] = 0;
    return true;
  }
}
