import { fingerprint } from "./fingerprint.js";
import type { M1Record } from "./record.js";
import { upstreamFromSeverity, upstreamSeverity } from "./record.js";
import type { UnitFacts } from "./rules.js";
import { SetInterner } from "./set-interner.js";

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
/** Fingerprints kept inline per unit; a unit with more distinct records spills into a Map. */
const INLINE_PRINTS = 2;

/**
 * Every unit (request_id, function) seen so far, merged as SPEC.md section 2 says.
 *
 * Memory grows with units, not lines: each unit is one entry in a per-function Map plus a slot in
 * typed-array columns (see docs/performance.md). Every merge is a maximum or a set union, so adding
 * records in any order, or twice, gives the same table.
 */
export class UnitTable {
  /** Distinct function names, by function id. */
  readonly functions: string[] = [];
  private readonly functionIds = new Map<string, number>();
  private readonly unitsByFunction: Map<string, number>[] = [];
  private readonly requestIds: string[] = [];
  readonly errorCodeSets = new SetInterner();
  readonly stageSets = new SetInterner();

  private capacity = INITIAL_CAPACITY;
  private functionOf = new Uint32Array(INITIAL_CAPACITY);
  private status = new Uint16Array(INITIAL_CAPACITY);
  private latency = new Float64Array(INITIAL_CAPACITY);
  /** Upstream severity: 0 null, 100–599 the code, 600 timeout (see record.ts). */
  private upstream = new Uint16Array(INITIAL_CAPACITY);
  /** NaN stands for null. */
  private upstreamLatency = new Float64Array(INITIAL_CAPACITY);
  private firstMs = new Float64Array(INITIAL_CAPACITY);
  private lastMs = new Float64Array(INITIAL_CAPACITY);
  private errorCodes = new Uint32Array(INITIAL_CAPACITY);
  private stages = new Uint32Array(INITIAL_CAPACITY);
  private printCount = new Uint8Array(INITIAL_CAPACITY);
  private prints = new Uint32Array(INITIAL_CAPACITY * INLINE_PRINTS * 2);
  private readonly spilledPrints = new Map<number, number[]>();
  private readonly scratch = new Uint32Array(2);

  /** Valid records added that were not duplicates of an earlier record of their unit. */
  distinctRecords = 0;

  get size(): number {
    return this.requestIds.length;
  }

  /** Merges one valid record into its unit; returns false when it duplicates an earlier record. */
  add(record: M1Record): boolean {
    this.scratch[0] = 0;
    fingerprint(record, this.scratch);
    return this.merge(
      record.function,
      record.request_id,
      record.status,
      record.latency_ms,
      upstreamSeverity(record.upstream_status),
      record.upstream_latency_ms ?? Number.NaN,
      record.timeMs ?? Number.NaN,
      record.timeMs ?? Number.NaN,
      record.error_code === null
        ? SetInterner.EMPTY
        : this.errorCodeSets.add(SetInterner.EMPTY, record.error_code),
      this.stageSets.add(SetInterner.EMPTY, record.stage),
      this.scratch[0] as number,
      this.scratch[1] as number,
    );
  }

  /** Merges every unit of another table into this one (the partial states of parallel readers). */
  absorb(other: UnitTable): void {
    for (let i = 0; i < other.size; i++) {
      const fn = other.functions[other.functionOf[i] as number] as string;
      const prints = other.printsOf(i);
      let codes = SetInterner.EMPTY;
      for (const code of other.errorCodeSets.members(other.errorCodes[i] as number)) {
        codes = this.errorCodeSets.add(codes, code);
      }
      let stages = SetInterner.EMPTY;
      for (const stage of other.stageSets.members(other.stages[i] as number)) {
        stages = this.stageSets.add(stages, stage);
      }
      for (let p = 0; p < prints.length; p += 2) {
        this.merge(
          fn,
          other.requestIds[i] as string,
          other.status[i] as number,
          other.latency[i] as number,
          other.upstream[i] as number,
          other.upstreamLatency[i] as number,
          other.firstMs[i] as number,
          other.lastMs[i] as number,
          codes,
          stages,
          prints[p] as number,
          prints[p + 1] as number,
        );
      }
    }
  }

  /** The merged unit at an index, 0 ≤ index < size. */
  unit(index: number): Unit {
    const upstreamLatency = this.upstreamLatency[index] as number;
    const first = this.firstMs[index] as number;
    const last = this.lastMs[index] as number;
    return {
      requestId: this.requestIds[index] as string,
      function: this.functions[this.functionOf[index] as number] as string,
      status: this.status[index] as number,
      latencyMs: this.latency[index] as number,
      upstream: upstreamFromSeverity(this.upstream[index] as number),
      upstreamLatencyMs: Number.isNaN(upstreamLatency) ? null : upstreamLatency,
      errorCodes: this.errorCodeSets.members(this.errorCodes[index] as number),
      stages: this.stageSets.members(this.stages[index] as number),
      firstMs: Number.isNaN(first) ? null : first,
      lastMs: Number.isNaN(last) ? null : last,
    };
  }

  /** The function id of a unit (an index into `functions`). */
  functionIdOf(index: number): number {
    return this.functionOf[index] as number;
  }

  /** The request ids of one function's units, with each unit's index. */
  unitsOfFunction(functionId: number): ReadonlyMap<string, number> {
    return this.unitsByFunction[functionId] as Map<string, number>;
  }

  /** The unit indexes of each function, as a Map from function name to request id to index. */
  unitsOf(fn: string): ReadonlyMap<string, number> | undefined {
    const id = this.functionIds.get(fn);
    return id === undefined ? undefined : this.unitsByFunction[id];
  }

  private merge(
    fn: string,
    requestId: string,
    status: number,
    latency: number,
    upstream: number,
    upstreamLatency: number,
    firstMs: number,
    lastMs: number,
    errorCodes: number,
    stages: number,
    printA: number,
    printB: number,
  ): boolean {
    let fnId = this.functionIds.get(fn);
    if (fnId === undefined) {
      fnId = this.functions.length;
      this.functions.push(fn);
      this.functionIds.set(fn, fnId);
      this.unitsByFunction.push(new Map());
    }
    const units = this.unitsByFunction[fnId] as Map<string, number>;
    let i = units.get(requestId);
    if (i === undefined) {
      i = this.requestIds.length;
      if (i === this.capacity) this.grow();
      units.set(requestId, i);
      this.requestIds.push(requestId);
      this.functionOf[i] = fnId;
      this.status[i] = status;
      this.latency[i] = latency;
      this.upstream[i] = upstream;
      this.upstreamLatency[i] = upstreamLatency;
      this.firstMs[i] = firstMs;
      this.lastMs[i] = lastMs;
      this.errorCodes[i] = errorCodes;
      this.stages[i] = stages;
      this.addPrint(i, printA, printB);
      return true;
    }
    if (status > (this.status[i] as number)) this.status[i] = status;
    if (latency > (this.latency[i] as number)) this.latency[i] = latency;
    if (upstream > (this.upstream[i] as number)) this.upstream[i] = upstream;
    this.upstreamLatency[i] = maxIgnoringNaN(this.upstreamLatency[i] as number, upstreamLatency);
    this.firstMs[i] = minIgnoringNaN(this.firstMs[i] as number, firstMs);
    this.lastMs[i] = maxIgnoringNaN(this.lastMs[i] as number, lastMs);
    if (errorCodes !== this.errorCodes[i]) {
      this.errorCodes[i] = this.errorCodeSets.union(this.errorCodes[i] as number, errorCodes);
    }
    if (stages !== this.stages[i]) this.stages[i] = this.stageSets.union(this.stages[i] as number, stages);
    return this.addPrint(i, printA, printB);
  }

  /** Remembers a record's fingerprint for its unit; false when the unit already had it. */
  private addPrint(unit: number, a: number, b: number): boolean {
    const count = this.printCount[unit] as number;
    const base = unit * INLINE_PRINTS * 2;
    for (let k = 0; k < Math.min(count, INLINE_PRINTS); k++) {
      if (this.prints[base + 2 * k] === a && this.prints[base + 2 * k + 1] === b) return false;
    }
    if (count < INLINE_PRINTS) {
      this.prints[base + 2 * count] = a;
      this.prints[base + 2 * count + 1] = b;
      this.printCount[unit] = count + 1;
      this.distinctRecords++;
      return true;
    }
    let spilled = this.spilledPrints.get(unit);
    if (spilled === undefined) {
      spilled = [];
      this.spilledPrints.set(unit, spilled);
    }
    for (let k = 0; k < spilled.length; k += 2) {
      if (spilled[k] === a && spilled[k + 1] === b) return false;
    }
    spilled.push(a, b);
    this.distinctRecords++;
    return true;
  }

  /** A unit's fingerprints, as flat pairs. */
  private printsOf(unit: number): number[] {
    const count = Math.min(this.printCount[unit] as number, INLINE_PRINTS);
    const base = unit * INLINE_PRINTS * 2;
    const inline = Array.from(this.prints.subarray(base, base + 2 * count));
    return inline.concat(this.spilledPrints.get(unit) ?? []);
  }

  private grow(): void {
    this.capacity *= 2;
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(
      old: T,
      make: (n: number) => T,
      per = 1,
    ): T => {
      const next = make(this.capacity * per);
      next.set(old);
      return next;
    };
    this.functionOf = grow(this.functionOf, (n) => new Uint32Array(n));
    this.status = grow(this.status, (n) => new Uint16Array(n));
    this.latency = grow(this.latency, (n) => new Float64Array(n));
    this.upstream = grow(this.upstream, (n) => new Uint16Array(n));
    this.upstreamLatency = grow(this.upstreamLatency, (n) => new Float64Array(n));
    this.firstMs = grow(this.firstMs, (n) => new Float64Array(n));
    this.lastMs = grow(this.lastMs, (n) => new Float64Array(n));
    this.errorCodes = grow(this.errorCodes, (n) => new Uint32Array(n));
    this.stages = grow(this.stages, (n) => new Uint32Array(n));
    this.printCount = grow(this.printCount, (n) => new Uint8Array(n));
    this.prints = grow(this.prints, (n) => new Uint32Array(n), INLINE_PRINTS * 2);
  }
}

function maxIgnoringNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  return b > a ? b : a;
}

function minIgnoringNaN(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  return b < a ? b : a;
}
