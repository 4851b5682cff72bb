const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * A piece of a source made of whole lines, so that it can be read on its own (by a worker thread):
 * either bytes ending with a newline (or the source's final line), or a line over the length limit that
 * was skipped without being held, given by its length.
 */
export type Block = { readonly bytes: Buffer; readonly overlong?: undefined } | { readonly overlong: number };

/**
 * Cuts a source's chunks into blocks of whole lines. A line that straddles two chunks is carried over
 * (and copied: the reader reuses its buffer); a line that grows past `maxLineBytes` before its newline is
 * dropped as it arrives and reported as one over-long line, so memory stays bounded by the limit.
 * Blocks that are views into a chunk are valid only until the next `push`.
 */
export class BlockCutter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** While skipping an over-long line: its length so far; -1 otherwise. */
  private overlongBytes = -1;
  /** Whether the last byte skipped was `\r` (a `\r` before the newline is not part of the line). */
  private skippedCr = false;

  constructor(private readonly maxLineBytes: number) {}

  /**
   * The bytes of an unfinished line held to be carried over (0 while one over the limit is skipped):
   * the next block starts with them and then the next chunk's bytes up to its first newline.
   */
  get carried(): number {
    return this.overlongBytes >= 0 ? 0 : this.pendingBytes;
  }

  push(chunk: Buffer): Block[] {
    const blocks: Block[] = [];
    let start = 0;
    if (this.overlongBytes >= 0 || this.pendingBytes > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.carry(chunk);
        return blocks;
      }
      this.carry(chunk.subarray(0, newline));
      blocks.push(this.takeCarried());
      start = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      blocks.push({ bytes: chunk.subarray(start, last + 1) });
      start = last + 1;
    }
    if (start < chunk.length) this.carry(chunk.subarray(start));
    return blocks;
  }

  /** The final line, when the source does not end with a newline. */
  end(): Block | null {
    return this.overlongBytes >= 0 || this.pendingBytes > 0 ? this.takeCarried() : null;
  }

  /** Keeps (a copy of) the content of an unfinished line, or only counts it once it is too long. */
  private carry(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const endsWithCr = bytes[bytes.length - 1] === CR;
    if (this.overlongBytes < 0 && this.pendingBytes + bytes.length > this.maxLineBytes + 1) {
      // +1: a final `\r` does not count; past that the line is over the limit whatever follows.
      this.overlongBytes = this.pendingBytes;
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (this.overlongBytes >= 0) {
      this.overlongBytes += bytes.length;
      this.skippedCr = endsWithCr;
      return;
    }
    this.pending.push(Buffer.from(bytes));
    this.pendingBytes += bytes.length;
  }

  private takeCarried(): Block {
    if (this.overlongBytes >= 0) {
      const length = this.overlongBytes - (this.skippedCr ? 1 : 0);
      this.overlongBytes = -1;
      this.skippedCr = false;
      return { overlong: length };
    }
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return { bytes };
  }
}
