const scratch = new Float64Array(1);
/** The number's two 32-bit halves, signed: an unsigned half past 2^31 is a heap number when passed on. */
const words = new Int32Array(scratch.buffer);

/**
 * A 64-bit fingerprint (two signed 32-bit halves: unboxed in V8, see finishHash) of a record's known fields other than its unit key: stage,
 * status, latency, error code, upstream status and latency, and time. Two records of one unit with the
 * same fingerprint count as the same record (SPEC.md section 2, duplicates); with a handful of records
 * per unit, a false match has odds near 2^-64. Words (stage, error code) enter by the hashes of their
 * bytes, so a fingerprint does not depend on which table or thread computed it.
 */
export class Fingerprint {
  a = 0;
  b = 0;

  begin(): void {
    // `| 0`: the same bits as a signed 32-bit integer. A constant past 2^31 would make these fields
    // doubles, and every fingerprint would then allocate a heap number (16 bytes a line of garbage).
    this.a = 0x811c9dc5 | 0;
    this.b = 0x9e3779b9 | 0;
  }

  word(hashA: number, hashB: number): void {
    this.a = mix(this.a, hashA);
    this.b = mix(this.b, hashB);
  }

  /** A number; -0 and 0 are the same, NaN stands for null. For integers (a fraction: `numberIn`). */
  number(value: number): void {
    scratch[0] = value + 0;
    this.mixScratch();
  }

  /**
   * `number` for a value that is read from an array (`numbers[at]`): a fraction or an epoch millisecond
   * passed to a call that is not inlined is a heap number allocated, so the value goes from the array
   * into the scratch array here, and only its 32-bit halves are passed on.
   */
  numberIn(numbers: Float64Array, at: number): void {
    scratch[0] = (numbers[at] as number) + 0;
    this.mixScratch();
  }

  /** Mixes in the number in `scratch`. */
  private mixScratch(): void {
    const low = words[0] as number;
    const high = words[1] as number;
    this.a = mix(mix(this.a, low), high);
    this.b = mix(mix(this.b, high ^ 0x5bd1e995), low);
  }

  /**
   * Finishes the fingerprint. It is never (0, 0): a unit's row marks an empty place for one so
   * (unit-table.ts), and the one fingerprint in 2^64 that would be is taken as (0, 1).
   */
  end(): void {
    this.a = finish(this.a);
    this.b = finish(this.b);
    if ((this.a | this.b) === 0) this.b = 1;
  }
}

function mix(h: number, value: number): number {
  let k = Math.imul(value, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
