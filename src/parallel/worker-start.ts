import { parentPort } from "node:worker_threads";
import type { FromWorker } from "./worker.js";

// A worker's first module: it says at once that the worker's isolate is made, before the worker loads
// the modules it reads with (50–70 ms more), so that the main thread can set its young generation's
// growth again early (storage/young-generation.ts). Blocks sent meanwhile wait in the port's queue.
parentPort?.postMessage({ type: "ready" } satisfies FromWorker);
await import("./worker.js");
