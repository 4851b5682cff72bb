import type { Readable } from "node:stream";

/** Where the CLI reads and writes: the process in production, plain objects in tests. */
export interface Io {
  readonly stdin: Readable & { readonly isTTY?: boolean };
  readonly stdout: OutputStream;
  readonly stderr: { readonly isTTY?: boolean; write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: reading stops and what was read is reported. */
  readonly signal?: AbortSignal;
}

/** The subset of a Writable the CLI writes to; `isTTY` decides colour. */
export interface OutputStream {
  readonly isTTY?: boolean;
  /** The terminal's size, when it is one (the live view fits it). */
  readonly columns?: number;
  readonly rows?: number;
  write(text: string): boolean;
  once(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
  removeListener(event: "drain" | "error" | "close", listener: (...args: unknown[]) => void): unknown;
}

/** Exit codes (README.md, "Exit codes"). */
export const EXIT = {
  /** A report was produced. */
  ok: 0,
  /** A report was produced and a gate the user asked for tripped (later: --fail-on and others). */
  gate: 1,
  /** Could not run, or could not read all of the input (the report, if any, says INCOMPLETE). */
  failure: 2,
  /** Interrupted by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
