import { parentPort, workerData } from "node:worker_threads";
import { keepYoungGenerationSmall } from "../storage/young-generation.js";
import type { FromWorker, WorkerSetup } from "./worker.js";

// A worker's first module. Making its isolate raised the young generation's growth factor, which is
// the process's (storage/young-generation.ts): it sets it back at once, when the main thread keeps its
// young generation small, and says it is running, before it loads the modules it reads with (50–70 ms
// more), so that the main thread sets it again too. Blocks sent meanwhile wait in the port's queue.
if ((workerData as WorkerSetup | undefined)?.keepYoungSmall === true) keepYoungGenerationSmall();
parentPort?.postMessage({ type: "ready" } satisfies FromWorker);
await import("./worker.js");
