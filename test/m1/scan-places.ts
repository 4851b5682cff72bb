import { attachScanner, scanMemory, scannerFor } from "../../src/m1/wasm-scan.js";

/** Where a test puts the bytes it scans: that decides which scanner reads them (m1/wasm-scan.ts). */
export type Place = (bytes: Buffer) => Buffer;

const DATA_BYTES = 1 << 20;
const memory = scanMemory(DATA_BYTES, 1);
if (memory === null) throw new Error("the WebAssembly scanner is not built: run `npm run build` first");
const buffer = attachScanner(memory, 0);
let next = 0;

/**
 * A copy of the bytes in the WebAssembly scanner's memory, so that the scanner reads them there. Each
 * copy goes after the last, at a changing alignment, so that the bytes after it are those of earlier
 * tests (the scanner must not read past a line's end), until the memory is used up and it starts again.
 */
export const inWasmMemory: Place = (bytes) => {
  if (next + bytes.length + 8 > DATA_BYTES) next = 0;
  const copy = Buffer.from(buffer, next, bytes.length);
  bytes.copy(copy);
  next += bytes.length + 1 + (next % 7);
  if (scannerFor(copy.buffer) === null) throw new Error("the WebAssembly scanner does not know its memory");
  return copy;
};

/** The bytes where they are: read in JavaScript. */
export const inJsMemory: Place = (bytes) => {
  if (scannerFor(bytes.buffer) !== null) throw new Error("a plain buffer is in the scanner's memory");
  return bytes;
};

/** Both places, for `describe.each`: every scanner test runs against both scanners. */
export const PLACES: [string, Place][] = [
  ["JavaScript", inJsMemory],
  ["WebAssembly", inWasmMemory],
];
