import * as zlib from "node:zlib";
import { InputError } from "../input-error.js";

/**
 * Decompresses gzip member by member (RFC 1952), yielding the data as it comes.
 *
 * Node's own gunzip reads multi-member files, but when it meets damage (trailing garbage, a corrupt
 * member) it throws away the output it had decoded in the same step, so lines that were intact in the
 * file would be lost. Here each member's header and trailer are read by hand and its body inflated raw,
 * so everything before the damage is yielded, and the error names the byte offset where it is.
 */
export async function* gunzipMembers(
  name: string,
  compressed: AsyncIterator<Buffer>,
): AsyncGenerator<Buffer> {
  const input = new ByteQueue(compressed);
  for (let member = 0; ; member++) {
    if (!(await input.fill(1))) return;
    if (member > 0 && (await input.restIsZeros())) return;
    const headerAt = input.offset;
    const header = await readHeader(input);
    if (header === "truncated") throw damage(name, headerAt, "gzip data ends early (truncated file?)");
    if (header === "not gzip") {
      const what =
        member === 0 ? "not gzip data" : `data after the last gzip member is not gzip (${member} read)`;
      throw damage(name, headerAt, what);
    }
    let crc = 0;
    let size = 0;
    for await (const piece of inflateMember(name, input)) {
      crc = crc32(piece, crc);
      size = (size + piece.length) >>> 0;
      yield piece;
    }
    const trailerAt = input.offset;
    if (!(await input.fill(8))) throw damage(name, trailerAt, "gzip data ends early (truncated file?)");
    const trailer = input.take(8);
    if (trailer.readUInt32LE(0) !== crc >>> 0 || trailer.readUInt32LE(4) !== size) {
      throw damage(name, trailerAt, "corrupt gzip data (checksum mismatch)");
    }
  }
}

function damage(name: string, offset: number, what: string): InputError {
  return new InputError(`${name}: ${what} at compressed byte ${offset}; the lines before it were read`);
}

/** Reads a member header (RFC 1952 section 2.3), or says why it cannot. */
async function readHeader(input: ByteQueue): Promise<"ok" | "truncated" | "not gzip"> {
  if (!(await input.fill(10)))
    return (await input.fill(1)) && input.peek(0) !== 0x1f ? "not gzip" : "truncated";
  if (input.peek(0) !== 0x1f || input.peek(1) !== 0x8b || input.peek(2) !== 8) return "not gzip";
  const flags = input.peek(3);
  let at = 10;
  if (flags & 0x04) {
    if (!(await input.fill(at + 2))) return "truncated";
    at += 2 + (input.peek(at) | (input.peek(at + 1) << 8));
  }
  for (const flag of [0x08, 0x10]) {
    if (!(flags & flag)) continue;
    // A zero-terminated name or comment.
    for (;;) {
      if (!(await input.fill(at + 1))) return "truncated";
      if (input.peek(at++) === 0) break;
    }
  }
  if (flags & 0x02) at += 2;
  if (!(await input.fill(at))) return "truncated";
  input.take(at);
  return "ok";
}

/** Inflates one raw deflate body from the queue, leaving the bytes after it in the queue. */
async function* inflateMember(name: string, input: ByteQueue): AsyncGenerator<Buffer> {
  // Output in pieces of 1 MiB (the default is 16 KiB): far fewer events and yields per byte.
  const inflate = zlib.createInflateRaw({ chunkSize: 1024 * 1024 });
  const out: Buffer[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  inflate.on("data", (piece: Buffer) => {
    out.push(piece);
    notify();
  });
  inflate.on("end", () => {
    ended = true;
    notify();
  });
  inflate.on("error", (error) => {
    failure = error;
    notify();
  });
  inflate.on("drain", notify);
  const start = input.offset;
  // Chunks given to the inflater and maybe not all consumed by it (the end of the body is only known
  // after); chunks it has consumed whole are dropped, so memory stays at a chunk or two.
  const given: Buffer[] = [];
  let givenBytes = 0;
  let droppedBytes = 0;
  try {
    for (;;) {
      while (out.length > 0) yield out.shift() as Buffer;
      if (failure !== null) {
        const code = (failure as { code?: string }).code;
        const what = code === "Z_BUF_ERROR" ? "gzip data ends early (truncated file?)" : "corrupt gzip data";
        throw damage(name, start + inflate.bytesWritten, what);
      }
      if (ended) break;
      if (inflate.writableNeedDrain || inflate.writableEnded) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      const chunk = await input.next();
      if (chunk === null) {
        inflate.end();
        continue;
      }
      given.push(chunk);
      givenBytes += chunk.length;
      inflate.write(chunk);
      // Let the inflater run before deciding what to do next.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (given.length > 1 && droppedBytes + (given[0] as Buffer).length <= inflate.bytesWritten) {
        droppedBytes += (given.shift() as Buffer).length;
      }
    }
  } finally {
    inflate.removeAllListeners("data");
    inflate.removeAllListeners("drain");
    if (!ended) inflate.destroy();
  }
  // What the body did not use is the trailer and whatever follows: give it back to the queue.
  const unused = givenBytes - inflate.bytesWritten;
  if (unused > 0) {
    const kept = given.length === 1 ? (given[0] as Buffer) : Buffer.concat(given);
    input.unread(kept.subarray(kept.length - unused), start + inflate.bytesWritten);
  }
}

/** The compressed bytes, with look-ahead: a queue over an async iterator of chunks. */
class ByteQueue {
  private buffer = Buffer.alloc(0);
  /** The compressed offset of `buffer[0]`. */
  offset = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer>) {}

  /** Ensures at least `n` bytes are buffered; false when the input ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.buffer.length < n && !this.done) {
      const next = await this.source.next();
      if (next.done === true) this.done = true;
      else
        this.buffer =
          this.buffer.length === 0 ? Buffer.from(next.value) : Buffer.concat([this.buffer, next.value]);
    }
    return this.buffer.length >= n;
  }

  peek(i: number): number {
    return this.buffer[i] as number;
  }

  take(n: number): Buffer {
    const taken = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    this.offset += n;
    return taken;
  }

  /** The next chunk: what is buffered, else the next from the source; null at the end. */
  async next(): Promise<Buffer | null> {
    if (this.buffer.length === 0 && !(await this.fill(1))) return null;
    return this.take(this.buffer.length);
  }

  /** Puts bytes back at the front; `offset` is where they sit in the input. */
  unread(bytes: Buffer, offset: number): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(bytes) : Buffer.concat([bytes, this.buffer]);
    this.offset = offset;
  }

  /** True when everything left is zero bytes (padding some tools add after the last member). */
  async restIsZeros(): Promise<boolean> {
    for (;;) {
      if (this.buffer.some((b) => b !== 0)) return false;
      if (this.done) return true;
      this.buffer = Buffer.alloc(0);
      if (!(await this.fill(1))) return true;
    }
  }
}

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 as gzip uses it: zlib's native one where Node has it (20.15+), else a table. */
function crc32(data: Buffer, previous: number): number {
  const native = (zlib as { crc32?: (data: Buffer, value: number) => number }).crc32;
  if (native !== undefined) return native(data, previous);
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = (TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
