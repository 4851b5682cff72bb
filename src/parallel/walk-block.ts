import { deliverLine, OVERLONG_KIND, overlongReason, type LineSink } from "../input/line-splitter.js";
import { BATCH_RECORDS, R_LINE, R_LINE_START, scannerFor, type LineScanner } from "../m1/wasm-scan.js";
import type { Intake, Owners } from "../m1/intake.js";
import { ownerOfLine, quickOwner } from "./line-owner.js";

/**
 * A block of whole lines of one source, in shared memory that every reading thread sees (see
 * worker-pool.ts). `source` is the source's index in the run; `linesBefore`, given with a source's first
 * block read in parallel, is how many of its lines were read before (on the main thread alone).
 */
export interface SharedBlock {
  readonly slot: number;
  readonly source: number;
  readonly name: string;
  readonly memory: SharedArrayBuffer;
  /**
   * The slot's memory is the pool's WebAssembly memory for it (m1/wasm-scan.ts), with the block's index
   * (`ends`, `owners`) in it too: this thread's walker reads it through its own view
   * (`BlockWalker.scanBuffers`), where its scanner knows it, and the scanner reads the index there.
   */
  readonly inScanMemory: boolean;
  readonly length: number;
  readonly linesBefore?: number;
  /** A line over the length limit, skipped as it arrived: one line, given by its length. */
  readonly overlong?: number;
  /** How many lines `ends` and `owners` index (see line-owner.ts indexLines), or -1: split it here. */
  readonly lines: number;
  /** The index: `lines` i32s at `endsAt` in `ends`, and as many bytes at `ownersAt` in `owners`. */
  readonly ends: SharedArrayBuffer;
  readonly endsAt: number;
  readonly owners: SharedArrayBuffer;
  readonly ownersAt: number;
  /** The whole block is valid UTF-8. */
  readonly valid: boolean;
}

/**
 * One reading thread's walk through the shared blocks: it counts every line (so it knows every line's
 * number) and reads into its intake the lines whose unit it owns: those whose request id hashes to it,
 * or, for a line whose request id cannot be read from the bytes, whose line number does. The same on the
 * main thread and in every worker.
 */
export class BlockWalker {
  /** Per source index, its lines counted so far (all of them, whoever read them). */
  readonly linesBySource = new Map<number, number>();
  /** Lines counted so far, of every source. */
  totalLines = 0;

  /**
   * @param scanBuffers per slot, the buffer of its WebAssembly memory as this thread attached it
   *   (m1/wasm-scan.ts `attachScanner`): a buffer that arrives in a message is another object, and its
   *   lines would be read in JavaScript.
   */
  constructor(
    private readonly intake: Intake,
    private readonly me: number,
    private readonly owners: Owners,
    private readonly maxLineBytes: number,
    private readonly scanBuffers: readonly (SharedArrayBuffer | null)[] = [],
  ) {}

  walk(block: SharedBlock): void {
    const me = this.me;
    const before = this.linesBySource.get(block.source) ?? block.linesBefore ?? 0;
    let n = before;
    const sink = this.intake.sinkFor({ index: block.source, name: block.name });
    const memory = (block.inScanMemory ? this.scanBuffers[block.slot] : null) ?? block.memory;
    if (block.overlong !== undefined) {
      n++;
      if (ownerOfLine(n, this.owners) === me)
        sink.reject(n, OVERLONG_KIND, overlongReason(block.overlong, this.maxLineBytes));
    } else if (block.lines >= 0) {
      // Indexed by the main thread: only this thread's lines are visited.
      const bytes = Buffer.from(memory, 0, block.length);
      const ends = new Int32Array(block.ends, block.endsAt, block.lines);
      const owners = new Uint8Array(block.owners, block.ownersAt, block.lines);
      const scanner = block.inScanMemory && block.valid ? scannerFor(memory) : null;
      if (scanner !== null && sink.readyScanner?.(scanner) === true) {
        this.walkInWasm(scanner, sink, bytes, ends, owners, n);
        n += block.lines;
        this.totalLines += n - before;
        this.linesBySource.set(block.source, n);
        return;
      }
      let start = 0;
      for (let k = 0; k < block.lines; k++) {
        const end = ends[k] as number;
        if (owners[k] === me)
          deliverLine(sink, bytes, start, end, n + k + 1, this.maxLineBytes, block.valid, n + k === 0);
        start = end + 1;
      }
      n += block.lines;
    } else {
      const bytes = Buffer.from(memory, 0, block.length);
      let start = 0;
      while (start < bytes.length) {
        let newline = bytes.indexOf(0x0a, start);
        if (newline < 0) newline = bytes.length;
        n++;
        const owner = quickOwner(bytes, start, newline, this.owners) ?? ownerOfLine(n, this.owners);
        if (owner === me)
          deliverLine(sink, bytes, start, newline, n, this.maxLineBytes, block.valid, n === 1);
        start = newline + 1;
      }
    }
    this.totalLines += n - before;
    this.linesBySource.set(block.source, n);
  }

  /**
   * This thread's lines of an indexed block (valid UTF-8, in the scanner's memory), read by the
   * WebAssembly scanner up to BATCH_RECORDS at a call, each taken by the sink; a line the scanner does
   * not take (another shape, a violation, one over the length limit) and the source's first line (its
   * BOM) go the usual way, in order. `before`: the lines of the source before the block.
   */
  private walkInWasm(
    scanner: LineScanner,
    sink: LineSink,
    bytes: Buffer,
    ends: Int32Array,
    owners: Uint8Array,
    before: number,
  ): void {
    const me = this.me;
    const lines = ends.length;
    const base = bytes.byteOffset;
    const words = scanner.words;
    const deliver = (k: number): void => {
      const start = k === 0 ? 0 : (ends[k - 1] as number) + 1;
      deliverLine(
        sink,
        bytes,
        start,
        ends[k] as number,
        before + k + 1,
        this.maxLineBytes,
        true,
        before + k === 0,
      );
    };
    let k = 0;
    if (before === 0 && lines > 0) {
      if (owners[0] === me) deliver(0);
      k = 1;
    }
    while (k < lines) {
      // Again each time: a line read the usual way may have taught the sink another shape.
      sink.readyScanner?.(scanner);
      const records = scanner.scanOwnLines(
        base,
        ends.byteOffset,
        owners.byteOffset,
        k,
        lines,
        me,
        this.maxLineBytes,
      );
      for (let r = 0; r < records; r++) {
        const w = scanner.recordAt(r);
        const line = words[w + R_LINE / 4] as number;
        (sink.scanned as NonNullable<LineSink["scanned"]>)(
          scanner,
          r,
          bytes,
          (words[w + R_LINE_START / 4] as number) - base,
          before + line + 1,
        );
      }
      const stopped = scanner.stopped();
      if (records === BATCH_RECORDS) {
        k = stopped;
        continue;
      }
      // Stopped at a line of this thread's that it did not take (or at the block's end).
      if (stopped < lines) deliver(stopped);
      k = stopped + 1;
    }
  }
}
