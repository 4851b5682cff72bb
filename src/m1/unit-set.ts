import type { UnitFacts, UnitFactsScratch } from "./rules.js";
import type { Unit } from "./unit-table.js";
import { groupByFunction, type UnitsPart, type UnitsReader } from "./units-reader.js";

/**
 * Several unit readers whose units are disjoint (no unit in two of them), read as one: indexes run
 * through the first, then the second, and so on; function ids are by name across all of them.
 */
export class UnitSet implements UnitsReader {
  readonly functions: string[] = [];
  private readonly offsets: number[] = [];
  /** Per part: its function ids → ids in `functions`. */
  private readonly functionIds: number[][];
  readonly size: number;
  readonly distinctRecords: number;

  constructor(private readonly readers: readonly UnitsReader[]) {
    const ids = new Map<string, number>();
    let offset = 0;
    this.functionIds = readers.map((part) => {
      this.offsets.push(offset);
      offset += part.size;
      return part.functions.map((name) => {
        let id = ids.get(name);
        if (id === undefined) {
          id = this.functions.length;
          this.functions.push(name);
          ids.set(name, id);
        }
        return id;
      });
    });
    this.size = offset;
    this.distinctRecords = readers.reduce((sum, part) => sum + part.distinctRecords, 0);
  }

  functionIdOf(index: number): number {
    const p = this.partOf(index);
    return this.functionIds[p]?.[
      (this.readers[p] as UnitsReader).functionIdOf(index - (this.offsets[p] as number))
    ] as number;
  }

  requestIdOf(index: number): string {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).requestIdOf(index - (this.offsets[p] as number));
  }

  requestIdBytes(index: number): Uint8Array {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).requestIdBytes(index - (this.offsets[p] as number));
  }

  facts(index: number, into?: UnitFactsScratch): UnitFacts {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).facts(index - (this.offsets[p] as number), into);
  }

  firstMsOf(index: number): number | null {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).firstMsOf(index - (this.offsets[p] as number));
  }

  latencyOf(index: number): number {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).latencyOf(index - (this.offsets[p] as number));
  }

  /** Set ids of the parts, made distinct: part p's set s is s × parts + p. */
  wordSetOf(index: number): number {
    const p = this.partOf(index);
    return (
      (this.readers[p] as UnitsReader).wordSetOf(index - (this.offsets[p] as number)) * this.readers.length +
      p
    );
  }

  errorCodesOf(set: number): string[] {
    const p = set % this.readers.length;
    return (this.readers[p] as UnitsReader).errorCodesOf(Math.floor(set / this.readers.length));
  }

  unit(index: number): Unit {
    const p = this.partOf(index);
    return (this.readers[p] as UnitsReader).unit(index - (this.offsets[p] as number));
  }

  indexesByFunction(): Int32Array[] {
    return groupByFunction(this);
  }

  timeSpan(): { first: number; last: number } {
    let first = Number.NaN;
    let last = Number.NaN;
    for (const part of this.readers) {
      const span = part.timeSpan();
      if (!Number.isNaN(span.first) && !(span.first >= first)) first = span.first;
      if (!Number.isNaN(span.last) && !(span.last <= last)) last = span.last;
    }
    return { first, last };
  }

  parts(): UnitsPart[] {
    // A part that is itself a set is read through its own parts, their ids mapped through both.
    return this.readers.flatMap((part, p) =>
      part.parts().map((inner) => ({
        reader: inner.reader,
        functionIds: inner.functionIds.map((id) => this.functionIds[p]?.[id] as number),
        setStride: inner.setStride * this.readers.length,
        setIndex: inner.setIndex * this.readers.length + p,
      })),
    );
  }

  private partOf(index: number): number {
    // Few parts (one per thread): a linear scan from the end is cheapest.
    let p = this.readers.length - 1;
    while (p > 0 && (this.offsets[p] as number) > index) p--;
    return p;
  }
}
