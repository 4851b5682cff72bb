import type { Readable } from "node:stream";
import { InputError } from "./input-error.js";
import { LineSplitter } from "./input/line-splitter.js";
import { readSource, sourceName, type SourceSpec } from "./input/read-source.js";
import { Intake, type IntakeLimits } from "./m1/intake.js";
import type { FieldPolicy } from "./m1/validate-record.js";

/** How one source was read. */
export interface SourceResult {
  readonly source: string;
  readonly lines: number;
  readonly bytes: number;
  /** Why reading stopped early, or null when the source was read to its end. */
  readonly error: string | null;
}

export interface ReadOptions {
  readonly policy: FieldPolicy;
  readonly maxLineBytes: number;
  readonly limits?: IntakeLimits;
  /** Stops reading between chunks when aborted (Ctrl-C): what was read is still reported. */
  readonly signal?: AbortSignal;
}

export interface ReadResult {
  readonly intake: Intake;
  readonly sources: SourceResult[];
  /** False when a source failed or the run was interrupted: the report covers only part of the input. */
  readonly complete: boolean;
}

/**
 * Reads every source in turn into one intake. A source that fails is recorded with its reason and the
 * lines it gave before failing; the others are still read.
 */
export async function readLogs(
  specs: readonly SourceSpec[],
  stdin: Readable,
  options: ReadOptions,
): Promise<ReadResult> {
  const intake = new Intake(options.policy, options.limits);
  const sources: SourceResult[] = [];
  let complete = true;
  for (const spec of specs) {
    const name = sourceName(spec);
    const splitter = new LineSplitter(intake.sinkFor(name), options.maxLineBytes);
    let bytes = 0;
    let error: string | null = null;
    try {
      for await (const chunk of readSource(spec, stdin)) {
        bytes += chunk.length;
        splitter.push(chunk);
        if (options.signal?.aborted === true) {
          error = "interrupted";
          break;
        }
      }
    } catch (failure) {
      if (!(failure instanceof InputError)) throw failure;
      error = failure.message;
    }
    if (options.signal?.aborted === true) error = "interrupted";
    // A final line without a newline counts even when the source failed after it.
    splitter.end();
    if (error !== null) complete = false;
    sources.push({ source: name, lines: splitter.lines, bytes, error });
    if (options.signal?.aborted === true) break;
  }
  return { intake, sources, complete };
}
