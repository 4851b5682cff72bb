import { ownerOf } from "../m1/intake.js";
import type { LineBatch } from "./worker.js";

/** A batch is sent once it holds this much. */
const BATCH_BYTES = 1024 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const KEY = Buffer.from('"request_id":');

/**
 * Sends each line to the worker that owns its unit, so that workers hold disjoint units and nothing has
 * to be merged afterwards. The owner is found from the request id read straight from the bytes in the
 * common line shape (a `"request_id":"…"` without escapes), else from JSON.parse; a line with no request id at all goes
 * anywhere. A worker checks ownership again after its own parse and hands back the records it does not
 * own (worker.ts), so an odd line can cost time but never correctness.
 */
export class LineRouter {
  private readonly batches: { bytes: Buffer; used: number; numbers: number[] }[];

  constructor(
    private readonly workers: number,
    private readonly send: (worker: number, batch: LineBatch) => Promise<void>,
  ) {
    this.batches = Array.from({ length: workers }, () => ({
      bytes: Buffer.allocUnsafe(BATCH_BYTES),
      used: 0,
      numbers: [],
    }));
  }

  /**
   * Routes the lines of a block (whole lines; the last may lack its newline), numbered from
   * `firstLine`; a BOM on line 1 is dropped here. Returns how many lines the block held.
   */
  async route(source: string, block: Buffer, firstLine: number): Promise<number> {
    let start = 0;
    let n = firstLine;
    while (start < block.length) {
      let newline = block.indexOf(NEWLINE, start);
      if (newline < 0) newline = block.length;
      let from = start;
      if (n === 1 && block[from] === 0xef && block[from + 1] === 0xbb && block[from + 2] === 0xbf) from += 3;
      await this.add(this.ownerOfLine(block, from, newline, n), source, block, from, newline, n);
      start = newline + 1;
      n++;
    }
    return n - firstLine;
  }

  /** Sends every partly filled batch. */
  async flush(source: string): Promise<void> {
    for (let w = 0; w < this.workers; w++) await this.sendBatch(w, source);
  }

  private currentSource = "";

  private async add(
    worker: number,
    source: string,
    block: Buffer,
    start: number,
    end: number,
    n: number,
  ): Promise<void> {
    if (source !== this.currentSource) {
      await this.flush(this.currentSource);
      this.currentSource = source;
    }
    let batch = this.batches[worker] as { bytes: Buffer; used: number; numbers: number[] };
    const length = end - start + 1;
    if (batch.used + length > batch.bytes.length) {
      await this.sendBatch(worker, source);
      batch = this.batches[worker] as { bytes: Buffer; used: number; numbers: number[] };
      if (length > batch.bytes.length) batch.bytes = Buffer.allocUnsafe(length);
    }
    block.copy(batch.bytes, batch.used, start, end);
    batch.bytes[batch.used + end - start] = NEWLINE;
    batch.used += length;
    batch.numbers.push(n);
  }

  private async sendBatch(worker: number, source: string): Promise<void> {
    const batch = this.batches[worker] as { bytes: Buffer; used: number; numbers: number[] };
    if (batch.numbers.length === 0) return;
    const bytes = batch.bytes.subarray(0, batch.used);
    const numbers = Int32Array.from(batch.numbers);
    this.batches[worker] = { bytes: Buffer.allocUnsafe(BATCH_BYTES), used: 0, numbers: [] };
    await this.send(worker, { source, bytes, numbers });
  }

  private ownerOfLine(bytes: Buffer, start: number, end: number, n: number): number {
    const line = bytes.subarray(start, end);
    const key = line.indexOf(KEY);
    if (key >= 0) {
      let idStart = key + KEY.length;
      while (line[idStart] === 0x20) idStart++;
      if (line[idStart] === QUOTE) {
        idStart++;
        for (let i = idStart; i < line.length; i++) {
          const c = line[i];
          if (c === BACKSLASH) break;
          if (c === QUOTE) return ownerOf(line, idStart, i, this.workers);
        }
      }
    }
    try {
      const value: unknown = JSON.parse(line.toString("utf8"));
      const id = (value as { request_id?: unknown } | null)?.request_id;
      if (typeof id === "string") {
        const idBytes = Buffer.from(id, "utf8");
        return ownerOf(idBytes, 0, idBytes.length, this.workers);
      }
    } catch {
      // Not JSON: a violation, which any worker can count.
    }
    return n % this.workers;
  }
}
