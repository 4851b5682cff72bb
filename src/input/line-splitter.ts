import { isUtf8 } from "node:buffer";
import { BATCH_RECORDS, R_LINE_START, scannerFor, type LineScanner } from "../m1/wasm-scan.js";

export const OVERLONG_KIND = "line too long";

/** The reason given for a line over the limit, wherever it is found. */
export function overlongReason(bytes: number, maxLineBytes: number): string {
  return `line too long (${bytes} bytes; the limit is ${maxLineBytes})`;
}

/**
 * Hands one line (bytes[start, end), without its newline) to a sink as SPEC.md section 1 reads it: a `\r`
 * before the newline dropped, a BOM dropped when asked (line 1 of a source), a line over the limit or
 * not valid UTF-8 rejected. `knownValid` skips the UTF-8 check when the caller checked a larger piece.
 */
export function deliverLine(
  sink: LineSink,
  bytes: Buffer,
  start: number,
  end: number,
  lineNumber: number,
  maxLineBytes: number,
  knownValid: boolean,
  stripBom: boolean,
): void {
  if (end > start && bytes[end - 1] === CR) end--;
  if (end - start > maxLineBytes) {
    sink.reject(lineNumber, OVERLONG_KIND, overlongReason(end - start, maxLineBytes));
    return;
  }
  if (!knownValid && !isUtf8(bytes.subarray(start, end))) {
    sink.reject(lineNumber, "not valid UTF-8", "not valid UTF-8", bytes.subarray(start, end));
    return;
  }
  if (stripBom && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
  sink.line(bytes, start, end, lineNumber);
}

/** Receives each line of a source, numbered from 1, exactly once. */
export interface LineSink {
  /**
   * A line as valid UTF-8 bytes `bytes[start, end)`, without its `\n`, a `\r` before it, or a leading
   * BOM. The bytes are only valid during the call: the buffer is reused for the next chunk.
   */
  line(bytes: Buffer, start: number, end: number, lineNumber: number): void;
  /**
   * A line that cannot be decoded or is over the length limit: a violation, never silently dropped.
   * `raw` is its bytes where they were kept (not for a line over the limit, which is never held whole).
   */
  reject(lineNumber: number, kind: string, reason: string, raw?: Uint8Array): void;
  /**
   * Offers a line whose end is not yet known, so that the common line is read once instead of searched
   * for its newline first (40–55 ns a line). It starts at `start`, with no BOM to drop; its bytes are
   * valid UTF-8; `limit` is the chunk's last newline or `start` + the length limit, whichever comes
   * first, so a line that ends by `limit` is within the limit. Returns the index of the newline that ends
   * it when the sink took the line as `line` would have, or -1 when it did not: `line` is then called.
   */
  lineAt?(bytes: Buffer, start: number, limit: number, lineNumber: number): number;
  /**
   * Readies the WebAssembly scanner to read lines for this sink in batches (parallel/walk-block.ts):
   * false when it may not (the sink reads its lines otherwise, as with a preset or in strict mode).
   */
  readyScanner?(scanner: LineScanner): boolean;
  /**
   * A line that the scanner read as a valid record, its record `record`: taken as `line` would take
   * it. `start` is where the line starts in `bytes`.
   */
  scanned?(scanner: LineScanner, record: number, bytes: Buffer, start: number, lineNumber: number): void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

type LineAt = NonNullable<LineSink["lineAt"]>;

/**
 * Cuts a stream of bytes into numbered lines, as SPEC.md section 1 counts them: a line per `\n`, plus a
 * final line without one; a BOM at the start and a `\r` before `\n` are ignored; a line over
 * `maxLineBytes` is rejected and skipped up to the next newline without being held in memory.
 *
 * Lines are cut as bytes and handed on as bytes (a newline byte is never part of a multi-byte character),
 * so a chunk may end anywhere: inside a character, between `\r` and `\n`, or in the middle of a line.
 * Nothing is decoded here: the record reader reads most lines straight from the bytes.
 */
export class LineSplitter {
  private lineNumber = 0;
  /** The start of a line that continues in the next chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while skipping the rest of an over-long line; counts what was skipped. */
  private overlongBytes = -1;
  /** The skipped bytes end with `\r`: not part of the line, so not in the count it is rejected with. */
  private overlongEndsWithCr = false;

  /**
   * @param stripBom whether a BOM on line 1 is dropped: true for the start of a source, false for a
   *   block cut from its middle.
   */
  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number,
    private readonly stripBom = true,
  ) {}

  /** Lines read so far, including rejected and blank ones. */
  get lines(): number {
    return this.lineNumber;
  }

  /** Feeds the next chunk; lines it completes are passed to the sink before this returns. */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.pendingBytes > 0 || this.overlongBytes >= 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.hold(chunk);
        return;
      }
      this.hold(chunk.subarray(0, newline));
      this.finishHeldLine();
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (start <= last) {
      // One UTF-8 check for all the whole lines of the chunk (fast, native); lines are checked one by one
      // only where it fails.
      const valid = isUtf8(chunk.subarray(start, last));
      const offer = valid && this.sink.lineAt !== undefined;
      const scanner = offer ? scannerFor(chunk.buffer) : null;
      const inBatches = scanner !== null && this.sink.readyScanner?.(scanner) === true;
      while (start <= last) {
        if (inBatches && !(this.stripBom && this.lineNumber === 0)) {
          start = this.takeBatch(scanner, chunk, start, last);
          if (start <= last) {
            // A line the scanner did not take: the usual way (not offered again).
            const newline = chunk.indexOf(NEWLINE, start);
            this.emit(chunk, start, newline, valid);
            start = newline + 1;
          }
          continue;
        }
        if (offer && !(this.stripBom && this.lineNumber === 0)) {
          // A line over the limit cannot end by start + maxLineBytes: it is never taken.
          const limit = Math.min(last, start + this.maxLineBytes);
          const taken = (this.sink.lineAt as LineAt).call(
            this.sink,
            chunk,
            start,
            limit,
            this.lineNumber + 1,
          );
          if (taken >= 0) {
            this.lineNumber++;
            start = taken + 1;
            continue;
          }
        }
        const newline = chunk.indexOf(NEWLINE, start);
        this.emit(chunk, start, newline, valid);
        start = newline + 1;
      }
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /**
   * Lets the WebAssembly scanner read the lines from `start` (the chunk is in its memory, valid UTF-8,
   * its last newline at `last`) up to BATCH_RECORDS at a call, each taken by the sink, until it comes to
   * a line it does not take or to `last`. Returns where it stopped: the start of that line, or past
   * `last`.
   */
  private takeBatch(scanner: LineScanner, chunk: Buffer, start: number, last: number): number {
    const sink = this.sink;
    const taken = sink.scanned as NonNullable<LineSink["scanned"]>;
    const base = chunk.byteOffset;
    const words = scanner.words;
    for (;;) {
      // Again each time: a line read the usual way may have taught the sink another shape.
      sink.readyScanner?.(scanner);
      const records = scanner.scanLines(base + start, base + last, this.maxLineBytes);
      for (let r = 0; r < records; r++) {
        const lineStart = (words[scanner.recordAt(r) + R_LINE_START / 4] as number) - base;
        taken(scanner, r, chunk, lineStart, ++this.lineNumber);
      }
      start = scanner.stopped() - base;
      if (records < BATCH_RECORDS || start > last) return start;
    }
  }

  /** Ends the source: a final line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.overlongBytes >= 0) this.finishHeldLine();
  }

  private emit(bytes: Buffer, start: number, end: number, knownValid: boolean): void {
    const n = ++this.lineNumber;
    deliverLine(this.sink, bytes, start, end, n, this.maxLineBytes, knownValid, this.stripBom && n === 1);
  }

  /** Keeps the start of an unfinished line, or counts it once it is known to be too long. */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.overlongBytes >= 0) {
      this.overlongBytes += bytes.length;
      this.overlongEndsWithCr = bytes[bytes.length - 1] === CR;
      return;
    }
    if (this.pendingBytes + bytes.length > this.maxLineBytes + 1) {
      // +1: a `\r` that ends the line does not count towards its length.
      this.overlongBytes = this.pendingBytes + bytes.length;
      this.overlongEndsWithCr = bytes[bytes.length - 1] === CR;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copied: the caller may reuse its buffer for the next chunk.
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private finishHeldLine(): void {
    if (this.overlongBytes >= 0) {
      this.rejectOverlong(++this.lineNumber, this.overlongBytes - (this.overlongEndsWithCr ? 1 : 0));
      this.overlongBytes = -1;
      return;
    }
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(bytes, 0, bytes.length, false);
  }

  private rejectOverlong(lineNumber: number, bytes: number): void {
    this.sink.reject(lineNumber, OVERLONG_KIND, overlongReason(bytes, this.maxLineBytes));
  }
}
