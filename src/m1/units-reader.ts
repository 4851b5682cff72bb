import type { UnitFacts, UnitFactsScratch } from "./rules.js";
import type { Unit } from "./unit-table.js";

/**
 * Read access to merged units, as the report needs it: by dense index 0 ≤ i < size. A UnitTable is one;
 * so are the tables that worker threads send back (FrozenUnits) and several disjoint ones seen as one
 * (UnitSet), which is how parallel reading needs no merge of units at all.
 */
export interface UnitsReader {
  readonly size: number;
  /** Valid records that were not duplicates of an earlier record of their unit. */
  readonly distinctRecords: number;
  /** Function names, by function id. */
  readonly functions: readonly string[];
  functionIdOf(index: number): number;
  requestIdOf(index: number): string;
  /** The request id's UTF-8 bytes (a view: valid until the next call; a packed UUID is unpacked into it). */
  requestIdBytes(index: number): Uint8Array;
  /** The unit's merged facts, in `into` when given (it is returned), else in a new object. */
  facts(index: number, into?: UnitFactsScratch): UnitFacts;
  latencyOf(index: number): number;
  /** The unit's earliest timestamp, epoch ms, or null when none of its records had one. */
  firstMsOf(index: number): number | null;
  /** An id for the unit's set of stages and error codes; `errorCodesOf` gives its error codes. */
  wordSetOf(index: number): number;
  errorCodesOf(set: number): string[];
  unit(index: number): Unit;
  /** The unit indexes of each function, in increasing order, by function id (see `groupByFunction`). */
  indexesByFunction(): Int32Array[];
  /** The earliest and latest timestamp over all units, epoch ms, NaN when none. */
  timeSpan(): { first: number; last: number };
  /** The readers that hold the units, in index order (see UnitsPart): one, itself, but for a UnitSet. */
  parts(): readonly UnitsPart[];
}

/**
 * One of the readers that hold a reader's units, for a pass over all of them that calls each reader
 * directly (the report's: at 3.33M units, 338–359 → 293–305 ms a report, with the facts in one object). Its
 * units come after those of the parts before it; its function id f is `functionIds[f]` in the whole, and
 * its word set s is s × setStride + setIndex.
 */
export interface UnitsPart {
  readonly reader: UnitsReader;
  readonly functionIds: readonly number[];
  readonly setStride: number;
  readonly setIndex: number;
}

/** A reader as the one part of itself. */
export function wholePart(reader: UnitsReader): UnitsPart[] {
  return [{ reader, functionIds: reader.functions.map((_, id) => id), setStride: 1, setIndex: 0 }];
}

/**
 * The unit indexes of each function, by function id: counted first, then filled, into one typed array
 * each (4 bytes a unit; a JavaScript array of millions of indexes costs two to four times that).
 */
export function groupByFunction(
  units: Pick<UnitsReader, "size" | "functions" | "functionIdOf">,
): Int32Array[] {
  const counts = new Int32Array(units.functions.length);
  for (let i = 0; i < units.size; i++) {
    const fn = units.functionIdOf(i);
    counts[fn] = (counts[fn] as number) + 1;
  }
  const lists = Array.from(counts, (count) => new Int32Array(count));
  const filled = new Int32Array(units.functions.length);
  for (let i = 0; i < units.size; i++) {
    const fn = units.functionIdOf(i);
    const at = filled[fn] as number;
    (lists[fn] as Int32Array)[at] = i;
    filled[fn] = at + 1;
  }
  return lists;
}
