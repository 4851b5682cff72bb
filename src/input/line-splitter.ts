import { isUtf8 } from "node:buffer";

/** Receives each line of a source, numbered from 1, exactly once. */
export interface LineSink {
  /**
   * A line as valid UTF-8 bytes `bytes[start, end)`, without its `\n`, a `\r` before it, or a leading
   * BOM. The bytes are only valid during the call: the buffer is reused for the next chunk.
   */
  line(bytes: Buffer, start: number, end: number, lineNumber: number): void;
  /** A line that cannot be decoded or is over the length limit: a violation, never silently dropped. */
  reject(lineNumber: number, kind: string, reason: string): void;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

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

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes: number,
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
      while (start <= last) {
        const newline = chunk.indexOf(NEWLINE, start);
        this.emit(chunk, start, newline, valid);
        start = newline + 1;
      }
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** Ends the source: a final line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.overlongBytes >= 0) this.finishHeldLine();
  }

  private emit(bytes: Buffer, start: number, end: number, knownValid: boolean): void {
    const n = ++this.lineNumber;
    if (end > start && bytes[end - 1] === CR) end--;
    if (end - start > this.maxLineBytes) {
      this.rejectOverlong(n, end - start);
      return;
    }
    if (!knownValid && !isUtf8(bytes.subarray(start, end))) {
      this.sink.reject(n, "not valid UTF-8", "not valid UTF-8");
      return;
    }
    if (n === 1 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf)
      start += 3;
    this.sink.line(bytes, start, end, n);
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
    const reason = `line too long (${bytes} bytes; the limit is ${this.maxLineBytes})`;
    this.sink.reject(lineNumber, "line too long", reason);
  }
}
