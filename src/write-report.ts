import { randomBytes } from "node:crypto";
import { open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "./input-error.js";
import type { OutputStream } from "./io.js";

/**
 * Writes the report to stdout, honouring backpressure, or to a file. A regular file is written beside
 * its final name and renamed into place, so a failed run never leaves half a report where a whole one
 * was; anything else that already exists there (/dev/null, /dev/stdout, a FIFO, a device) is written to
 * directly, since renaming over it would replace it.
 */
export async function writeReport(
  chunks: Iterable<string>,
  path: string | undefined,
  stdout: OutputStream,
): Promise<void> {
  // Our own stdout by name: opening it can fail (a socket gives ENXIO), and writing to it is what is meant.
  if (path === undefined || STDOUT_NAMES.has(path)) {
    // Once the reader is gone (EPIPE), a write returns false and no 'drain', 'error' or 'close' ever
    // comes again: stop writing instead of waiting forever.
    let gone = false;
    const onGone = (): void => {
      gone = true;
    };
    stdout.once("error", onGone);
    stdout.once("close", onGone);
    try {
      for (const chunk of chunks) {
        if (gone) return;
        if (!stdout.write(chunk)) await drained(stdout);
      }
    } finally {
      stdout.removeListener("error", onGone);
      stdout.removeListener("close", onGone);
    }
    return;
  }
  if (await isSpecialFile(path)) {
    try {
      const handle = await open(path, "w");
      try {
        for (const chunk of chunks) await handle.write(chunk);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw writeError(path, error);
    }
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(temporary, "w");
    try {
      for (const chunk of chunks) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw writeError(path, error);
  }
}

const STDOUT_NAMES = new Set(["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]);

/** True when the path exists and is not a regular file (a device, a FIFO, a socket). */
export async function isSpecialFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The one-line error for a failed write, naming the file. */
export function writeError(path: string, error: unknown): InputError {
  const reason = (error as { code?: string }).code ?? (error as Error).message;
  return new InputError(`cannot write ${path}: ${describeWriteError(reason)}`);
}

function describeWriteError(code: string): string {
  switch (code) {
    case "ENOENT":
      return "its folder does not exist";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    case "EISDIR":
      return "it is a directory";
    default:
      return code;
  }
}

/** Resolves when the stream can take more, or when it closed or failed (EPIPE: the reader went away). */
function drained(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.removeListener("drain", done);
      stream.removeListener("error", done);
      stream.removeListener("close", done);
      resolve();
    };
    stream.once("drain", done);
    stream.once("error", done);
    stream.once("close", done);
  });
}
