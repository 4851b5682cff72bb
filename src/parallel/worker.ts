import { parentPort, workerData } from "node:worker_threads";
import { deliverLine, OVERLONG_KIND, overlongReason } from "../input/line-splitter.js";
import {
  Intake,
  ownerOf,
  type IntakeExtras,
  type IntakeLimits,
  type IntakeSnapshot,
  type UnitOwner,
} from "../m1/intake.js";
import type { M1Record } from "../m1/record.js";
import type { UnitsSnapshot } from "../m1/unit-table.js";
import type { FieldPolicy } from "../m1/validate-record.js";
import { quickOwner } from "./line-owner.js";
import { scratchFilesShared } from "../storage/scratch-file.js";

/** What a worker is started with. */
export interface WorkerSetup {
  readonly policy: FieldPolicy;
  readonly limits: IntakeLimits;
  readonly maxLineBytes: number;
  readonly owner: UnitOwner;
  readonly extras: IntakeExtras;
  /** Units this worker's table reserves room for (its share of what the input can hold). */
  readonly reserveUnits: number;
}

/**
 * A block of whole lines of one source, in shared memory that every worker reads (see worker-pool.ts).
 * `source` is the source's index in the run; `linesBefore`, given with a source's first block read in
 * parallel, is how many of its lines were read before (on the main thread).
 */
export interface SharedBlock {
  readonly slot: number;
  readonly source: number;
  readonly name: string;
  readonly memory: SharedArrayBuffer;
  readonly length: number;
  readonly linesBefore?: number;
  /** A line over the length limit, skipped as it arrived: one line, given by its length. */
  readonly overlong?: number;
  /** How many lines `ends` and `owners` index (see line-owner.ts indexLines), or -1: split it here. */
  readonly lines: number;
  readonly ends: SharedArrayBuffer;
  readonly owners: SharedArrayBuffer;
  /** The whole block is valid UTF-8. */
  readonly valid: boolean;
}

/** Messages to a worker, in the order the pool sends them. */
export type ToWorker =
  | { readonly type: "block"; readonly block: SharedBlock }
  | { readonly type: "units"; readonly snapshot: UnitsSnapshot }
  | { readonly type: "flush" }
  | { readonly type: "adopt"; readonly records: readonly M1Record[] }
  | { readonly type: "finish" };

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: "done"; readonly slot: number; readonly lines: number }
  | { readonly type: "foreign"; readonly records: readonly M1Record[] }
  | {
      readonly type: "state";
      readonly snapshot: IntakeSnapshot;
      /** Lines of each source read in parallel (every worker counts all of them), by source index. */
      readonly linesBySource: readonly (readonly [number, number])[];
    };

// The worker side of parallel reading. Every worker sees every block, counts every line (so each knows
// every line's number), and reads the lines whose unit it owns: those whose request id hashes to it, or,
// for a line whose request id cannot be read from the bytes, whose line number does.
const setup = workerData as WorkerSetup;
const me = setup.owner.index;
const count = setup.owner.count;
const intake = new Intake(setup.policy, setup.limits, setup.owner, setup.extras, {
  scratch: scratchFilesShared(count),
  reserveUnits: setup.reserveUnits,
});
const owns = (bytes: Uint8Array, start: number, end: number): boolean =>
  ownerOf(bytes, start, end, count) === me;
const linesBySource = new Map<number, number>();
let totalLines = 0;
const port = parentPort;

port?.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "block":
      readBlock(message.block);
      port.postMessage({ type: "done", slot: message.block.slot, lines: totalLines } satisfies FromWorker);
      break;
    case "units":
      intake.units.absorb(message.snapshot, owns);
      break;
    case "flush":
      port.postMessage({ type: "foreign", records: intake.foreign } satisfies FromWorker);
      intake.foreign.length = 0;
      break;
    case "adopt":
      intake.adopt(message.records);
      break;
    case "finish": {
      // The table's buffers are moved, not copied: the main thread gets them without doubling memory.
      const snapshot = intake.snapshot();
      port.postMessage(
        { type: "state", snapshot, linesBySource: [...linesBySource] } satisfies FromWorker,
        transferables(snapshot.units),
      );
      break;
    }
  }
});

/** The distinct ArrayBuffers behind a table snapshot (each listed once, as a transfer list must). */
function transferables(units: UnitsSnapshot): ArrayBuffer[] {
  const views = [units.rows, units.spilled, units.keys.arena, units.keys.starts];
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}

function readBlock(block: SharedBlock): void {
  let n = linesBySource.get(block.source) ?? block.linesBefore ?? 0;
  const sink = intake.sinkFor({ index: block.source, name: block.name });
  if (block.overlong !== undefined) {
    n++;
    if (n % count === me) sink.reject(n, OVERLONG_KIND, overlongReason(block.overlong, setup.maxLineBytes));
  } else if (block.lines >= 0) {
    // Indexed by the main thread: only this worker's lines are visited.
    const bytes = Buffer.from(block.memory, 0, block.length);
    const ends = new Int32Array(block.ends, 0, block.lines);
    const owners = new Uint8Array(block.owners, 0, block.lines);
    let start = 0;
    for (let k = 0; k < block.lines; k++) {
      const end = ends[k] as number;
      if (owners[k] === me)
        deliverLine(sink, bytes, start, end, n + k + 1, setup.maxLineBytes, block.valid, n + k === 0);
      start = end + 1;
    }
    n += block.lines;
  } else {
    const bytes = Buffer.from(block.memory, 0, block.length);
    const valid = block.valid;
    let start = 0;
    while (start < bytes.length) {
      let newline = bytes.indexOf(0x0a, start);
      if (newline < 0) newline = bytes.length;
      n++;
      const owner = quickOwner(bytes, start, newline, count) ?? n % count;
      if (owner === me) deliverLine(sink, bytes, start, newline, n, setup.maxLineBytes, valid, n === 1);
      start = newline + 1;
    }
  }
  totalLines += n - (linesBySource.get(block.source) ?? block.linesBefore ?? 0);
  linesBySource.set(block.source, n);
}
