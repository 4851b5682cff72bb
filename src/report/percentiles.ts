/**
 * Nearest-rank percentiles (SPEC.md section 5: the value at rank ⌈p/100 × n⌉), exact, without sorting:
 * each rank is found by selection (Hoare's quickselect with a median-of-three pivot), O(n) on average.
 * Given in increasing order, each rank is searched for only in the part the previous one left above
 * it, so three percentiles cost about two passes over the values. `values` is reordered.
 */
export function percentiles(values: Float64Array, ps: readonly number[]): number[] {
  let from = 0;
  return ps.map((p) => {
    if (values.length === 0) return 0;
    const k = rankOf(p, values.length) - 1;
    // Ranks in increasing order search only above the last one; any other order searches everything.
    select(values, k >= from ? from : 0, values.length - 1, k);
    from = k;
    return values[k] as number;
  });
}

/** The 1-based nearest rank of percentile p among n values. */
export function rankOf(p: number, n: number): number {
  return Math.max(1, Math.ceil((p / 100) * n));
}

/**
 * Reorders values[left..right] so that values[k] is the value a sort would put there, everything before
 * it ≤ it, and everything after ≥ it.
 */
function select(values: Float64Array, left: number, right: number, k: number): void {
  while (right > left) {
    const middle = (left + right) >>> 1;
    // Median of three as the pivot, which also guards the scans below.
    if ((values[middle] as number) < (values[left] as number)) swap(values, middle, left);
    if ((values[right] as number) < (values[left] as number)) swap(values, right, left);
    if ((values[right] as number) < (values[middle] as number)) swap(values, right, middle);
    const pivot = values[middle] as number;
    let i = left;
    let j = right;
    while (i <= j) {
      while ((values[i] as number) < pivot) i++;
      while ((values[j] as number) > pivot) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(values: Float64Array, a: number, b: number): void {
  const held = values[a] as number;
  values[a] = values[b] as number;
  values[b] = held;
}
