import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { Intake, IntakeSnapshot, Owners } from "../m1/intake.js";
import { OWNER_BUCKETS, ownerOf, owningThreads } from "../m1/intake.js";
import type { M1Record } from "../m1/record.js";
import type { UnitsSnapshot } from "../m1/unit-table.js";
import { attachScanner, extraAt, scanMemory, scanModule } from "../m1/wasm-scan.js";
import { keepYoungGenerationSmallAgain, youngGenerationKeptSmall } from "../storage/young-generation.js";
import { blockIsUtf8, INDEXED_LINES, indexLines, type LineIndex } from "./line-owner.js";
import { BlockWalker, type SharedBlock } from "./walk-block.js";
import type { FromWorker, ToWorker, WorkerSetup } from "./worker.js";

/**
 * Blocks in flight at once: enough to keep every worker busy (each walks its own lines of every block,
 * so this is the depth of the pipeline, not a share per worker), few enough to bound memory. Eight took
 * 8 MiB more for no speed: 10M lines, two workers, 6.83–7.33 s with four against 6.83–7.26 s.
 */
const SLOTS = 4;
/**
 * A slot's bytes when every source is a plain file, read into the slots in place (`readTarget`), which
 * is also how much of it is read at once. 2 MiB took 4 MiB more at the peak for no speed (10M lines, 10k
 * units, the main thread and a worker: 5.32–5.72 s against 5.35–5.65 s with 1 MiB).
 */
const SLOT_BYTES = 1024 * 1024;
/**
 * A slot's bytes when blocks come as pieces (gzip's inflater, stdin) of up to 1 MiB and the line carried
 * over, which a slot must hold whole: in slots of 1 MiB each such block took memory of its own, and a
 * .gz of 10M lines 8.87–9.83 s against 8.04–8.05 s.
 */
const PIECE_SLOT_BYTES = 2 * 1024 * 1024;
/** A slot's index of lines in its WebAssembly memory: the ends, the owners and the owners table. */
const INDEX_BYTES = INDEXED_LINES * 5 + OWNER_BUCKETS;
/** The least room worth reading a file's next piece into in place (see `readTarget`). */
const LEAST_DIRECT_READ = 64 * 1024;
/**
 * A worker's young generation, in MB. V8 lets it grow to 16 MB semi-spaces in each thread; a worker's
 * garbage is a little per block, so a small one costs no time and saves 10–30 MiB of peak memory
 * (docs/performance.md). The main thread's size cannot be set from inside a running Node, only its growth
 * (storage/young-generation.ts).
 */
const WORKER_YOUNG_GENERATION_MB = 2;

interface PoolWorker {
  readonly thread: Worker;
  /** Resolves the next reply other than "done" (foreign records, the final state). */
  reply: ((message: FromWorker) => void) | null;
}

/** A slot being filled with blocks of one source, not yet handed to the workers. */
interface OpenSlot {
  readonly slot: number;
  readonly source: number;
  readonly name: string;
  length: number;
  readonly linesBefore: number | undefined;
  readonly overlong: number | undefined;
}

/** What the pool hands back at the end. */
export interface PoolResult {
  /** The workers' states (the main thread's is its own intake). */
  readonly states: IntakeSnapshot[];
  /** Lines of each source read in parallel, by source index (every thread counts them all). */
  readonly linesBySource: ReadonlyMap<number, number>;
}

/**
 * Threads that read together, the main one and workers, each owning a share of the units (by a hash of
 * the request id: `ownersFor`). The main thread reads each block of input into shared memory, finds its
 * lines and their owners, hands it to every worker and then reads its own lines of it; each worker
 * counts every line and reads those of its own units. The tables are disjoint, so the report reads them
 * side by side (UnitSet) and nothing but the counts is ever merged.
 */
export class WorkerPool {
  private readonly workers: PoolWorker[];
  private readonly memory: SharedArrayBuffer[] = [];
  /**
   * Per slot, the WebAssembly memory its bytes are in (m1/wasm-scan.ts: every thread's scanner reads
   * them there), or null: no scanner here, or a block too large for the slot was given memory of its own.
   */
  private readonly scanMemories: (WebAssembly.Memory | null)[] = [];
  /** Per slot, the bytes it holds (a scan memory's buffer is larger: the scanners' scratch follows). */
  private readonly capacity: number[] = [];
  /**
   * Per slot, the index of the lines of the block in it (see indexLines): in the slot's WebAssembly
   * memory, with the owners table, when it has one (the scanner indexes the lines there).
   */
  private readonly index: LineIndex[] = [];
  /** The slot being filled (see `send`). */
  private open: OpenSlot | null = null;
  /** Per source index, the lines submitted so far. */
  private readonly linesSubmitted = new Map<number, number>();
  /** Per slot: workers yet to finish the block in it (0: free). */
  private readonly pending: number[] = [];
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;
  /** Which thread owns which units: thread 0 is this one. */
  readonly unitOwners: Owners;
  /** This thread's walk through the blocks (its own lines of each, into `local`). */
  private readonly walker: BlockWalker;
  /** Blocks sent whose lines this thread has not yet read (see `walkNext`), oldest first. */
  private readonly unwalked: SharedBlock[] = [];
  /**
   * Workers that have not yet said they are running. Making a worker's isolate undoes this thread's
   * setting of its young generation's growth (storage/young-generation.ts) at a moment this thread
   * cannot see, so until then each block sent or read here sets it again (and the worker sets it as it
   * starts: worker-start.ts). With only the blocks sent, on a loaded machine the young generation grew
   * to 8 MiB in 2 of 6 runs on 18 MB (a worker took 350–450 ms to start, while this thread, its slots
   * full, read its own lines); in none of 6 after.
   */
  private starting: number;
  /** Each slot's bytes (a block larger than that gets memory of its own: see `send`). */
  private readonly slotBytes: number;

  /**
   * @param threads threads that read: this one and `threads` - 1 workers.
   * @param unitOwners which of them owns which units (`ownersFor`; this one may own none).
   * @param local this thread's intake, which owns share 0 of the units.
   * @param mainReads every source is a plain file: this thread reads its own share of the lines, so
   *   workers hand it the lines only zod can decide (worker.ts), and files are read into the slots in
   *   place (smaller slots).
   */
  constructor(
    threads: number,
    unitOwners: Owners,
    setup: Omit<
      WorkerSetup,
      "owner" | "sharing" | "handOff" | "keepYoungSmall" | "scanModule" | "scanMemories"
    >,
    private readonly local: Intake,
    mainReads: boolean,
  ) {
    this.unitOwners = unitOwners;
    this.walker = new BlockWalker(local, 0, this.unitOwners, setup.maxLineBytes);
    this.starting = threads - 1;
    this.slotBytes = mainReads ? SLOT_BYTES : PIECE_SLOT_BYTES;
    for (let slot = 0; slot < SLOTS; slot++) {
      const memory = scanMemory(this.slotBytes, threads, INDEX_BYTES);
      this.scanMemories.push(memory);
      this.capacity.push(this.slotBytes);
      if (memory === null) {
        this.memory.push(new SharedArrayBuffer(this.slotBytes));
        this.index.push({
          ends: new Int32Array(new SharedArrayBuffer(INDEXED_LINES * 4)),
          owners: new Uint8Array(new SharedArrayBuffer(INDEXED_LINES)),
        });
      } else {
        const buffer = attachScanner(memory, 0);
        const at = extraAt(this.slotBytes);
        const ownerTable = new Uint8Array(buffer, at + INDEXED_LINES * 5, OWNER_BUCKETS);
        ownerTable.set(unitOwners);
        this.memory.push(buffer);
        this.index.push({
          ends: new Int32Array(buffer, at, INDEXED_LINES),
          owners: new Uint8Array(buffer, at + INDEXED_LINES * 4, INDEXED_LINES),
          ownerTable,
        });
      }
      this.pending.push(0);
    }
    this.workers = Array.from({ length: threads - 1 }, (_, k) => {
      const workerData: WorkerSetup = {
        ...setup,
        sharing: owningThreads(unitOwners),
        owner: { index: k + 1, owners: this.unitOwners },
        handOff: mainReads,
        keepYoungSmall: youngGenerationKeptSmall(),
        scanModule: scanModule(),
        scanMemories: [...this.scanMemories],
      };
      const worker: PoolWorker = {
        thread: new Worker(workerScript(), {
          workerData,
          resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
        }),
        reply: null,
      };
      worker.thread.on("message", (message: FromWorker) => {
        if (message.type === "ready") {
          // Its isolate is made, which undid this thread's setting of its young generation.
          this.starting--;
          keepYoungGenerationSmallAgain();
          return;
        }
        if (message.type === "done") {
          // Lines only zod can decide, which the worker hands to this thread (worker.ts). A fault in
          // reading them fails the run where a worker's own would (the next slot wanted, or `finish`).
          if (message.undecided !== undefined) {
            try {
              this.local.readUndecided(message.undecided, k + 1);
            } catch (error) {
              this.failure = error as Error;
            }
          }
          this.pending[message.slot] = (this.pending[message.slot] as number) - 1;
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

  /** Threads that read, this one included. */
  get threads(): number {
    return this.workers.length + 1;
  }

  /** Lines counted so far (for the progress line). */
  get linesRead(): number {
    return this.walker.totalLines;
  }

  /**
   * Copies a block into shared memory for the workers, waiting while every slot is in use. Blocks of
   * one source are gathered into a slot until the next one does not fit, and only then handed on (one
   * message per slot, not per block: a carried-over line is a block of its own). `linesBefore` goes
   * with a source's first block read in parallel.
   */
  async send(
    source: number,
    name: string,
    block: { bytes: Buffer } | { overlong: number },
    linesBefore?: number,
  ): Promise<void> {
    const open = this.open;
    if (
      open !== null &&
      (open.source !== source || !("bytes" in block) || !this.fits(open, block.bytes.length))
    )
      this.dispatch(open);
    if (!("bytes" in block)) {
      const slot = await this.freeSlot();
      this.dispatch({ slot, source, name, length: 0, linesBefore, overlong: block.overlong });
      return;
    }
    if (this.open === null) {
      const slot = await this.freeSlot();
      // A block larger than a slot (a long line under a raised --max-line-bytes) gets memory of its own.
      if (block.bytes.length > (this.capacity[slot] as number)) {
        this.memory[slot] = new SharedArrayBuffer(block.bytes.length);
        this.scanMemories[slot] = null;
        this.capacity[slot] = block.bytes.length;
      }
      this.open = { slot, source, name, length: 0, linesBefore, overlong: undefined };
    }
    const filling = this.open;
    const shared = this.memory[filling.slot] as SharedArrayBuffer;
    const memory = Buffer.from(shared);
    // A block is whole lines, but a carried-over line comes without its newline: put one back between.
    if (filling.length > 0 && memory[filling.length - 1] !== 0x0a) memory[filling.length++] = 0x0a;
    // A block read in place (readTarget) is there already.
    if (block.bytes.buffer !== shared || block.bytes.byteOffset !== filling.length)
      block.bytes.copy(memory, filling.length);
    filling.length += block.bytes.length;
  }

  /**
   * Where to read a file's next piece so that its lines are already in place in shared memory, and
   * `send` need not copy them: the rest of the slot being filled (or of a new one), after its blocks, a
   * newline and room for the `carried` bytes of an unfinished line (which `send` copies in front of the
   * piece, joining its first line). So a slot is mostly one read, and the block sent before it is there
   * for this thread to read its lines of while the read is in flight: when slots of 2 MiB were read in
   * two pieces, every other read found none, and the main thread waited 200–245 ms a run for reads,
   * 110–160 ms with one read a slot.
   * Null when the carried line leaves too little room: the reader then uses its own buffer, and its
   * blocks are copied. Arguments as for `send`.
   */
  async readTarget(
    source: number,
    name: string,
    carried: number,
    linesBefore?: number,
  ): Promise<Buffer | null> {
    const least = carried + 1 + LEAST_DIRECT_READ + 1;
    if (least > this.slotBytes) return null;
    let open = this.open;
    if (open !== null && (open.source !== source || this.room(open) < least)) {
      this.dispatch(open);
      open = null;
    }
    if (open === null) {
      const slot = await this.freeSlot();
      open = { slot, source, name, length: 0, linesBefore, overlong: undefined };
      this.open = open;
    }
    const memory = this.memory[open.slot] as SharedArrayBuffer;
    const at = open.length + this.separator(open) + carried;
    // One byte spare at the end, as `fits` wants for a newline.
    return Buffer.from(memory, at, (this.capacity[open.slot] as number) - at - 1);
  }

  /** Room left in a slot being filled. */
  private room(open: OpenSlot): number {
    return (this.capacity[open.slot] as number) - open.length;
  }

  /** 1 when the next block goes after a newline put back (the last block ended without one), else 0. */
  private separator(open: OpenSlot): number {
    if (open.length === 0) return 0;
    const memory = this.memory[open.slot] as SharedArrayBuffer;
    return new Uint8Array(memory, open.length - 1, 1)[0] === 0x0a ? 0 : 1;
  }

  /** Hands on the slot being filled, if any (before the pool finishes). */
  private flushOpen(): void {
    if (this.open !== null) this.dispatch(this.open);
  }

  private fits(open: OpenSlot, bytes: number): boolean {
    // One byte more for a newline between blocks.
    return open.length + 1 + bytes <= (this.capacity[open.slot] as number);
  }

  /** A free slot, reserved; waits while every slot is in use. */
  private async freeSlot(): Promise<number> {
    let slot = this.pending.indexOf(0);
    while (slot < 0) {
      if (this.failure !== null) throw this.failure;
      // This thread's own lines of a block first: its slot is not free until they are read.
      if (!this.walkNext()) await new Promise<void>((resolve) => (this.waiting = resolve));
      slot = this.pending.indexOf(0);
    }
    if (this.failure !== null) throw this.failure;
    this.pending[slot] = -1;
    return slot;
  }

  /** Indexes a filled slot's lines and sends it to every worker. */
  private dispatch(open: OpenSlot): void {
    if (this.open === open) this.open = null;
    if (this.starting > 0) keepYoungGenerationSmallAgain();
    const { slot, source, name, length, linesBefore, overlong } = open;
    let lines = -1;
    let valid = false;
    const firstLine = (linesBefore ?? this.linesSubmitted.get(source) ?? 0) + 1;
    if (overlong === undefined) {
      const bytes = Buffer.from(this.memory[slot] as SharedArrayBuffer, 0, length);
      // The main thread finds the lines and their owners once, so that each worker walks only its own.
      lines = indexLines(bytes, this.index[slot] as LineIndex, this.unitOwners, firstLine);
      valid = blockIsUtf8(bytes);
      this.linesSubmitted.set(source, firstLine - 1 + (lines >= 0 ? lines : countLines(bytes)));
    } else this.linesSubmitted.set(source, firstLine);
    const index = this.index[slot] as LineIndex;
    const shared: SharedBlock = {
      slot,
      source,
      name,
      memory: this.memory[slot] as SharedArrayBuffer,
      // The scanner reads the index where the bytes are (walk-block.ts walkInWasm).
      inScanMemory: this.scanMemories[slot] !== null && index.ends.buffer === this.memory[slot],
      length,
      lines,
      valid,
      ends: index.ends.buffer as SharedArrayBuffer,
      endsAt: index.ends.byteOffset,
      owners: index.owners.buffer as SharedArrayBuffer,
      ownersAt: index.owners.byteOffset,
      ...(linesBefore === undefined ? {} : { linesBefore }),
      ...(overlong === undefined ? {} : { overlong }),
    };
    // Free once every worker and this thread have read their lines of it.
    this.pending[slot] = this.workers.length + 1;
    for (const worker of this.workers)
      worker.thread.postMessage({ type: "block", block: shared } satisfies ToWorker);
    this.unwalked.push(shared);
  }

  /**
   * Reads this thread's lines of the oldest block it has not read yet, if any (blocks in the order they
   * were sent). Done while the next piece of input is being read (`readTarget`'s reader calls it), or
   * when a slot is wanted: the main thread would otherwise wait for the read. Returns whether it read one.
   */
  walkNext(): boolean {
    // This thread reads its lines of the first blocks while the workers start (see `starting`).
    if (this.starting > 0) keepYoungGenerationSmallAgain();
    const block = this.unwalked.shift();
    if (block === undefined) return false;
    this.walker.walk(block);
    this.pending[block.slot] = (this.pending[block.slot] as number) - 1;
    return true;
  }

  /**
   * Hands every worker the units it owns from a table read on the main thread before the pool began
   * (`Intake.handOverUnits`, which keeps this thread's share).
   */
  handOver(snapshot: UnitsSnapshot): void {
    for (const worker of this.workers)
      worker.thread.postMessage({ type: "units", snapshot } satisfies ToWorker);
  }

  /**
   * Waits for every block, gives each worker the records that others read but it owns, and collects
   * every worker's state; then ends the threads.
   */
  async finish(): Promise<PoolResult> {
    try {
      this.flushOpen();
      while (this.walkNext());
      const replies = await Promise.all(this.workers.map((w) => this.ask(w, { type: "flush" })));
      const foreign = [this.local.foreign];
      for (const reply of replies) if (reply.type === "foreign") foreign.push(reply.records as M1Record[]);
      // By owner: index 0 is this thread.
      const adopted: M1Record[][] = Array.from({ length: this.threads }, () => []);
      for (const records of foreign) {
        for (const record of records) {
          const id = Buffer.from(record.request_id, "utf8");
          adopted[ownerOf(id, 0, id.length, this.unitOwners)]?.push(record);
        }
      }
      this.local.foreign.length = 0;
      this.local.adopt(adopted[0] ?? []);
      this.workers.forEach((w, k) =>
        w.thread.postMessage({ type: "adopt", records: adopted[k + 1] ?? [] } satisfies ToWorker),
      );
      const states: IntakeSnapshot[] = [];
      for (const reply of await Promise.all(this.workers.map((w) => this.ask(w, { type: "finish" }))))
        if (reply.type === "state") states.push(reply.snapshot);
      return { states, linesBySource: this.walker.linesBySource };
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

/** The lines of a block, as SPEC.md counts them (a last line without a newline counts). */
function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) lines++;
  return bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a ? lines + 1 : lines;
}

/**
 * The compiled worker beside this module. Under the test runner this module is TypeScript in src/, and
 * Node cannot start a .ts worker, so the built one in dist/ is used (`npm test` builds first).
 */
function workerScript(): URL {
  const here = new URL("./worker-start.js", import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL("../../dist/parallel/worker-start.js", import.meta.url);
}
