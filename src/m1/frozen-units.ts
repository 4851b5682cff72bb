import { keyLength, keyStartIn, keyTag } from "./byte-keys.js";
import { functionOfTag, RequestIdBytes } from "./packed-uuid.js";
import type { UnitFacts, UnitFactsScratch } from "./rules.js";
import {
  factsOfRow,
  FIRST_MS,
  LAST_MS,
  LATENCY,
  ROW,
  WORDS,
  type Unit,
  timeSpanOf,
  type UnitsSnapshot,
} from "./unit-table.js";
import { groupByFunction, wholePart, type UnitsPart, type UnitsReader } from "./units-reader.js";
import { errorCodesAmong, stagesAmong } from "./unit-words.js";

/**
 * The units of a table that another thread built, read straight from its snapshot: no hash table is
 * rebuilt and nothing is merged (the reader threads own disjoint units).
 */
export class FrozenUnits implements UnitsReader {
  private readonly words32: Uint32Array;
  private readonly halves: Uint16Array;
  private readonly decoder = new TextDecoder();
  private readonly requestIds = new RequestIdBytes();

  constructor(private readonly snapshot: UnitsSnapshot) {
    const rows = snapshot.rows;
    this.words32 = new Uint32Array(rows.buffer, rows.byteOffset, rows.length * 2);
    this.halves = new Uint16Array(rows.buffer, rows.byteOffset, rows.length * 4);
  }

  get size(): number {
    return this.snapshot.keys.count;
  }

  get distinctRecords(): number {
    return this.snapshot.distinctRecords;
  }

  get functions(): readonly string[] {
    return this.snapshot.functions;
  }

  functionIdOf(index: number): number {
    const keys = this.snapshot.keys;
    return functionOfTag(keyTag(keys.arena, keyStartIn(keys, index)));
  }

  requestIdOf(index: number): string {
    return this.decoder.decode(this.requestIdBytes(index));
  }

  /** The request id's text bytes: a view valid until the next call (a packed UUID is unpacked). */
  requestIdBytes(index: number): Uint8Array {
    const keys = this.snapshot.keys;
    const arena = keys.arena;
    const start = keyStartIn(keys, index);
    return this.requestIds.of(keyTag(arena, start), arena, start, start + keyLength(arena, start));
  }

  facts(index: number, into?: UnitFactsScratch): UnitFacts {
    return factsOfRow(this.snapshot.rows, this.halves, index, into);
  }

  firstMsOf(index: number): number | null {
    const first = this.snapshot.rows[index * ROW + FIRST_MS] as number;
    return Number.isNaN(first) ? null : first;
  }

  latencyOf(index: number): number {
    return this.snapshot.rows[index * ROW + LATENCY] as number;
  }

  wordSetOf(index: number): number {
    return this.words32[2 * index * ROW + WORDS] as number;
  }

  errorCodesOf(set: number): string[] {
    return errorCodesAmong(this.snapshot.sets[set] ?? [], this.word);
  }

  /** A word's text by its id. */
  private readonly word = (id: number): string => this.snapshot.words[id] as string;

  unit(index: number): Unit {
    const d = index * ROW;
    const first = this.snapshot.rows[d + FIRST_MS] as number;
    const last = this.snapshot.rows[d + LAST_MS] as number;
    return {
      ...this.facts(index),
      requestId: this.requestIdOf(index),
      function: this.functions[this.functionIdOf(index)] as string,
      errorCodes: this.errorCodesOf(this.wordSetOf(index)),
      stages: stagesAmong(this.snapshot.sets[this.wordSetOf(index)] ?? [], this.word),
      firstMs: Number.isNaN(first) ? null : first,
      lastMs: Number.isNaN(last) ? null : last,
    };
  }

  indexesByFunction(): Int32Array[] {
    return groupByFunction(this);
  }

  parts(): UnitsPart[] {
    return wholePart(this);
  }

  timeSpan(): { first: number; last: number } {
    return timeSpanOf(this.snapshot.rows, this.size);
  }
}
