import type { LineSink } from "../input/line-splitter.js";
import { UnitTable } from "./unit-table.js";
import { validateRecord, type FieldPolicy } from "./validate-record.js";

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
  readonly unknownFields = new Map<string, number>();
  /** Occurrences of unknown field names past the `unknownFieldNames` limit. */
  unknownFieldsBeyondLimit = 0;
}

/**
 * Turns the lines of one source into counts and merged units: JSON.parse, validate, merge. Pure: it
 * touches no file and no stream, so the same code runs in tests, in the CLI and in worker threads.
 */
export class Intake {
  readonly tally = new InputTally();
  readonly units = new UnitTable();

  constructor(
    private readonly policy: FieldPolicy,
    private readonly limits: IntakeLimits = DEFAULT_LIMITS,
  ) {}

  /** A LineSink for one source; its lines are added to this intake's tally and units. */
  sinkFor(source: string): LineSink {
    let kept = 0;
    const reject = (line: number, kind: string, reason: string): void => {
      this.tally.invalid++;
      this.tally.violationsByKind.set(kind, (this.tally.violationsByKind.get(kind) ?? 0) + 1);
      if (kept < this.limits.violationsPerSource) {
        kept++;
        this.tally.violations.push({ source, line, kind, reason });
      }
    };
    return {
      reject: (line, kind, reason) => {
        this.tally.lines++;
        reject(line, kind, reason);
      },
      line: (text, line) => {
        this.tally.lines++;
        if (isBlank(text)) {
          this.tally.blank++;
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
        this.tally.valid++;
        this.units.add(result.record);
        for (const name of result.unknownFields) this.countUnknown(name);
      },
    };
  }

  private countUnknown(name: string): void {
    const fields = this.tally.unknownFields;
    const count = fields.get(name);
    if (count !== undefined) fields.set(name, count + 1);
    else if (fields.size < this.limits.unknownFieldNames) fields.set(name, 1);
    else this.tally.unknownFieldsBeyondLimit++;
  }
}

/** A line holding only whitespace (SPEC.md section 1): counted, never a violation. */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const first = text.charCodeAt(0);
  // Fast exit for the common case: a record starts with `{`.
  if (first === 0x7b) return false;
  return text.trim().length === 0;
}
