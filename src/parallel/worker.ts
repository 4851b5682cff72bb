import { parentPort, workerData } from "node:worker_threads";
import {
  Intake,
  ownerOf,
  type IntakeExtras,
  type IntakeLimits,
  type IntakeSnapshot,
  type UndecidedLine,
  type UnitOwner,
} from "../m1/intake.js";
import type { M1Record } from "../m1/record.js";
import type { UnitsSnapshot } from "../m1/unit-table.js";
import type { FieldPolicy } from "../m1/validate-record.js";
import { attachScanner, useScanModule } from "../m1/wasm-scan.js";
import { scratchFilesShared } from "../storage/scratch-file.js";
import { BlockWalker, type SharedBlock } from "./walk-block.js";

/** What a worker is started with. */
export interface WorkerSetup {
  readonly policy: FieldPolicy;
  readonly limits: IntakeLimits;
  readonly maxLineBytes: number;
  readonly owner: UnitOwner;
  /** Threads that own units, this one among them: they share the in-memory fingerprint budget. */
  readonly sharing: number;
  readonly extras: IntakeExtras;
  /** Units this worker's table reserves room for (its share of what the input can hold). */
  readonly reserveUnits: number;
  /** Whether to hand the lines only zod can decide to the main thread (see `intake.handOff` below). */
  readonly handOff: boolean;
  /** Whether the main thread keeps its young generation small (worker-start.ts sets it again). */
  readonly keepYoungSmall: boolean;
  /** The WebAssembly scanner, compiled once by the main thread, or null (m1/wasm-scan.ts). */
  readonly scanModule: WebAssembly.Module | null;
  /** Per slot, the memory its bytes are in, for this thread's scanner to read, or null. */
  readonly scanMemories: readonly (WebAssembly.Memory | null)[];
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
  | { readonly type: "ready" }
  | { readonly type: "done"; readonly slot: number; readonly undecided?: readonly UndecidedLine[] }
  | { readonly type: "foreign"; readonly records: readonly M1Record[] }
  | { readonly type: "state"; readonly snapshot: IntakeSnapshot };

// The worker side of parallel reading: it walks every block (BlockWalker) and reads the lines of the
// units it owns.
const setup = workerData as WorkerSetup;
const { index: me, owners } = setup.owner;
const intake = new Intake(setup.policy, setup.limits, setup.owner, setup.extras, {
  scratch: scratchFilesShared(setup.sharing),
  reserveUnits: setup.reserveUnits,
});
useScanModule(setup.scanModule);
const scanBuffers = setup.scanMemories.map((memory) => (memory === null ? null : attachScanner(memory, me)));
const walker = new BlockWalker(intake, me, owners, setup.maxLineBytes, scanBuffers);
const port = parentPort;

/**
 * Lines that only zod can decide go to the main thread with the block they were in, so that a worker
 * need not load zod (about 10 MiB a thread, with the garbage its checks leave) for the few that a log
 * has: up to `HAND_OFF_FIRST` of them and one for each `HAND_OFF_EVERY` lines walked after. A log with
 * more (a broken export: every line invalid) would load the main thread with them, so past that the
 * worker loads zod and decides its own from then on. Only when the main thread reads lines itself
 * (plain files), and so has zod loaded for its own: for gzip and stdin it only reads and indexes, and
 * zod there made V8 mark its heap every 100 ms or so (a .gz of 10M lines: 150 full collections on the
 * main thread instead of 3, 9.2–10.1 s against 8.0–9.0 s).
 */
const HAND_OFF_FIRST = 1024;
const HAND_OFF_EVERY = 256;
let undecided: UndecidedLine[] = [];
const handOff = (line: UndecidedLine): boolean => {
  if (intake.tally.handedOff >= HAND_OFF_FIRST + walker.totalLines / HAND_OFF_EVERY) {
    intake.handOff = null;
    return false;
  }
  undecided.push(line);
  return true;
};
if (setup.handOff) intake.handOff = handOff;

port?.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "block": {
      walker.walk(message.block);
      const done: FromWorker =
        undecided.length === 0
          ? { type: "done", slot: message.block.slot }
          : { type: "done", slot: message.block.slot, undecided };
      undecided = [];
      port.postMessage(done);
      break;
    }
    case "units":
      intake.units.absorb(message.snapshot, (bytes, start, end) => ownerOf(bytes, start, end, owners) === me);
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
      port.postMessage({ type: "state", snapshot } satisfies FromWorker, transferables(snapshot.units));
      break;
    }
  }
});

/** The distinct ArrayBuffers behind a table snapshot (each listed once, as a transfer list must). */
function transferables(units: UnitsSnapshot): ArrayBuffer[] {
  const views = [units.rows, units.spilled, units.keys.arena, units.keys.starts];
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}
