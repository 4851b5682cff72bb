import type { LineSink } from "../input/line-splitter.js";
import { ScannedRecord, scanRecord } from "./scan-record.js";
import { UnitTable } from "./unit-table.js";
import { validateRecord, type FieldPolicy } from "./validate-record.js";
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
  /** Distinct unknown field names counted by name; further names are counted together. */
  readonly unknownFieldNames: number;
}

export const DEFAULT_LIMITS: IntakeLimits = { violationsPerSource: 100, unknownFieldNames: 1000 };

/** What was read, line by line: the counts of SPEC.md section 1 and section 5's input summary. */
export class InputTally {
  lines = 0;
  valid = 0;
  invalid = 0;
  blank = 0;
  /** The first violations of each source, in line order. */
  readonly violations: Violation[] = [];
  readonly violationsByKind = new Map<string, number>();
  /** Occurrences of unknown field names past the `unknownFieldNames` limit. */
  unknownFieldsBeyondLimit = 0;
}

/**
 * Turns the lines of sources into counts and merged units. Each line first tries the fast path
 * (scan-record.ts: fields read from the bytes); whatever it does not accept is decoded, parsed with
 * JSON.parse and checked by the schema, which accepts it or words the violation. Pure: it touches no
 * file and no stream, so the same code runs in tests, in the CLI and in worker threads.
 */
export class Intake {
  readonly tally = new InputTally();
  readonly units = new UnitTable();
  private readonly unknownNames = new Vocabulary();
  /** Per unknown-name id: its count, or -1 for a name on the allowlist. */
  private readonly unknownCounts: number[] = [];
  private readonly scanned = new ScannedRecord();

  constructor(
    private readonly policy: FieldPolicy,
    private readonly limits: IntakeLimits = DEFAULT_LIMITS,
  ) {}

  /** Unknown field name → number of valid records that carry it. */
  unknownFields(): Map<string, number> {
    const fields = new Map<string, number>();
    this.unknownCounts.forEach((count, id) => {
      if (count > 0) fields.set(this.unknownNames.text(id), count);
    });
    return fields;
  }

  /** A LineSink for one source; its lines are added to this intake's tally and units. */
  sinkFor(source: string): LineSink {
    let kept = 0;
    const tally = this.tally;
    const reject = (line: number, kind: string, reason: string): void => {
      tally.invalid++;
      tally.violationsByKind.set(kind, (tally.violationsByKind.get(kind) ?? 0) + 1);
      if (kept < this.limits.violationsPerSource) {
        kept++;
        tally.violations.push({ source, line, kind, reason });
      }
    };
    return {
      reject: (line, kind, reason) => {
        tally.lines++;
        reject(line, kind, reason);
      },
      line: (bytes, start, end, line) => {
        tally.lines++;
        const scanned = this.scanned;
        if (scanRecord(bytes, start, end, scanned) && this.unknownAllowed(scanned)) {
          tally.valid++;
          this.units.add(scanned);
          this.countUnknown(scanned);
          return;
        }
        const text = bytes.toString("utf8", start, end);
        if (text.trim().length === 0) {
          tally.blank++;
          return;
        }
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          reject(line, "not valid JSON", `not valid JSON: ${(error as Error).message}`);
          return;
        }
        const result = validateRecord(value, this.policy);
        if (!result.ok) {
          reject(line, result.kind, result.reason);
          return;
        }
        tally.valid++;
        this.units.addRecord(result.record);
        for (const name of result.unknownFields) this.countName(this.unknownNames.idOfText(name));
      },
    };
  }

  /** In strict mode, a scanned record with an unknown field not on the allowlist takes the general path. */
  private unknownAllowed(scanned: ScannedRecord): boolean {
    if (!this.policy.strict) return true;
    for (let k = 0; k < scanned.unknownCount; k++) {
      if (this.unknownCount(scanned, k) !== -1) return false;
    }
    return true;
  }

  private countUnknown(scanned: ScannedRecord): void {
    for (let k = 0; k < scanned.unknownCount; k++) {
      const id = this.unknownId(scanned, k);
      if (id < 0) this.tally.unknownFieldsBeyondLimit++;
      else this.countName(id);
    }
  }

  private unknownCount(scanned: ScannedRecord, k: number): number {
    const id = this.unknownId(scanned, k);
    return id < 0 ? 0 : (this.unknownCounts[id] as number);
  }

  /** The id of the k-th unknown key of a scanned record, or -1 past the limit of distinct names. */
  private unknownId(scanned: ScannedRecord, k: number): number {
    const start = scanned.unknown[2 * k] as number;
    const end = scanned.unknown[2 * k + 1] as number;
    const bytes = scanned.bytes;
    const known = this.unknownNames.find(bytes, start, end);
    if (known >= 0) return known;
    if (this.unknownNames.size >= this.limits.unknownFieldNames) return -1;
    return this.register(this.unknownNames.idOf(bytes, start, end));
  }

  private register(id: number): number {
    if (this.unknownCounts[id] === undefined) {
      this.unknownCounts[id] = this.policy.allowed.has(this.unknownNames.text(id)) ? -1 : 0;
    }
    return id;
  }

  private countName(id: number): void {
    this.register(id);
    const count = this.unknownCounts[id] as number;
    if (count >= 0) this.unknownCounts[id] = count + 1;
  }
}
