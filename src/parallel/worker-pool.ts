import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { IntakeSnapshot } from "../m1/intake.js";
import type { M1Record } from "../m1/record.js";
import { ownerOf } from "../m1/intake.js";
import type { UnitsSnapshot } from "../m1/unit-table.js";
import type { FromWorker, LineBatch, ToWorker, WorkerSetup } from "./worker.js";

/** Batches queued per worker before the reader waits: enough to keep it busy, few enough to bound memory. */
const IN_FLIGHT = 4;

interface PoolWorker {
  readonly thread: Worker;
  inFlight: number;
  /** Resolves the next reply other than "done" (foreign records, the final state). */
  reply: ((message: FromWorker) => void) | null;
}

/**
 * Worker threads that each own a share of the units (by a hash of the request id) and read the lines
 * of those units. Their tables are disjoint, so the report reads them side by side (UnitSet) and no
 * unit is ever merged across threads; only the counts are added up.
 */
export class WorkerPool {
  private readonly workers: PoolWorker[];
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;

  constructor(size: number, setup: Omit<WorkerSetup, "owner">) {
    this.workers = Array.from({ length: size }, (_, index) => {
      const workerData: WorkerSetup = { ...setup, owner: { index, count: size } };
      const worker: PoolWorker = {
        thread: new Worker(workerScript(), { workerData }),
        inFlight: 0,
        reply: null,
      };
      worker.thread.on("message", (message: FromWorker) => {
        if (message.type === "done") {
          worker.inFlight--;
          this.wake();
          return;
        }
        const reply = worker.reply;
        worker.reply = null;
        reply?.(message);
      });
      worker.thread.on("error", (error) => {
        this.failure = error;
        this.wake();
      });
      return worker;
    });
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a batch of lines to a worker (moving its bytes), waiting while that worker is full. */
  async send(index: number, batch: LineBatch): Promise<void> {
    const worker = this.workers[index] as PoolWorker;
    while (worker.inFlight >= IN_FLIGHT) {
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
    if (this.failure !== null) throw this.failure;
    worker.inFlight++;
    // A copy in buffers of its own, moved (not cloned) to the worker.
    const bytes = new Uint8Array(batch.bytes);
    const numbers = batch.numbers;
    const message: ToWorker = { type: "lines", batch: { source: batch.source, bytes, numbers } };
    worker.thread.postMessage(message, [bytes.buffer, numbers.buffer as ArrayBuffer]);
  }

  /** Hands every worker the units it owns from a table read on the main thread before the pool began. */
  handOver(snapshot: UnitsSnapshot): void {
    for (const worker of this.workers)
      worker.thread.postMessage({ type: "units", snapshot } satisfies ToWorker);
  }

  /**
   * Waits for every batch, gives each worker the records that others read but it owns, and collects
   * every worker's state; then ends the threads.
   */
  async finish(): Promise<IntakeSnapshot[]> {
    try {
      const foreign = await Promise.all(this.workers.map((w) => this.ask(w, { type: "flush" })));
      const adopted: M1Record[][] = this.workers.map(() => []);
      for (const reply of foreign) {
        if (reply.type !== "foreign") continue;
        for (const record of reply.records) {
          const id = Buffer.from(record.request_id, "utf8");
          adopted[ownerOf(id, 0, id.length, this.workers.length)]?.push(record);
        }
      }
      this.workers.forEach((w, i) =>
        w.thread.postMessage({ type: "adopt", records: adopted[i] ?? [] } satisfies ToWorker),
      );
      const states = await Promise.all(this.workers.map((w) => this.ask(w, { type: "finish" })));
      return states.flatMap((reply) => (reply.type === "state" ? [reply.snapshot] : []));
    } finally {
      await this.close();
    }
  }

  /** Ends the threads at once (after an error or an interruption). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.thread.terminate()));
  }

  private ask(worker: PoolWorker, message: ToWorker): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      if (this.failure !== null) {
        reject(this.failure);
        return;
      }
      worker.reply = resolve;
      worker.thread.once("error", reject);
      worker.thread.postMessage(message);
    });
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.();
  }
}

/**
 * The compiled worker beside this module. Under the test runner this module is TypeScript in src/, and
 * Node cannot start a .ts worker, so the built one in dist/ is used (`npm test` builds first).
 */
function workerScript(): URL {
  const here = new URL("./worker.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL("../../dist/parallel/worker.js", import.meta.url);
}
