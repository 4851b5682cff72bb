import { isUtf8 } from "node:buffer";

/** Receives each line of a source, numbered from 1, exactly once. */
export interface LineSink {
  /** A decoded line, without its `\n`, a `\r` before it, or a leading BOM. */
  line(text: string, lineNumber: number): void;
  /** A line that cannot be decoded or is over the length limit: a violation, never silently dropped. */
  reject(lineNumber: number, kind: string, reason: string): void;
}

/** Decoding more than this into one string at once slows V8 down (PERF-NOTES.md). */
const MAX_DECODE = 64 * 1024;
const NEWLINE = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * Cuts a stream of bytes into numbered lines, as SPEC.md section 1 counts them: a line per `\n`, plus a
 * final line without one; a BOM at the start and a `\r` before `\n` are ignored; a line over
 * `maxLineBytes` is rejected and skipped up to the next newline without being held in memory.
 *
 * Bytes are split on `\n` before decoding (a newline byte is never part of a multi-byte character), so a
 * chunk may end anywhere: inside a character, between `\r` and `\n`, or in the middle of a line.
 */
export class LineSplitter {
  private lineNumber = 0;
  /** The start of a line that continues in the next chunk. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Set while skipping the rest of an over-long line; counts what was skipped. */
  private overlongBytes = -1;

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
    while (start <= last) {
      // Decode whole lines in pieces of at most MAX_DECODE bytes (or one line, if longer).
      let end = start + MAX_DECODE <= last ? chunk.lastIndexOf(NEWLINE, start + MAX_DECODE) : last;
      if (end < start) end = chunk.indexOf(NEWLINE, start);
      this.splitWholeLines(chunk, start, end);
      start = end + 1;
    }
    if (start < chunk.length) this.hold(chunk.subarray(start));
  }

  /** Ends the source: a final line without a newline still counts. */
  end(): void {
    if (this.pendingBytes > 0 || this.overlongBytes >= 0) this.finishHeldLine();
  }

  /** Lines from `start` up to the newline at `end`, all complete. */
  private splitWholeLines(chunk: Buffer, start: number, end: number): void {
    const piece = chunk.subarray(start, end);
    if (!isUtf8(piece)) {
      this.splitBytewise(chunk, start, end);
      return;
    }
    const text = piece.toString("utf8");
    const checkLength = end - start > this.maxLineBytes;
    let from = 0;
    for (;;) {
      const newline = text.indexOf("\n", from);
      const to = newline < 0 ? text.length : newline;
      const line = text.slice(from, to);
      if (checkLength && line.length > this.maxLineBytes / 3 && Buffer.byteLength(line) > this.maxLineBytes) {
        this.rejectOverlong(++this.lineNumber, Buffer.byteLength(line));
      } else {
        this.emit(line);
      }
      if (newline < 0) return;
      from = newline + 1;
    }
  }

  /** The slow path for a piece that is not valid UTF-8: find the bad lines one by one. */
  private splitBytewise(chunk: Buffer, start: number, end: number): void {
    while (start <= end) {
      let newline = chunk.indexOf(NEWLINE, start);
      if (newline < 0 || newline > end) newline = end;
      this.emitBytes(chunk.subarray(start, newline));
      start = newline + 1;
    }
  }

  private emitBytes(bytes: Buffer): void {
    const length = bytes.length - (bytes[bytes.length - 1] === CR ? 1 : 0);
    if (length > this.maxLineBytes) {
      this.rejectOverlong(++this.lineNumber, length);
    } else if (!isUtf8(bytes)) {
      this.sink.reject(++this.lineNumber, "not valid UTF-8", "not valid UTF-8");
    } else {
      this.emit(bytes.toString("utf8"));
    }
  }

  private emit(raw: string): void {
    const n = ++this.lineNumber;
    let text = raw;
    if (text.length > 0 && text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1);
    if (n === 1 && text.charCodeAt(0) === BOM) text = text.slice(1);
    this.sink.line(text, n);
  }

  /** Keeps the start of an unfinished line, or counts it once it is known to be too long. */
  private hold(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.overlongBytes >= 0) {
      this.overlongBytes += bytes.length;
      return;
    }
    if (this.pendingBytes + bytes.length > this.maxLineBytes + 1) {
      // +1: a `\r` that ends the line does not count towards its length.
      this.overlongBytes = this.pendingBytes + bytes.length;
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
      this.rejectOverlong(++this.lineNumber, this.overlongBytes);
      this.overlongBytes = -1;
      return;
    }
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.emitBytes(bytes);
  }

  private rejectOverlong(lineNumber: number, bytes: number): void {
    const reason = `line too long (${bytes} bytes; the limit is ${this.maxLineBytes})`;
    this.sink.reject(lineNumber, "line too long", reason);
  }
}
