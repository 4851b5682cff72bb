import { readFileSync } from "node:fs";

/**
 * The line scanner in WebAssembly (wasm/line-scanner.ts, built to dist/m1/line-scanner.wasm): the path of
 * scan-record.ts that reads a line in the shape of the last one, at about half its cost in JavaScript,
 * one line at a call (scan-record.ts) or many (line-splitter.ts, walk-block.ts), and the index of a
 * block's lines (line-owner.ts); see docs/performance.md. WebAssembly reads only its own memory,
 * so the bytes must be read into one: `scanMemory` makes such a memory, the readers read into it (a
 * file's buffers with one thread, the shared slots with several), and each thread attaches a scanner to
 * it (`attachScanner`). Bytes anywhere else are read in JavaScript, as before; so is every line the
 * scanner is not sure of.
 *
 * A memory is laid out as the data (from offset 0), `TAIL_BYTES` that a scan may read past the data,
 * and then one scratch area per thread, the last thread's first, from the end.
 */

/** A thread's scratch area in a memory: the shape it reads with and the records it read. */
export const SCRATCH_BYTES = 16384;
/** Bytes past the data that a scan may read (it loads sixteen bytes at a time). */
export const TAIL_BYTES = 16;

// Offsets in a scratch area (wasm/line-scanner.ts), in bytes.
const SHAPE_FIELDS = 0;
const SHAPE_KEYS = 4;
const SHAPE_FROM = 132;
const SHAPE_NAME_START = 268;
const SHAPE_NAME_END = 396;
const SHAPE_TEXT = 524;
const RECORDS = 2576;
const RECORD_BYTES = 352;
/** Records `scanOwnLines` reads at most in one call. */
export const BATCH_RECORDS = 32;
// A record's fields, in bytes from its start (wasm/line-scanner.ts R_*); strings' starts and ends are
// offsets in the memory.
export const R_LINE = 0;
export const R_LINE_START = 4;
export const R_REQUEST_ID = 8;
export const R_FUNCTION = 16;
export const R_STAGE = 24;
export const R_ERROR_CODE = 32;
export const R_HASHES = 40;
export const R_STATUS = 56;
export const R_UPSTREAM = 60;
export const R_UNKNOWN_COUNT = 64;
export const R_LATENCY = 72;
export const R_UPSTREAM_LATENCY = 80;
export const R_TIME = 88;
export const R_UNKNOWN = 96;
/** The shape's bounds (scan-record.ts MAX_SHAPE_FIELDS, MAX_SHAPE_BYTES). */
const SHAPE_FIELDS_MAX = 32;
const SHAPE_TEXT_MAX = 2048;

/** The line is not a valid record in the shape (JavaScript's shape path would say the same). */
export const REFUSED = -1;
/** The scanner is not sure (a number it does not read exactly): read the line in JavaScript. */
export const UNSURE = -2;

const PAGE = 65536;

interface ScanExports {
  init(at: number): void;
  shapedLine(start: number, limit: number): number;
  shapedRecord(start: number, end: number): number;
  indexLines(
    start: number,
    end: number,
    endsAt: number,
    ownersAt: number,
    tableAt: number,
    max: number,
  ): number;
  scanOwnLines(
    base: number,
    endsAt: number,
    ownersAt: number,
    from: number,
    lines: number,
    me: number,
    maxLineBytes: number,
  ): number;
  stopped(): number;
  scanLines(start: number, last: number, maxLineBytes: number): number;
}

/**
 * Where the compiled scanner is: beside this module, or, when this module is TypeScript in src/ (under
 * the test runner), in dist/ (`npm test` builds first).
 */
const WASM_PATHS = ["./line-scanner.wasm", "../../dist/m1/line-scanner.wasm"];

/** The compiled module: undefined until first wanted, null when it cannot be used here. */
let compiled: WebAssembly.Module | null | undefined;

/**
 * The compiled scanner, or null: when `ATTRIBUTE_WASM=0` (to compare, and to test the JavaScript path)
 * or when this Node cannot run it (no SIMD); everything then reads in JavaScript.
 */
export function scanModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = null;
    if (process.env.ATTRIBUTE_WASM !== "0") {
      for (const path of WASM_PATHS) {
        try {
          compiled = new WebAssembly.Module(readFileSync(new URL(path, import.meta.url)));
          break;
        } catch {
          // Not there, or not supported: JavaScript reads every line.
        }
      }
    }
  }
  return compiled;
}

/** Uses the module another thread compiled (a worker is given its pool's). */
export function useScanModule(module: WebAssembly.Module | null): void {
  compiled = module;
}

/**
 * A memory for `dataBytes` of input that `threads` scanners can read, or null when there is no
 * scanner, with `extraBytes` more from `extraAt(dataBytes)` (for the index of a block's lines). Shared,
 * so that a pool's workers read it too; its size is fixed (a grown memory would detach every view of it).
 */
export function scanMemory(dataBytes: number, threads: number, extraBytes = 0): WebAssembly.Memory | null {
  if (scanModule() === null) return null;
  const pages = Math.ceil((extraAt(dataBytes) + extraBytes + threads * SCRATCH_BYTES) / PAGE);
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  } catch {
    // No shared WebAssembly memory here (or not this much): JavaScript reads every line.
    return null;
  }
}

/** Where a scan memory's extra bytes start: after the data and what a scan may read past it. */
export function extraAt(dataBytes: number): number {
  return Math.ceil((dataBytes + TAIL_BYTES) / 8) * 8;
}

/** One thread's scanner over one memory. */
export class LineScanner {
  private readonly exports: ScanExports;
  /** The scratch area as words and doubles (offsets in it / 4 and / 8; see `recordAt`). */
  readonly words: Int32Array;
  readonly doubles: Float64Array;
  private readonly bytes: Uint8Array;
  /** The shape last written to the scratch area, by its owner and its version. */
  private shapeOf: object | null = null;
  private shapeVersion = -1;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, thread: number) {
    const buffer = memory.buffer;
    const at = buffer.byteLength - (thread + 1) * SCRATCH_BYTES;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.exports = instance.exports as unknown as ScanExports;
    this.exports.init(at);
    this.words = new Int32Array(buffer, at, SCRATCH_BYTES / 4);
    this.doubles = new Float64Array(buffer, at, SCRATCH_BYTES / 8);
    this.bytes = new Uint8Array(buffer, at, SCRATCH_BYTES);
  }

  /**
   * Makes sure the scanner reads with this shape (scan-record.ts's LineShape, given by its parts):
   * written again only when it is another shape, or the same one learned again.
   */
  useShape(
    owner: object,
    version: number,
    fields: number,
    keys: Int32Array,
    from: Int32Array,
    nameStart: Int32Array,
    nameEnd: Int32Array,
    text: Uint8Array,
  ): void {
    if (this.shapeOf === owner && this.shapeVersion === version) return;
    const words = this.words;
    for (let f = 0; f < SHAPE_FIELDS_MAX; f++) {
      words[SHAPE_KEYS / 4 + f] = keys[f] as number;
      words[SHAPE_NAME_START / 4 + f] = nameStart[f] as number;
      words[SHAPE_NAME_END / 4 + f] = nameEnd[f] as number;
    }
    for (let f = 0; f < SHAPE_FIELDS_MAX + 2; f++) words[SHAPE_FROM / 4 + f] = from[f] as number;
    this.bytes.set(text.subarray(0, Math.min(from[fields + 1] as number, SHAPE_TEXT_MAX)), SHAPE_TEXT);
    words[SHAPE_FIELDS / 4] = fields;
    this.shapeOf = owner;
    this.shapeVersion = version;
  }

  /** Lines this scanner read or indexed (for the tests: that it is used where it should be). */
  lines = 0;
  /** Of them, the lines read in batches (`scanOwnLines`, `scanLines`). */
  batched = 0;

  /** wasm/line-scanner.ts `shapedLine`, in offsets of the memory. */
  shapedLine(start: number, limit: number): number {
    this.lines++;
    return this.exports.shapedLine(start, limit);
  }

  /** wasm/line-scanner.ts `shapedRecord`, in offsets of the memory. */
  shapedRecord(start: number, end: number): number {
    this.lines++;
    return this.exports.shapedRecord(start, end);
  }

  /** wasm/line-scanner.ts `indexLines`, in offsets of the memory. */
  indexLines(
    start: number,
    end: number,
    endsAt: number,
    ownersAt: number,
    tableAt: number,
    max: number,
  ): number {
    const lines = this.exports.indexLines(start, end, endsAt, ownersAt, tableAt, max);
    if (lines > 0) this.lines += lines;
    return lines;
  }

  /**
   * wasm/line-scanner.ts `scanOwnLines`: reads this thread's lines of an indexed block from line `from`
   * into records 0, 1, … (see `recordAt`); returns how many, and `stopped` where it stopped.
   */
  scanOwnLines(
    base: number,
    endsAt: number,
    ownersAt: number,
    from: number,
    lines: number,
    me: number,
    maxLineBytes: number,
  ): number {
    const records = this.exports.scanOwnLines(base, endsAt, ownersAt, from, lines, me, maxLineBytes);
    this.lines += records;
    this.batched += records;
    return records;
  }

  /**
   * wasm/line-scanner.ts `scanLines`: reads the lines from `start` of a chunk whose last newline is at
   * `last` into records 0, 1, …; returns how many, and `stopped` where it stopped.
   */
  scanLines(start: number, last: number, maxLineBytes: number): number {
    const records = this.exports.scanLines(start, last, maxLineBytes);
    this.lines += records;
    this.batched += records;
    return records;
  }

  /**
   * Where the last `scanOwnLines` stopped (the index of a line of the block), or the last `scanLines`
   * (an offset in the memory).
   */
  stopped(): number {
    return this.exports.stopped();
  }

  /**
   * Where record `k` is in `words` (i32s) and, halved, in `doubles`: the fields of the line read
   * (record 0 for `shapedLine` and `shapedRecord`), at the R_* offsets / 4 (and / 8).
   */
  recordAt(k: number): number {
    return (RECORDS + k * RECORD_BYTES) / 4;
  }
}

/** This thread's scanners, by the buffer of their memory. */
const scanners = new Map<ArrayBufferLike, LineScanner>();
let lastBuffer: ArrayBufferLike | null = null;
let lastScanner: LineScanner | null = null;

/**
 * Attaches this thread (`thread`: 0 for the main one, k for worker k) to a memory from `scanMemory`:
 * bytes in its buffer are then read by the scanner. Returns the buffer, as this thread sees it: a
 * SharedArrayBuffer sent in a message arrives as another object, which the scanner would not know.
 */
export function attachScanner(memory: WebAssembly.Memory, thread: number): SharedArrayBuffer {
  const buffer = memory.buffer as SharedArrayBuffer;
  const module = scanModule();
  if (module !== null && !scanners.has(buffer)) {
    try {
      scanners.set(buffer, new LineScanner(module, memory, thread));
    } catch {
      // Not instantiable here: JavaScript reads the bytes in this memory.
    }
  }
  return buffer;
}

/**
 * Lines this thread's scanners were given so far (for the tests), or, `batched`, those of them read
 * by `scanOwnLines`.
 */
export function linesScannedInWasm(batched = false): number {
  let lines = 0;
  for (const scanner of scanners.values()) lines += batched ? scanner.batched : scanner.lines;
  return lines;
}

/** The scanner for bytes in this buffer, or null (read in JavaScript). */
export function scannerFor(buffer: ArrayBufferLike): LineScanner | null {
  if (buffer !== lastBuffer) {
    lastBuffer = buffer;
    lastScanner = scanners.get(buffer) ?? null;
  }
  return lastScanner;
}

/** A file's read buffers in a memory this thread's scanner reads; `release` them when the file is read. */
export interface ScanBuffers {
  readonly buffers: Buffer[];
  release(): void;
}

/** Memories for read buffers, by their count and size, and whether one is in use. */
const readMemories = new Map<string, { readonly memory: WebAssembly.Memory; inUse: boolean }>();

/**
 * `count` buffers of `bytes` in one memory with this thread's scanner (a file's read buffers), or null
 * when there is no scanner or that memory is in use (another file read at the same time): plain
 * buffers then. The memory is kept for the next file.
 */
export function leaseScanBuffers(count: number, bytes: number): ScanBuffers | null {
  if (scanModule() === null) return null;
  const key = `${count}x${bytes}`;
  let held = readMemories.get(key);
  if (held === undefined) {
    const memory = scanMemory(count * (bytes + TAIL_BYTES), 1);
    if (memory === null) return null;
    attachScanner(memory, 0);
    held = { memory, inUse: false };
    readMemories.set(key, held);
  }
  if (held.inUse) return null;
  const lease = held;
  lease.inUse = true;
  const buffer = lease.memory.buffer;
  return {
    buffers: Array.from({ length: count }, (_, k) => Buffer.from(buffer, k * (bytes + TAIL_BYTES), bytes)),
    release: () => {
      lease.inUse = false;
    },
  };
}
