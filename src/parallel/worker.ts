import { isUtf8 } from "node:buffer";
import { parentPort, workerData } from "node:worker_threads";
import { deliverLine } from "../input/line-splitter.js";
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

/** What a worker is started with. */
export interface WorkerSetup {
  readonly policy: FieldPolicy;
  readonly limits: IntakeLimits;
  readonly maxLineBytes: number;
  readonly owner: UnitOwner;
  readonly extras: IntakeExtras;
}

/** Lines routed to a worker: `bytes` holds them, each ended by `\n`; `numbers` their line numbers. */
export interface LineBatch {
  readonly source: string;
  readonly bytes: Uint8Array;
  readonly numbers: Int32Array;
}

/** Messages to a worker, in the order the pool sends them (see worker-pool.ts). */
export type ToWorker =
  | { readonly type: "lines"; readonly batch: LineBatch }
  | { readonly type: "units"; readonly snapshot: UnitsSnapshot }
  | { readonly type: "flush" }
  | { readonly type: "adopt"; readonly records: readonly M1Record[] }
  | { readonly type: "finish" };

/** Messages from a worker. */
export type FromWorker =
  | { readonly type: "done" }
  | { readonly type: "foreign"; readonly records: readonly M1Record[] }
  | { readonly type: "state"; readonly snapshot: IntakeSnapshot };

// The worker side of parallel reading: an intake of its own, fed the lines of the units it owns.
const setup = workerData as WorkerSetup;
const intake = new Intake(setup.policy, setup.limits, setup.owner, setup.extras);
const owns = (bytes: Uint8Array, start: number, end: number): boolean =>
  ownerOf(bytes, start, end, setup.owner.count) === setup.owner.index;
const port = parentPort;

port?.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "lines":
      readBatch(message.batch);
      port.postMessage({ type: "done" } satisfies FromWorker);
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
    case "finish":
      {
        // The table's buffers are moved, not copied: the main thread gets them without doubling memory.
        const snapshot = intake.snapshot();
        port.postMessage({ type: "state", snapshot } satisfies FromWorker, transferables(snapshot.units));
      }
      break;
  }
});

/** The distinct ArrayBuffers behind a table snapshot (each listed once, as a transfer list must). */
function transferables(units: UnitsSnapshot): ArrayBuffer[] {
  const views = [
    units.rows,
    units.spilled,
    units.keys.arena,
    units.keys.starts,
    units.keys.lengths,
    units.keys.tags,
  ];
  return [...new Set(views.map((view) => view.buffer as ArrayBuffer))];
}

function readBatch(batch: LineBatch): void {
  // Structured clone delivers a plain Uint8Array: view it as a Buffer, without copying.
  const bytes = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const sink = intake.sinkFor(batch.source);
  const valid = isUtf8(bytes);
  let start = 0;
  for (let k = 0; k < batch.numbers.length; k++) {
    const newline = bytes.indexOf(0x0a, start);
    deliverLine(sink, bytes, start, newline, batch.numbers[k] as number, setup.maxLineBytes, valid, false);
    start = newline + 1;
  }
}
