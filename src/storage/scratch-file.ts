import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Positioned scratch space for data too large to keep in memory: written once, read back, never
 * shown to anyone. The unit table keeps the fingerprints of long-running units here when they outgrow
 * their memory budget (see m1/distinct-prints.ts); it reaches the file system only through this.
 */
export interface ScratchStore {
  /** Writes all of `bytes` at `position`. Throws when it cannot (the disk is full, say). */
  write(bytes: Uint8Array, position: number): void;
  /** Fills all of `into` from `position`. */
  read(into: Uint8Array, position: number): void;
  /** Frees the space. */
  close(): void;
}

/** Where scratch space comes from, and how much a table keeps in memory before it uses any. */
export interface ScratchPolicy {
  /** Opens a store, or returns null when there is none to be had (the table then stays in memory). */
  readonly open: () => ScratchStore | null;
  /** Fingerprints a table keeps in memory (12 bytes each, in a set at most half full) before it spills. */
  readonly printsInMemory: number;
}

/**
 * 128 Ki fingerprints: a set of 3 MiB (at most half full), room for most logs' every long request. It
 * was 256 Ki (6 MiB): halved, 10M lines of 10k units with two threads peaked 5–6 MiB lower, in the same
 * time (docs/performance.md); the triples past it cost 12 bytes of disk each.
 */
export const PRINTS_IN_MEMORY = 128 * 1024;

/**
 * The CLI's policy: files in the system's temporary directory (`TMPDIR`), and PRINTS_IN_MEMORY, which
 * `ATTRIBUTE_PRINTS_IN_MEMORY` moves (so that tests can make a small input spill).
 */
export function scratchFiles(env: NodeJS.ProcessEnv = process.env): ScratchPolicy {
  const value = Number(env.ATTRIBUTE_PRINTS_IN_MEMORY);
  const printsInMemory =
    env.ATTRIBUTE_PRINTS_IN_MEMORY !== undefined && Number.isSafeInteger(value) && value >= 0
      ? value
      : PRINTS_IN_MEMORY;
  return { open: () => openScratchFile(tmpdir()), printsInMemory };
}

/**
 * The policy for one of `threads` threads that read one run side by side: the in-memory budget is the
 * run's, shared between them (10M lines of 10k units, two workers: 146–150 → 137–144 MiB, 6.25–6.72 s
 * → 5.62–6.39 s).
 */
export function scratchFilesShared(threads: number, env: NodeJS.ProcessEnv = process.env): ScratchPolicy {
  const policy = scratchFiles(env);
  return { ...policy, printsInMemory: Math.ceil(policy.printsInMemory / threads) };
}

/**
 * A scratch file in `directory`, or null when none can be made there. The file is removed as soon as it
 * is open (POSIX keeps an open file's space until it is closed), so nothing is left behind however the
 * process ends; where removing an open file fails (Windows), it is removed on `close`.
 */
export function openScratchFile(directory: string): ScratchStore | null {
  let folder: string;
  try {
    folder = mkdtempSync(join(directory, "attribute-"));
  } catch {
    return null;
  }
  const path = join(folder, "fingerprints");
  let fd: number;
  try {
    fd = openSync(path, "w+", 0o600);
  } catch {
    removeQuietly(folder);
    return null;
  }
  let removed = removeQuietly(folder);
  return {
    write(bytes, position) {
      for (let done = 0; done < bytes.length;) {
        done += writeSync(fd, bytes, done, bytes.length - done, position + done);
      }
    },
    read(into, position) {
      for (let done = 0; done < into.length;) {
        const got = readSync(fd, into, done, into.length - done, position + done);
        if (got === 0) throw new Error(`scratch file ended at byte ${position + done}`);
        done += got;
      }
    },
    close() {
      closeSync(fd);
      if (!removed) removed = removeQuietly(folder);
    },
  };
}

function removeQuietly(folder: string): boolean {
  try {
    unlinkSync(join(folder, "fingerprints"));
  } catch {
    // Not there yet, or (Windows) still open.
  }
  try {
    rmSync(folder, { recursive: true });
    return true;
  } catch {
    return false;
  }
}
