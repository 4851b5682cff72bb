import { describe, expect, it } from "vitest";
import {
  attachScanner,
  leaseScanBuffers,
  scanMemory,
  scanModule,
  scannerFor,
  SCRATCH_BYTES,
  TAIL_BYTES,
} from "../../src/m1/wasm-scan.js";

describe("wasm-scan: the memories the WebAssembly scanner reads", () => {
  it("is built, and finds its scanner by a memory's buffer, none for any other buffer", () => {
    expect(scanModule(), "npm run build compiles wasm/ first").not.toBeNull();
    const memory = scanMemory(1000, 2);
    expect(memory).not.toBeNull();
    const buffer = attachScanner(memory as WebAssembly.Memory, 1);
    // The data, what a scan may read past it and two scratch areas fit.
    expect(buffer.byteLength).toBeGreaterThanOrEqual(1000 + TAIL_BYTES + 2 * SCRATCH_BYTES);
    expect(scannerFor(buffer)).not.toBeNull();
    expect(scannerFor(new SharedArrayBuffer(1000))).toBeNull();
    expect(scannerFor(Buffer.alloc(10).buffer)).toBeNull();
  });

  it("gives no memory where one cannot be made (JavaScript then reads every line)", () => {
    expect(scanMemory(2 ** 33, 1)).toBeNull();
  });

  it("leases a file's read buffers to one reader at a time, in one memory with a scanner", () => {
    const first = leaseScanBuffers(2, 4096);
    expect(first?.buffers.map((b) => b.length)).toEqual([4096, 4096]);
    const [a, b] = first?.buffers as [Buffer, Buffer];
    expect(a.buffer).toBe(b.buffer);
    expect(scannerFor(a.buffer)).not.toBeNull();
    // Apart by what a scan may read past the first.
    expect(b.byteOffset - a.byteOffset).toBeGreaterThanOrEqual(4096 + TAIL_BYTES);
    expect(leaseScanBuffers(2, 4096), "in use: plain buffers then").toBeNull();
    first?.release();
    const again = leaseScanBuffers(2, 4096);
    expect(again?.buffers[0]?.buffer).toBe(a.buffer);
    again?.release();
  });
});
