import { open } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { createGunzip } from "node:zlib";
import { InputError } from "../input-error.js";

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
 * The bytes of a source, decompressed when it is gzip (told by its first two bytes, not its name;
 * multi-member files as written by log rotation or `cat a.gz b.gz` are read whole). A chunk is only
 * valid until the next one is requested. Failures are an `InputError` naming the source.
 */
export async function* readSource(spec: SourceSpec, stdin: Readable): AsyncGenerator<Buffer> {
  const name = sourceName(spec);
  const raw = spec.kind === "stdin" ? readStream(stdin, name) : readFile(spec.path);
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
    yield* gunzip(name, prepend(Buffer.from(head), raw));
  } else {
    yield head;
    yield* raw;
  }
}

async function* prepend(head: Buffer, rest: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  for await (const chunk of rest) yield Buffer.from(chunk);
}

async function* readFile(path: string): AsyncGenerator<Buffer> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    for (;;) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, READ_SIZE, null));
      } catch (error) {
        throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
      }
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
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

async function* gunzip(name: string, compressed: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const inflate = createGunzip();
  let consumed = 0;
  const feed = (async () => {
    try {
      for await (const chunk of compressed) {
        consumed += chunk.length;
        if (!inflate.write(chunk) && !inflate.destroyed) await drainOrClose(inflate);
        if (inflate.destroyed) return;
      }
      inflate.end();
    } catch (error) {
      inflate.destroy(error as Error);
    }
  })();
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(
      `${name}: ${describeGzipError(error)} (within the first ${consumed} compressed bytes)`,
    );
  } finally {
    inflate.destroy();
    await feed;
  }
}

/**
 * Waits until the stream takes more input, or is destroyed and never will: after a gzip error, or when the
 * reader stopped early. Waiting for "drain" alone would never end then, and `gunzip` awaits the feed.
 */
function drainOrClose(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      resolve();
    };
    stream.on("drain", done);
    stream.on("close", done);
  });
}

function describeGzipError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "Z_BUF_ERROR") return "gzip data ends early (truncated file?)";
  const message = error instanceof Error ? error.message : String(error);
  return `corrupt gzip data: ${message}`;
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
