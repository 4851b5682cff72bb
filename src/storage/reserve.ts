/**
 * Reserving room for a table that fills from the front (rows, the keys' starts, the key arena): when the
 * input's size says how many units there can be at most, the arrays are allocated that large at once
 * instead of doubling from small. Large zeroed allocations are mapped lazily by the operating system,
 * so a page costs memory only when a unit is written to it: a reservation far larger than the units
 * that come costs nothing resident, and no doubling copies the table (old and new alive at once, and
 * every page touched twice). 10M lines, 3.33M units, one thread: 10.7–11.0 s and 776 MB peak became
 * 10.0–10.6 s and 693 MB (docs/performance.md).
 */

/**
 * The bytes of the shortest valid M1 line, with its newline (each nullable field at its shortest: a
 * one-character code, a three-digit status and `0` are shorter than `null`):
 * `{"request_id":"a","function":"b","stage":"c","status":100,"latency_ms":0,"error_code":"d",` +
 * `"upstream_status":100,"upstream_latency_ms":0}`. Every unit has at least one valid record.
 */
export const MIN_RECORD_BYTES = 137;

/** The most units a reservation is made for (16 Mi: 1.3 GB of rows reserved, touched only as used). */
export const MAX_RESERVED_UNITS = 1 << 24;

/**
 * How many units `bytes` of M1 lines can hold at most (capped at MAX_RESERVED_UNITS). For gzip or mapped
 * formats (presets) it may be too few: a table grows past its reservation as before.
 */
export function unitsAtMost(bytes: number): number {
  return Math.min(MAX_RESERVED_UNITS, Math.floor(bytes / MIN_RECORD_BYTES));
}

/**
 * `make(wanted)`, or `make(fallback)` when that much cannot be had (an allocation refused, e.g. under a
 * strict overcommit policy or an address-space limit: RangeError). Never less than `fallback`.
 */
export function reserve<T>(make: (length: number) => T, wanted: number, fallback: number): T {
  if (wanted > fallback) {
    try {
      return make(wanted);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
    }
  }
  return make(fallback);
}
