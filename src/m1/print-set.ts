/**
 * A hash set of (unit, fingerprint) triples, fingerprints as two signed 32-bit halves (see Fingerprint),: the fingerprints of units with more distinct records than
 * fit inline in their row. Open addressing over one Int32Array, so a unit with thousands of records
 * (a long-running request, or a replayed log) costs O(1) per record, not a scan of what it had.
 */
export class PrintSet {
  private slots = new Int32Array(3 * 1024);
  private mask = 1023;
  /** Each slot holds unit + 1 (0: empty), then the two halves of the fingerprint. */
  size = 0;

  /** Slots, each 12 bytes (for tests and the docs' figures). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Reads the first slot of a triple (to bring it into the cache); returns what it read. */
  touch(unit: number, a: number, b: number): number {
    return this.slots[3 * (mixTriple(unit, a, b) & this.mask)] as number;
  }

  /** Adds a triple; false when it was already there. */
  add(unit: number, a: number, b: number): boolean {
    // Signed, as the slots hold them (an unsigned half past 2^31 would never compare equal).
    a |= 0;
    b |= 0;
    let slot = mixTriple(unit, a, b) & this.mask;
    const slots = this.slots;
    for (;;) {
      const at = 3 * slot;
      const held = slots[at] as number;
      if (held === 0) break;
      if (held === unit + 1 && slots[at + 1] === a && slots[at + 2] === b) return false;
      slot = (slot + 1) & this.mask;
    }
    slots[3 * slot] = unit + 1;
    slots[3 * slot + 1] = a;
    slots[3 * slot + 2] = b;
    this.size++;
    // At most half full: a set of 2^k triples fits in 2^(k+1) slots (PRINTS_IN_MEMORY in 3 MiB).
    if (this.size * 2 > this.mask + 1) this.grow();
    return true;
  }

  /** Empties the set, keeping its memory. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
  }

  /**
   * Passes every triple to `take`, in slot order, until it returns false; returns whether all were
   * taken. Copies nothing: DistinctPrints moves a full set to scratch space with it.
   */
  drain(take: (unit: number, a: number, b: number) => boolean): boolean {
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += 3) {
      const held = slots[at] as number;
      if (held !== 0 && !take(held - 1, slots[at + 1] as number, slots[at + 2] as number)) return false;
    }
    return true;
  }

  /** Every triple, as [unit, a, b, unit, a, b, …]. */
  entries(): Int32Array {
    const out = new Int32Array(3 * this.size);
    let n = 0;
    for (let at = 0; at < this.slots.length; at += 3) {
      const held = this.slots[at] as number;
      if (held === 0) continue;
      out[n++] = held - 1;
      out[n++] = this.slots[at + 1] as number;
      out[n++] = this.slots[at + 2] as number;
    }
    return out;
  }

  private grow(): void {
    const old = this.slots;
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array(3 * (this.mask + 1));
    this.size = 0;
    for (let at = 0; at < old.length; at += 3) {
      const held = old[at] as number;
      if (held !== 0) this.add(held - 1, old[at + 1] as number, old[at + 2] as number);
    }
  }
}

/** The hash of a triple (PrintSet's slots; DistinctPrints' buckets). */
export function mixTriple(unit: number, a: number, b: number): number {
  let h = Math.imul(unit ^ 0x9e3779b9, 0x85ebca6b) ^ a;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ b;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}
