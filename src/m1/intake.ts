import type { LineSink } from "../input/line-splitter.js";
import type { M1Record } from "./record.js";
import { upstreamFromSeverity } from "./record.js";
import { ID_KEY, ownerKey } from "./owner-key.js";
import { ScannedRecord, scanRecord, scanShapedLine, takeRecord, useShapeOf } from "./scan-record.js";
import { UnitTable, type UnitsSnapshot } from "./unit-table.js";
import { needsSchema, validateRecord, type FieldPolicy } from "./validate-record.js";
import { createMapper, type Mapper, type MappingOptions } from "../presets/index.js";
import { validateMapped } from "../presets/validate-mapped.js";
import { isInWindow, type TimeWindow } from "../time/time-window.js";
import type { ScratchPolicy } from "../storage/scratch-file.js";
import { Vocabulary } from "./vocabulary.js";

/** A violation located by source and line (SPEC.md section 1). */
export interface Violation {
  readonly source: string;
  readonly line: number;
  /** The group it is counted under, e.g. `status: expected an integer 100–599`. */
  readonly kind: string;
  /** The one-line reason, e.g. `status: expected an integer 100–599, got the string "500"`. */
  readonly reason: string;
}

/** Limits that keep memory bounded whatever the input holds; each is reported when reached. */
export interface IntakeLimits {
  /** Violations kept with their location per source (the counts stay exact). */
  readonly violationsPerSource: number;
  /** Unknown field names a report lists by name (the most frequent); the rest are counted together. */
  readonly unknownFieldNames: number;
  /** Deepest nesting of arrays and objects a line may have (a record needs 1); deeper is a violation. */
  readonly maxDepth: number;
}

/** How an intake's unit table is set up. */
export interface TableSetup {
  /** Scratch space for the unit table's fingerprints (each thread its own; see DistinctPrints). */
  readonly scratch: ScratchPolicy | null;
  /** Units to reserve room for (storage/reserve.ts). */
  readonly reserveUnits?: number;
}

export const DEFAULT_LIMITS: IntakeLimits = {
  violationsPerSource: 100,
  unknownFieldNames: 1000,
  maxDepth: 64,
};

/**
 * What else an intake does with records, chosen by flags; plain data, so that a worker thread can be
 * given the same.
 */
export interface IntakeExtras {
  /** `--since`/`--until`: valid records outside the window, or without a timestamp, are left out. */
  readonly window?: TimeWindow | null;
  /** `--preset`/`--map`: each parsed line is mapped to an M1 record before validation. */
  readonly mapping?: MappingOptions | null;
  /** `explain`: the valid records of this request id are kept, with where they were read. */
  readonly watch?: string | null;
}

/** A valid record of the watched request, where it was read. */
export interface WatchedRecord {
  readonly source: string;
  readonly line: number;
  readonly record: M1Record;
}

/** A source, by its place among the sources read (its name may be given twice) and its name. */
export interface SourceId {
  readonly index: number;
  readonly name: string;
}

/** A line that only the zod schema can decide, handed by a worker to the main thread (see `handOff`). */
export interface UndecidedLine {
  readonly source: SourceId;
  /** Its line number in its source. */
  readonly line: number;
  readonly text: string;
}

/** Told every invalid line (on the main thread only: see read-logs.ts), for `--rejects`. */
export type RejectListener = (violation: Violation, raw: Uint8Array | null) => void;

/** An intake as plain data (see `Intake.snapshot`). */
export interface IntakeSnapshot {
  readonly lines: number;
  readonly valid: number;
  readonly invalid: number;
  readonly blank: number;
  readonly unknownFieldsBeyondLimit: number;
  readonly outsideWindow: number;
  readonly noTimestamp: number;
  readonly handedOff: number;
  readonly watched: readonly WatchedRecord[];
  readonly violations: readonly Violation[];
  readonly violationsByKind: readonly (readonly [string, number])[];
  readonly unknownFields: readonly (readonly [string, number])[];
  readonly units: UnitsSnapshot;
}

/** What was read, line by line: the counts of SPEC.md section 1 and section 5's input summary. */
export class InputTally {
  lines = 0;
  valid = 0;
  invalid = 0;
  blank = 0;
  /** The first violations of each source, in line order. */
  readonly violations: Violation[] = [];
  readonly violationsByKind = new Map<string, number>();
  /** Occurrences of unknown field names past the tracking bounds (TRACKED_NAMES, MAX_NAME_BYTES). */
  unknownFieldsBeyondLimit = 0;
  /** Valid records left out by the time window: outside it, or without a timestamp. */
  outsideWindow = 0;
  noTimestamp = 0;
  /** Lines handed to another intake to read (see `Intake.handOff`), which counts them, not this one. */
  handedOff = 0;
  /** The watched request's records, in input order (see IntakeExtras.watch). */
  readonly watched: WatchedRecord[] = [];
}

/**
 * Turns the lines of sources into counts and merged units. Each line first tries the fast path
 * (scan-record.ts: fields read from the bytes); whatever it does not accept is decoded, parsed with
 * JSON.parse and checked by the schema, which accepts it or words the violation. Pure: it touches no
 * file and no stream, so the same code runs in tests, in the CLI and in worker threads.
 */
export class Intake {
  readonly tally = new InputTally();
  /** The units merged on this thread (replaced by an empty table by `handOverUnits`). */
  units: UnitTable;
  private readonly unknownNames = new Vocabulary();
  /** Per unknown-name id: its count, or -1 for a name on the allowlist. */
  private readonly unknownCounts: number[] = [];
  private readonly scanned = new ScannedRecord();
  /** Valid records of units another thread owns (see `owner`), to be handed to it. */
  readonly foreign: M1Record[] = [];

  private readonly mapper: Mapper | null;
  private readonly window: TimeWindow | null;
  private readonly watch: Buffer | null;
  /** Told every invalid line, with its bytes where they were kept. */
  onReject: RejectListener | null = null;
  /**
   * Offered each M1 line that only the zod schema can decide (`needsSchema`); one it takes (returns
   * true) is not counted here: another intake reads it (`readUndecided`). A worker thread hands such
   * lines to the main thread, so that a log with a few of them never loads zod in the worker.
   */
  handOff: ((line: UndecidedLine) => boolean) | null = null;
  /**
   * Violations kept in the tally, by source and by the thread whose lines they are (`readUndecided`).
   * A source's lines reach an intake in line order (its blocks in turn, on every thread; a thread's
   * handed-off lines in turn), so the first kept of each are its first violations there, and the first
   * `violationsPerSource` of the whole source are among those kept by all of them together.
   */
  private readonly violationsKept = new Map<string, number>();

  /**
   * @param owner for one of several threads reading: the share of units it owns (see `ownerOfHash`); a
   *   valid record of another share is kept aside in `foreign`. Without it, every unit.
   */
  constructor(
    private readonly policy: FieldPolicy,
    private readonly limits: IntakeLimits = DEFAULT_LIMITS,
    private owner?: UnitOwner,
    extras: IntakeExtras = {},
    private readonly table: TableSetup = { scratch: null },
  ) {
    this.units = new UnitTable(table.scratch, table.reserveUnits);
    this.mapper = extras.mapping ? createMapper(extras.mapping) : null;
    this.window = extras.window ?? null;
    this.watch =
      extras.watch === undefined || extras.watch === null ? null : Buffer.from(extras.watch, "utf8");
  }

  /**
   * Becomes the owner of one share of the units, as threads start to read beside this one: hands over
   * the units merged so far (to be absorbed by their owners), keeping the counts and, of those units,
   * only its own share. Null when there were none.
   */
  handOverUnits(owner: UnitOwner): UnitsSnapshot | null {
    if (this.owner !== undefined) throw new Error("Intake: units handed over twice");
    this.owner = owner;
    if (this.units.size === 0) return null;
    // Copied to each thread: only the units, not the room reserved past them.
    const snapshot = this.units.compactSnapshot();
    this.units.close();
    this.units = new UnitTable(this.table.scratch, this.table.reserveUnits);
    this.units.absorb(snapshot, (bytes, start, end) => this.owns(bytes, start, end));
    return snapshot;
  }

  /** Merges records that another thread read but this one owns. */
  adopt(records: readonly M1Record[]): void {
    for (const record of records) this.units.addRecord(record);
  }

  /**
   * What a report lists: the `limits.unknownFieldNames` most frequent unknown names (ties by name, so
   * the choice does not depend on the order of lines), and how many occurrences are not listed.
   */
  listedUnknownFields(): { listed: Map<string, number>; notListed: number } {
    const all = [...this.unknownFields()].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    );
    const listed = new Map(all.slice(0, this.limits.unknownFieldNames));
    let notListed = this.tally.unknownFieldsBeyondLimit;
    for (const [, count] of all.slice(this.limits.unknownFieldNames)) notListed += count;
    return { listed, notListed };
  }

  /** Unknown field name → number of valid records that carry it (every tracked name). */
  unknownFields(): Map<string, number> {
    const fields = new Map<string, number>();
    this.unknownCounts.forEach((count, id) => {
      if (count > 0) fields.set(this.unknownNames.text(id), count);
    });
    return fields;
  }

  /** The tally and units as plain data, for the intake of another thread. */
  snapshot(): IntakeSnapshot {
    const t = this.tally;
    return {
      lines: t.lines,
      valid: t.valid,
      invalid: t.invalid,
      blank: t.blank,
      unknownFieldsBeyondLimit: t.unknownFieldsBeyondLimit,
      outsideWindow: t.outsideWindow,
      noTimestamp: t.noTimestamp,
      handedOff: t.handedOff,
      watched: t.watched,
      violations: t.violations,
      violationsByKind: [...t.violationsByKind],
      unknownFields: [...this.unknownFields()],
      units: this.units.snapshot(false),
    };
  }

  /** Adds another intake's counts (not its units: see UnitSet) to this one's. */
  absorbTally(other: IntakeSnapshot): void {
    const t = this.tally;
    t.lines += other.lines;
    t.valid += other.valid;
    t.invalid += other.invalid;
    t.blank += other.blank;
    t.unknownFieldsBeyondLimit += other.unknownFieldsBeyondLimit;
    t.outsideWindow += other.outsideWindow;
    t.noTimestamp += other.noTimestamp;
    t.handedOff += other.handedOff;
    t.watched.push(...other.watched);
    t.violations.push(...other.violations);
    for (const [kind, n] of other.violationsByKind)
      t.violationsByKind.set(kind, (t.violationsByKind.get(kind) ?? 0) + n);
    for (const [name, n] of other.unknownFields) this.countNameTimes(name, n);
  }

  /**
   * A LineSink for one source, or for a part of it that starts after `lineOffset` lines; its lines are
   * added to this intake's tally and units.
   */
  sinkFor(of: SourceId, lineOffset = 0, from = 0): LineSink {
    const source = of.name;
    const tally = this.tally;
    const keptAs = `${of.index}/${from}`;
    const reject = (line: number, kind: string, reason: string, raw: Uint8Array | null): void => {
      tally.invalid++;
      tally.violationsByKind.set(kind, (tally.violationsByKind.get(kind) ?? 0) + 1);
      const violation = { source, line: lineOffset + line, kind, reason };
      // Counted by source, not by sink: a file read in blocks has a sink per block, and keeping each
      // block's first violations would make memory grow with the invalid lines.
      const kept = this.violationsKept.get(keptAs) ?? 0;
      if (kept < this.limits.violationsPerSource) {
        this.violationsKept.set(keptAs, kept + 1);
        tally.violations.push(violation);
      }
      this.onReject?.(violation, raw);
    };
    /**
     * A line read as a valid record: counted, and merged if it is in the window (`start`: where the
     * line starts in `bytes`).
     */
    const accept = (bytes: Buffer, scanned: ScannedRecord, line: number, start: number): void => {
      tally.lines++;
      tally.valid++;
      this.countUnknown(scanned);
      const idStart = scanned.requestId[0] as number;
      const idEnd = scanned.requestId[1] as number;
      if (this.watch !== null && this.watch.equals(bytes.subarray(idStart, idEnd))) {
        tally.watched.push({ source, line: lineOffset + line, record: toRecord(scanned) });
      }
      if (!this.inWindow(scanned.timeMs)) return;
      // A line of this thread's own that starts `{"request_id":"` was given to it by the owner of these
      // very bytes (line-owner.ts reads them first); only another (or one handed over) is checked.
      const owner = this.owner;
      if (
        owner === undefined ||
        (from === 0 && idStart === start + ID_FIRST) ||
        ownerOf(bytes, idStart, idEnd, owner.owners) === owner.index
      )
        this.units.add(scanned);
      else this.foreign.push(toRecord(scanned));
    };
    // The line `lineAt` last gave back (its start in its buffer), for `line` to read without the shape.
    let triedAt = -1;
    let triedIn: Buffer | null = null;
    return {
      reject: (line, kind, reason, raw) => {
        triedAt = -1;
        tally.lines++;
        reject(line, kind, reason, raw ?? null);
      },
      lineAt: (bytes, start, limit, line) => {
        const scanned = this.scanned;
        // A preset's lines are mapped from another format: none is an M1 record as it stands.
        if (this.mapper !== null) return -1;
        const end = scanShapedLine(bytes, start, limit, scanned);
        if (end < 0 || !this.unknownAllowed(scanned)) {
          // `line` comes next for this line: the shape need not be tried on it again.
          triedAt = start;
          triedIn = bytes;
          return -1;
        }
        accept(bytes, scanned, line, start);
        return end;
      },
      readyScanner: (scanner) => {
        if (this.mapper !== null || this.policy.strict) return false;
        useShapeOf(scanner, this.scanned);
        return true;
      },
      scanned: (scanner, record, bytes, start, line) => {
        const scanned = this.scanned;
        takeRecord(scanner, record, bytes, scanned);
        accept(bytes, scanned, line, start);
      },
      line: (bytes, start, end, line) => {
        const scanned = this.scanned;
        const shapeTried = start === triedAt && bytes === triedIn;
        triedAt = -1;
        if (
          this.mapper === null &&
          scanRecord(bytes, start, end, scanned, shapeTried) &&
          this.unknownAllowed(scanned)
        ) {
          accept(bytes, scanned, line, start);
          return;
        }
        tally.lines++;
        const text = bytes.toString("utf8", start, end);
        if (text.trim().length === 0) {
          tally.blank++;
          return;
        }
        const depth = nestingDepth(text, this.limits.maxDepth);
        if (depth > this.limits.maxDepth) {
          const reason = `nested deeper than ${this.limits.maxDepth} levels (the limit; --max-depth)`;
          reject(line, "nested too deep", reason, bytes.subarray(start, end));
          return;
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          reject(
            line,
            "not valid JSON",
            `not valid JSON: ${(error as Error).message}`,
            bytes.subarray(start, end),
          );
          return;
        }
        if (
          this.handOff !== null &&
          this.mapper === null &&
          needsSchema(value) &&
          this.handOff({ source: of, line: lineOffset + line, text })
        ) {
          // Another intake reads and counts it.
          tally.lines--;
          tally.handedOff++;
          return;
        }
        const result =
          this.mapper === null
            ? validateRecord(value, this.policy)
            : validateMapped(value, this.mapper, this.policy);
        if (!result.ok) {
          reject(line, result.kind, result.reason, bytes.subarray(start, end));
          return;
        }
        tally.valid++;
        for (const name of result.unknownFields) this.countName(name);
        const record = result.record;
        if (this.watch !== null && record.request_id === this.watch.toString("utf8")) {
          tally.watched.push({ source, line: lineOffset + line, record });
        }
        if (!this.inWindow(record.timeMs ?? Number.NaN)) return;
        const id = Buffer.from(record.request_id, "utf8");
        if (this.owns(id, 0, id.length)) this.units.addRecord(record);
        else this.foreign.push(record);
      },
    };
  }

  /**
   * Reads lines that another thread's intake handed off (`handOff`), as if they were read here; `from`
   * tells that thread's lines apart, whose violations are kept in their own line order. A valid record
   * of a unit this intake does not own goes to `foreign`, as any other.
   */
  readUndecided(lines: readonly UndecidedLine[], from: number): void {
    for (const { source, line, text } of lines) {
      const bytes = Buffer.from(text, "utf8");
      this.sinkFor(source, 0, from).line(bytes, 0, bytes.length, line);
    }
  }

  /** True when a record's time (NaN: none) lets it into attribution; counts it when it does not. */
  private inWindow(timeMs: number): boolean {
    if (this.window === null) return true;
    if (Number.isNaN(timeMs)) {
      this.tally.noTimestamp++;
      return false;
    }
    if (isInWindow(timeMs, this.window)) return true;
    this.tally.outsideWindow++;
    return false;
  }

  private owns(bytes: Uint8Array, start: number, end: number): boolean {
    return this.owner === undefined || ownerOf(bytes, start, end, this.owner.owners) === this.owner.index;
  }

  /** In strict mode, a scanned record with an unknown field not on the allowlist takes the general path. */
  private unknownAllowed(scanned: ScannedRecord): boolean {
    if (!this.policy.strict) return true;
    for (let k = 0; k < scanned.unknownCount; k++) {
      const name = this.unknownName(
        scanned.bytes,
        scanned.unknown[2 * k] as number,
        scanned.unknown[2 * k + 1] as number,
      );
      if (!this.policy.allowed.has(name)) return false;
    }
    return true;
  }

  private countUnknown(scanned: ScannedRecord): void {
    for (let k = 0; k < scanned.unknownCount; k++) {
      this.countNameBytes(
        scanned.bytes,
        scanned.unknown[2 * k] as number,
        scanned.unknown[2 * k + 1] as number,
      );
    }
  }

  /** The name of an unknown key (decoded once per distinct name while it is tracked). */
  private unknownName(bytes: Uint8Array, start: number, end: number): string {
    const id = this.unknownNames.find(bytes, start, end);
    return id >= 0
      ? this.unknownNames.text(id)
      : Buffer.from(bytes.buffer, bytes.byteOffset).toString("utf8", start, end);
  }

  /**
   * Counts one occurrence of an unknown field name, exactly, while the names tracked stay within bounds
   * (TRACKED_NAMES distinct names, each at most MAX_NAME_BYTES long); an occurrence past them is counted
   * as not listed. Allowed names are neither counted nor limited.
   */
  private countNameBytes(bytes: Uint8Array, start: number, end: number): void {
    let id = this.unknownNames.find(bytes, start, end);
    if (id < 0) {
      if (end - start > MAX_NAME_BYTES || this.unknownNames.size >= TRACKED_NAMES) {
        if (!this.policy.allowed.has(this.unknownName(bytes, start, end)))
          this.tally.unknownFieldsBeyondLimit++;
        return;
      }
      id = this.unknownNames.idOf(bytes, start, end);
      this.unknownCounts[id] = this.policy.allowed.has(this.unknownNames.text(id)) ? -1 : 0;
    }
    const count = this.unknownCounts[id] as number;
    if (count >= 0) this.unknownCounts[id] = count + 1;
  }

  private countName(name: string): void {
    const bytes = Buffer.from(name, "utf8");
    this.countNameBytes(bytes, 0, bytes.length);
  }

  /** Adds `n` occurrences counted by another thread. */
  private countNameTimes(name: string, n: number): void {
    const bytes = Buffer.from(name, "utf8");
    const before = this.tally.unknownFieldsBeyondLimit;
    this.countNameBytes(bytes, 0, bytes.length);
    if (this.tally.unknownFieldsBeyondLimit > before) {
      this.tally.unknownFieldsBeyondLimit += n - 1;
      return;
    }
    const id = this.unknownNames.find(bytes, 0, bytes.length);
    const count = this.unknownCounts[id] as number;
    if (count > 0) this.unknownCounts[id] = count + n - 1;
  }
}

/**
 * Unknown field names counted exactly by name: at most this many distinct ones (memory stays bounded
 * whatever the input holds), each at most MAX_NAME_BYTES long. Reports list the most frequent of them
 * (IntakeLimits.unknownFieldNames); the rest, and names past these bounds, are counted as not listed.
 */
export const TRACKED_NAMES = 100_000;
export const MAX_NAME_BYTES = 256;

/**
 * How deep arrays and objects nest in a line, counting brackets outside strings, stopping as soon as it
 * passes `limit`: a million `[` would otherwise make JSON.parse build a million arrays.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * Which thread owns each of OWNER_BUCKETS buckets of request-id hashes: threads read in parallel, and
 * each merges only the units it owns. The main thread, index 0, also reads the input and finds each
 * line's owner for the others, so it owns a smaller share (`ownersFor`).
 */
export type Owners = Uint8Array;

export const OWNER_BUCKETS = 256;

/** Where the request id starts in a line that starts `{"request_id":"` (see `sinkFor`'s accept). */
const ID_FIRST = 1 + ID_KEY.length;

/**
 * The main thread's extra work (reading, finding lines and their owners), as a share of a thread's
 * work: what it owns less than the other threads so that all finish together. Measured on the 10M-line
 * file with two threads (3 runs each): 0 (an even split) 6.76–6.95 s, 0.09 6.12–6.71 s, 0.14
 * 6.13–6.33 s, 0.18 6.18–6.40 s, 0.22 6.10–6.68 s, 0.30 6.43–6.72 s.
 */
const MAIN_THREAD_EXTRA = 0.15;

/** How many threads `owners` gives any units (they share the in-memory fingerprint budget). */
export function owningThreads(owners: Owners): number {
  return new Set(owners).size;
}

/** The share of the units that `owners` gives thread `index`. */
export function shareOf(owners: Owners, index: number): number {
  return owners.filter((owner) => owner === index).length / OWNER_BUCKETS;
}

/**
 * The owners of `threads` threads reading together, thread 0 the main one: the main thread's share is
 * (1 - MAIN_THREAD_EXTRA × (threads - 1)) / threads (0.425 of two, 0.23 of three, none from eight on),
 * the rest dealt in turn to the others. `mainShare` overrides it (tests: an even split is 1 / threads).
 */
export function ownersFor(threads: number, mainShare?: number): Owners {
  if (!(threads >= 1 && threads <= OWNER_BUCKETS)) throw new Error(`ownersFor: ${threads} threads`);
  const share = mainShare ?? Math.max(0, (1 - MAIN_THREAD_EXTRA * (threads - 1)) / threads);
  const owners = new Uint8Array(OWNER_BUCKETS);
  const mine = threads === 1 ? OWNER_BUCKETS : Math.round(OWNER_BUCKETS * share);
  for (let bucket = mine; bucket < OWNER_BUCKETS; bucket++)
    owners[bucket] = 1 + ((bucket - mine) % (threads - 1));
  return owners;
}

/** Which thread owns the units of a request id (its UTF-8 bytes). */
export function ownerOf(bytes: Uint8Array, start: number, end: number, owners: Owners): number {
  return ownerOfKey(ownerKey(bytes, start, end), owners);
}

/**
 * `ownerOf` given the request id's `ownerKey` (owner-key.ts): its bucket is the top bits of the key
 * times an odd constant, which depend on all of its bits. (When owners came from the table's hash
 * modulo two, each of two workers had the keys of one low bit, where probes start in its table, so
 * half its slots started none: 10M lines, two workers: 6.15–6.46 s against 5.92–6.22 s after.)
 */
export function ownerOfKey(key: number, owners: Owners): number {
  return owners[Math.imul(key, 0x9e3779b1) >>> 24] as number;
}

/** The share of units a thread owns: those of the buckets `owners` gives to `index`. */
export interface UnitOwner {
  readonly index: number;
  readonly owners: Owners;
}

/** A scanned record as an M1Record (decoding its strings), to send to another thread. */
function toRecord(r: ScannedRecord): M1Record {
  const text = (range: number[]): string =>
    Buffer.from(r.bytes.buffer, r.bytes.byteOffset).toString("utf8", range[0], range[1]);
  return {
    request_id: text(r.requestId),
    function: text(r.fn),
    stage: text(r.stage),
    status: r.status,
    latency_ms: r.latencyMs,
    error_code: r.errorCode[0] === -1 ? null : text(r.errorCode),
    upstream_status: upstreamFromSeverity(r.upstream),
    upstream_latency_ms: Number.isNaN(r.upstreamLatencyMs) ? null : r.upstreamLatencyMs,
    timeMs: Number.isNaN(r.timeMs) ? null : r.timeMs,
  };
}
