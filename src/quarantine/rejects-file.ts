import { isUtf8 } from "node:buffer";
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { writeError } from "../write-report.js";
import type { Violation } from "../m1/intake.js";
import { stringifySafely } from "../report/render-json.js";

/** One quarantined line: enough to find it, see why, fix it and replay it. */
export interface RejectEnvelope {
  readonly source: string;
  readonly line: number;
  readonly reason: string;
  /**
   * The line's bytes as text, or base64 (see `encoding`) where they are not valid UTF-8; null for a line
   * over the length limit, which is never held whole.
   */
  readonly raw: string | null;
  /** Present when `raw` is base64. */
  readonly encoding?: "base64";
}

const FLUSH_AT = 64 * 1024;

/**
 * `--rejects FILE`: every invalid line as an NDJSON envelope, in input order, so that with it
 * valid + rejected + blank = lines holds exactly. Written beside the final name and renamed into place
 * when complete, like `--output`.
 */
export class RejectsFile {
  private readonly fd: number;
  private readonly temporary: string;
  private pending = "";
  /** Envelopes written. */
  count = 0;

  constructor(private readonly path: string) {
    // A device or FIFO is written to directly: renaming over it would replace it (see write-report.ts).
    this.temporary = isSpecialFileSync(path)
      ? path
      : join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
    try {
      this.fd = openSync(this.temporary, "w");
    } catch (error) {
      throw writeError(path, error);
    }
  }

  /** A listener for readLogs' `onReject`. */
  readonly add = (violation: Violation, raw: Uint8Array | null): void => {
    this.pending += `${stringifySafely(envelope(violation, raw))}\n`;
    this.count++;
    if (this.pending.length >= FLUSH_AT) this.flush();
  };

  /** Writes what is pending and puts the file in place. */
  close(): void {
    try {
      this.flush();
      closeSync(this.fd);
      if (this.temporary !== this.path) renameSync(this.temporary, this.path);
    } catch (error) {
      if (this.temporary !== this.path) rmSync(this.temporary, { force: true });
      throw writeError(this.path, error);
    }
  }

  /** Drops the file (the run failed before it was complete). */
  discard(): void {
    try {
      closeSync(this.fd);
    } finally {
      if (this.temporary !== this.path) rmSync(this.temporary, { force: true });
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending, "utf8");
    this.pending = "";
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(this.fd, bytes, written);
    } catch (error) {
      throw writeError(this.path, error);
    }
  }
}

/** The envelope of one invalid line. */
export function envelope(violation: Violation, raw: Uint8Array | null): RejectEnvelope {
  const base = { source: violation.source, line: violation.line, reason: violation.reason };
  // A line over the length limit is never held whole (its reason gives its length).
  if (raw === null) return { ...base, raw: null };
  const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return isUtf8(buffer)
    ? { ...base, raw: buffer.toString("utf8") }
    : { ...base, raw: buffer.toString("base64"), encoding: "base64" };
}

function isSpecialFileSync(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}
