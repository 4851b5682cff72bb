import { closeSync, openSync, readSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import type { Readable } from "node:stream";
import { InputError } from "../input-error.js";
import { describeFsError } from "./describe-fs-error.js";
import { gunzipMembers } from "./gunzip-members.js";
import { leaseScanBuffers } from "../m1/wasm-scan.js";

/** Where lines come from: a file path, or standard input (shown as `<stdin>`). */
export type SourceSpec = { readonly kind: "file"; readonly path: string } | { readonly kind: "stdin" };

export const STDIN_NAME = "<stdin>";

/** The name a source goes by in reports and messages. */
export function sourceName(spec: SourceSpec): string {
  return spec.kind === "stdin" ? STDIN_NAME : spec.path;
}

/**
 * Reads files in pieces of this size into one reused buffer (PERF-NOTES.md: cheaper than a stream).
 * Nothing is decoded in bulk (lines stay bytes), so a large piece costs nothing extra.
 */
const READ_SIZE = 1024 * 1024;

/**
 * For a reader of a file's pieces that has a better place for them than the reader's own buffer (the
 * worker pool's shared memory, so that a piece need not be copied there), and work to do while it
 * waits for one.
 */
export interface ReadTarget {
  /** A buffer whose length is how much to read, or null for the reader's own. */
  readonly place: () => Promise<Buffer | null>;
  /** Called once each read has started, before it is awaited. */
  readonly meanwhile: () => void;
}

/**
 * The bytes of a source, decompressed when it is gzip (told by its first two bytes, not its name;
 * multi-member files as written by log rotation or `cat a.gz b.gz` are read whole). A chunk is only
 * valid until the next one is requested. Failures are an `InputError` naming the source. `stored.bytes`
 * counts the bytes read as stored (compressed, for gzip), as file sizes count them.
 */
export async function* readSource(
  spec: SourceSpec,
  stdin: Readable,
  stored: { bytes: number } = { bytes: 0 },
  readAhead = false,
  target: ReadTarget | null = null,
): AsyncGenerator<Buffer> {
  const name = sourceName(spec);
  // Given to the file reader only once the source is known not to be gzip (the inflater may still hold
  // its input when the next piece is read).
  const direct: { target: ReadTarget | null } = { target: null };
  const raw = counted(
    spec.kind === "stdin" ? readStream(stdin, name) : readFile(spec.path, readAhead, direct),
    stored,
  );
  // However reading ends (the end, a gzip error, the reader stopping early), the file is closed.
  try {
    const first = await raw.next();
    if (first.done === true) return;
    let head = first.value;
    // A gzip header needs two bytes; a pipe may deliver fewer in its first chunk.
    while (head.length < 2) {
      const next = await raw.next();
      if (next.done === true) break;
      head = Buffer.concat([head, next.value]);
    }
    if (head[0] === 0x1f && head[1] === 0x8b) {
      yield* gunzipMembers(name, prepend(Buffer.from(head), raw));
    } else {
      if (!readAhead) direct.target = target;
      yield head;
      yield* raw;
    }
  } finally {
    await raw.return(undefined);
  }
}

/**
 * How many bytes of lines a source will give, as far as can be told before reading it: a file's size,
 * or for gzip the size its trailer records (of the last member, modulo 4 GiB: a guess for multi-member
 * or huge files, never less than the stored size). 0 for stdin, for anything but a regular file (a
 * named pipe, a device) and for a file that cannot be read (reading it will say why). Used to reserve
 * room (storage/reserve.ts), never to decide a result.
 */
export function expectedBytes(spec: SourceSpec): number {
  if (spec.kind !== "file") return 0;
  let fd: number | null = null;
  try {
    // Only a regular file is opened here: opening and closing a named pipe could cost its writer a SIGPIPE.
    const stats = statSync(spec.path);
    if (!stats.isFile()) return 0;
    const size = stats.size;
    fd = openSync(spec.path, "r");
    const head = Buffer.alloc(2);
    // A gzip member is at least 18 bytes: its 10-byte header, 8-byte trailer.
    if (size < 18 || readSync(fd, head, 0, 2, 0) < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return size;
    const trailer = Buffer.alloc(4);
    if (readSync(fd, trailer, 0, 4, size - 4) < 4) return size;
    return Math.max(size, trailer.readUInt32LE(0));
  } catch {
    return 0;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * Whether a source is a regular file that is not gzip (told by its first two bytes, as `readSource`
 * tells it): one that can be read in place into shared memory, in pieces of any size.
 */
export function isPlainFile(spec: SourceSpec): boolean {
  if (spec.kind !== "file") return false;
  let fd: number | null = null;
  try {
    if (!statSync(spec.path).isFile()) return false;
    fd = openSync(spec.path, "r");
    const head = Buffer.alloc(2);
    return !(readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b);
  } catch {
    return false;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Counts the bytes as stored (compressed, for gzip) into `stored.bytes`: the progress line's share. */
async function* counted(chunks: AsyncGenerator<Buffer>, stored: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    stored.bytes += chunk.length;
    yield chunk;
  }
}

async function* prepend(head: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for await (const chunk of rest) yield Buffer.from(chunk);
}

/**
 * A file's bytes in pieces. Each piece is read into `direct.target`'s buffer when it gives one (never
 * with read-ahead: the target's place is only known once the last piece has been taken), else into the
 * reader's own, reused buffer(s).
 */
async function* readFile(
  path: string,
  readAhead: boolean,
  direct: { readonly target: ReadTarget | null },
): AsyncGenerator<Buffer> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  // A regular file's size when opened: one that ends short of it was truncated while it was read (as
  // logrotate's copytruncate does), and the lines it lost must not go unmentioned.
  let sizeWhenOpened = 0;
  try {
    const stats = await handle.stat();
    if (stats.isFile()) sizeWhenOpened = stats.size;
  } catch {
    // Not known: no check (reading still reports its own errors).
  }
  let total = 0;
  // In a memory the WebAssembly scanner reads, when it can (m1/wasm-scan.ts).
  const count = readAhead ? 2 : 1;
  const lease = leaseScanBuffers(count, READ_SIZE);
  const buffers = lease?.buffers ?? Array.from({ length: count }, () => Buffer.allocUnsafe(READ_SIZE));
  let which = 0;
  const readInto = async (own: Buffer): Promise<Buffer> => {
    const target = direct.target;
    const buffer = (target === null ? null : await target.place()) ?? own;
    const reading = handle.read(buffer, 0, buffer.length, -1);
    // Awaited just below, so never an unhandled rejection.
    reading.catch(() => undefined);
    // Outside the `try`: a failure of its own is not the file's.
    target?.meanwhile();
    try {
      const { bytesRead } = await reading;
      return buffer.subarray(0, bytesRead);
    } catch (error) {
      throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
    }
  };
  const startRead = (own: Buffer): Promise<Buffer> => {
    const reading = readInto(own);
    // Awaited later (or in `finally`): never an unhandled rejection while a chunk is being read.
    reading.catch(() => undefined);
    return reading;
  };
  let next = startRead(buffers[0] as Buffer);
  /** The read not yet awaited, if any: awaited before the file is closed, however reading ends. */
  let pending: Promise<Buffer> | null = next;
  try {
    for (;;) {
      const chunk = await next;
      pending = null;
      if (chunk.length === 0) {
        if (total < sizeWhenOpened) {
          throw new InputError(
            `${path} shrank while it was read: ${sizeWhenOpened} bytes when opened, ${total} at its end ` +
              `(truncated in place, as logrotate's copytruncate does); what it held past byte ${total} was not read`,
          );
        }
        return;
      }
      total += chunk.length;
      // With two buffers the next piece is read while this one is processed; with one, after.
      which = (which + 1) % buffers.length;
      if (readAhead) pending = next = startRead(buffers[which] as Buffer);
      yield chunk;
      if (!readAhead) pending = next = startRead(buffers[which] as Buffer);
    }
  } finally {
    await pending?.catch(() => undefined);
    lease?.release();
    await handle.close();
  }
}

async function* readStream(stream: Readable, name: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream)
      yield typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
  } catch (error) {
    throw new InputError(`cannot read ${name}: ${describeFsError(error)}`);
  }
}
