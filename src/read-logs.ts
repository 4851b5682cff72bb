import { availableParallelism } from "node:os";
import type { Readable } from "node:stream";
import { InputError } from "./input-error.js";
import { BlockCutter, type Block } from "./input/block-cutter.js";
import { OVERLONG_KIND, overlongReason } from "./input/line-splitter.js";
import {
  expectedBytes,
  isPlainFile,
  readSource,
  sourceName,
  type ReadTarget,
  type SourceSpec,
} from "./input/read-source.js";
import { FrozenUnits } from "./m1/frozen-units.js";
import {
  DEFAULT_LIMITS,
  Intake,
  ownersFor,
  owningThreads,
  shareOf,
  type IntakeExtras,
  type IntakeLimits,
  type RejectListener,
} from "./m1/intake.js";
import { UnitSet } from "./m1/unit-set.js";
import type { UnitsReader } from "./m1/units-reader.js";
import type { FieldPolicy } from "./m1/validate-record.js";
import { readBlock } from "./parallel/read-block.js";
import { WorkerPool } from "./parallel/worker-pool.js";
import { unitsAtMost } from "./storage/reserve.js";
import { scratchFiles, scratchFilesShared } from "./storage/scratch-file.js";

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
  /** Threads that read; 1 reads on this thread only. Default: the number of cores. */
  readonly jobs?: number;
  /** Stops reading between chunks when aborted (Ctrl-C): what was read is still reported. */
  readonly signal?: AbortSignal;
  /** Input read before worker threads start (default PARALLEL_AFTER_BYTES; tests set it low). */
  readonly parallelAfterBytes?: number;
  /** Time window, mapping, watched request: see IntakeExtras. */
  readonly extras?: IntakeExtras;
  /**
   * Told every invalid line with its bytes (`--rejects`). Reading then stays on this thread, so that
   * the listener hears the lines in input order.
   */
  readonly onReject?: RejectListener;
  /** Told after each chunk how far reading has got (progress line, live view). */
  readonly onProgress?: (progress: ReadProgress) => void;
}

/** How far reading has got; `intake` holds everything read on this thread so far. */
export interface ReadProgress {
  /** Bytes read as stored (compressed, for gzip), so that over the files' sizes they give the share done. */
  readonly bytes: number;
  readonly lines: number;
  readonly source: string;
  readonly intake: Intake;
}

export interface ReadResult {
  /** The counts of SPEC.md section 1 (and the units, when read on this thread alone). */
  readonly intake: Intake;
  /** Every merged unit, whichever thread read it. */
  readonly units: UnitsReader;
  readonly sources: SourceResult[];
  /** False when a source failed or the run was interrupted: the report covers only part of the input. */
  readonly complete: boolean;
  /**
   * Threads that read: 1, this one alone, or this one and workers (see parallel/); this one owns no
   * units when a source is not a plain file (gzip, stdin).
   */
  readonly threads: number;
}

/**
 * Worker threads start only once this much input has been read: below it, starting them costs more
 * than they save (and a one-line input must report at once).
 */
export const PARALLEL_AFTER_BYTES = parallelAfterFromEnv() ?? 16 * 1024 * 1024;

/**
 * `ATTRIBUTE_PARALLEL_AFTER_BYTES` moves the threshold, so that the whole test suite and the
 * conformance corpus can be run with worker threads on small inputs (`npm run test:parallel`).
 */
function parallelAfterFromEnv(): number | null {
  const value = process.env.ATTRIBUTE_PARALLEL_AFTER_BYTES;
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** The default for `--jobs`: one reading thread per core. */
export function defaultJobs(): number {
  return availableParallelism();
}

/**
 * The most threads that read together, whatever `--jobs` or the number of cores says: each is an
 * isolate of ~20 MB, and owners are told apart in bytes (intake.ts `ownersFor`, line-owner.ts).
 */
export const MOST_THREADS = 64;

/** Threads that read for `--jobs` = `jobs`: at most MOST_THREADS. */
export function readingThreads(jobs: number): number {
  return Math.min(jobs, MOST_THREADS);
}

/**
 * Reads every source in turn. Each source is cut into blocks of whole lines, read on this thread; with
 * `jobs` > 1, from the start for files known to hold PARALLEL_AFTER_BYTES or more, or once stdin has
 * given that much, the blocks go instead to threads that read together (this one and workers), each
 * owning the units whose request id hashes to it (see parallel/), and what this thread had read alone is
 * handed over to their owners. The result does not depend on which thread read what. A source that fails
 * is recorded with its reason and the lines it gave before failing; the others are still read.
 */
export async function readLogs(
  specs: readonly SourceSpec[],
  stdin: Readable,
  options: ReadOptions,
): Promise<ReadResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const jobs = options.onReject === undefined ? readingThreads(options.jobs ?? defaultJobs()) : 1;
  const parallelAfterBytes = options.parallelAfterBytes ?? PARALLEL_AFTER_BYTES;
  // Room for as many units as the input can hold (storage/reserve.ts), or for each thread's share.
  const expected = specs.reduce((sum, spec) => sum + expectedBytes(spec), 0);
  const mostUnits = unitsAtMost(expected);
  // Input known to be large from the start (files' sizes) is read in parallel from its first line: the
  // workers start while this thread reads, and nothing is handed over. Otherwise (stdin) they start once
  // PARALLEL_AFTER_BYTES have been read here.
  const parallelAt = expected >= parallelAfterBytes ? 0 : parallelAfterBytes;
  // The main thread reads its own share of the units only when every source is a plain file, read in
  // place: while it reads lines, it cannot feed gzip's inflater nor take a pipe's data (a .gz took twice
  // as long). Otherwise it only reads and indexes, for `jobs` workers.
  const mainReads = specs.every(isPlainFile);
  const threads = mainReads || jobs === 1 ? jobs : jobs + 1;
  const owners = ownersFor(threads, mainReads ? undefined : 0);
  // A share is about what `owners` gives; a quarter more allows for an uneven split.
  const roomFor = (index: number): number => Math.ceil(mostUnits * shareOf(owners, index) * 1.25);
  const fromStart = jobs > 1 && parallelAt === 0;
  const intake = new Intake(
    options.policy,
    limits,
    fromStart ? { index: 0, owners } : undefined,
    options.extras,
    {
      // Threads that own units share the in-memory fingerprint budget.
      scratch: jobs > 1 ? scratchFilesShared(owningThreads(owners)) : scratchFiles(),
      reserveUnits:
        jobs === 1 ? mostUnits : fromStart ? roomFor(0) : Math.min(mostUnits, unitsAtMost(parallelAt)),
    },
  );
  intake.onReject = options.onReject ?? null;
  let pool: WorkerPool | null = null;
  let bytesRead = 0;
  let storedBytesRead = 0;
  let linesRead = 0;
  /** Sources whose blocks went (also) to the workers, who then counted their lines. */
  const parallelSources = new Set<number>();

  /** Reads a block on this thread, or hands it to the workers; returns its lines when read here. */
  const read = async (index: number, name: string, block: Block, lineOffset: number): Promise<number> => {
    if (pool === null && jobs > 1 && bytesRead >= parallelAt) {
      pool = new WorkerPool(
        threads,
        owners,
        {
          policy: options.policy,
          limits,
          maxLineBytes: options.maxLineBytes,
          extras: options.extras ?? {},
          reserveUnits: roomFor(1),
        },
        intake,
        mainReads,
      );
      // What this thread read alone, if anything (not for input known to be large), goes to its owners.
      if (!fromStart) {
        const snapshot = intake.handOverUnits({ index: 0, owners });
        if (snapshot !== null) pool.handOver(snapshot);
      }
    }
    const active = pool as WorkerPool | null;
    if (active !== null) {
      const first = !parallelSources.has(index);
      parallelSources.add(index);
      await active.send(index, name, block, first ? lineOffset : undefined);
      return 0;
    }
    if (block.overlong !== undefined) {
      intake
        .sinkFor({ index, name }, lineOffset)
        .reject(1, OVERLONG_KIND, overlongReason(block.overlong, options.maxLineBytes));
      return 1;
    }
    return readBlock(
      intake,
      { source: { index, name }, lineOffset, first: lineOffset === 0, block },
      options.maxLineBytes,
    );
  };

  const sources: SourceResult[] = [];
  try {
    for (const [index, spec] of specs.entries()) {
      const name = sourceName(spec);
      const cutter = new BlockCutter(options.maxLineBytes);
      let bytes = 0;
      let lines = 0;
      let error: string | null = null;
      const stored = { bytes: 0 };
      // With workers, a file's pieces are read straight into their shared memory, and this thread reads
      // its lines of a block while the next piece is read.
      const target: ReadTarget = {
        place: async () =>
          (pool as WorkerPool | null)?.readTarget(
            index,
            name,
            cutter.carried,
            parallelSources.has(index) ? undefined : lines,
          ) ?? null,
        meanwhile: () => (pool as WorkerPool | null)?.walkNext(),
      };
      try {
        for await (const chunk of readSource(spec, stdin, stored, jobs === 1, target)) {
          bytes += chunk.length;
          bytesRead += chunk.length;
          for (const block of cutter.push(chunk)) {
            const n = await read(index, name, block, lines);
            lines += n;
            linesRead += n;
          }
          const progressBytes = storedBytesRead + stored.bytes;
          const progressLines = linesRead + ((pool as WorkerPool | null)?.linesRead ?? 0);
          options.onProgress?.({ bytes: progressBytes, lines: progressLines, source: name, intake });
          if (options.signal?.aborted === true) break;
        }
      } catch (failure) {
        if (!(failure instanceof InputError)) throw failure;
        error = failure.message;
      }
      storedBytesRead += stored.bytes;
      if (options.signal?.aborted === true) error = `interrupted while reading ${name}`;
      // A final line without a newline counts even when the source failed after it.
      const last = cutter.end();
      if (last !== null) lines += await read(index, name, last, lines);
      sources.push({ source: name, lines, bytes, error });
      if (options.signal?.aborted === true) break;
    }
    const active = pool as WorkerPool | null;
    if (active === null) {
      // Complete: the report only reads the units (and frees the table's hash slots for it).
      intake.units.seal();
      return {
        intake,
        units: intake.units,
        sources,
        complete: isComplete(sources, specs.length),
        threads: 1,
      };
    }
    const { states, linesBySource } = await active.finish();
    for (const state of states) intake.absorbTally(state);
    intake.units.seal();
    const units = new UnitSet([intake.units, ...states.map((state) => new FrozenUnits(state.units))]);
    // Every thread counted the lines of every source read in parallel, from where this one had got to.
    const counted = sources.map((s, index) => ({ ...s, lines: linesBySource.get(index) ?? s.lines }));
    return {
      intake,
      units,
      sources: counted,
      complete: isComplete(counted, specs.length),
      threads: active.threads,
    };
  } catch (error) {
    await (pool as WorkerPool | null)?.close();
    throw error;
  }
}

function isComplete(sources: readonly SourceResult[], count: number): boolean {
  return sources.length === count && sources.every((s) => s.error === null);
}
