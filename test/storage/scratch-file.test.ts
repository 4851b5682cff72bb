import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  openScratchFile,
  PRINTS_IN_MEMORY,
  scratchFiles,
  scratchFilesShared,
} from "../../src/storage/scratch-file.js";

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "attribute-scratch-test-"));
  made.push(dir);
  return dir;
}

describe("scratch files", () => {
  it("read back what was written, at any position", () => {
    const store = openScratchFile(emptyDir());
    expect(store).not.toBeNull();
    store?.write(Buffer.from("hello"), 0);
    store?.write(Buffer.from("world"), 100_000);
    const back = Buffer.alloc(5);
    store?.read(back, 100_000);
    expect(back.toString()).toBe("world");
    store?.read(back, 0);
    expect(back.toString()).toBe("hello");
    store?.close();
  });

  it("leave nothing behind, even while open (a killed run leaves no file)", () => {
    const dir = emptyDir();
    const store = openScratchFile(dir);
    store?.write(Buffer.alloc(1 << 16, 1), 0);
    expect(readdirSync(dir)).toEqual([]);
    store?.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("are not to be had in a directory that does not exist (the table then stays in memory)", () => {
    expect(openScratchFile(join(emptyDir(), "missing"))).toBeNull();
  });

  it("reading past the end is an error, not zeros", () => {
    const store = openScratchFile(emptyDir());
    store?.write(Buffer.from("abc"), 0);
    expect(() => store?.read(Buffer.alloc(10), 0)).toThrow(/ended/);
    store?.close();
  });

  it("ATTRIBUTE_PRINTS_IN_MEMORY moves the memory budget; anything but a count leaves the default", () => {
    expect(scratchFiles({}).printsInMemory).toBe(PRINTS_IN_MEMORY);
    expect(scratchFiles({ ATTRIBUTE_PRINTS_IN_MEMORY: "0" }).printsInMemory).toBe(0);
    expect(scratchFiles({ ATTRIBUTE_PRINTS_IN_MEMORY: "1000" }).printsInMemory).toBe(1000);
    expect(scratchFiles({ ATTRIBUTE_PRINTS_IN_MEMORY: "lots" }).printsInMemory).toBe(PRINTS_IN_MEMORY);
    expect(scratchFiles({ ATTRIBUTE_PRINTS_IN_MEMORY: "-1" }).printsInMemory).toBe(PRINTS_IN_MEMORY);
  });

  it("threads reading one run side by side share its budget (rounded up), ATTRIBUTE_PRINTS_IN_MEMORY too", () => {
    expect(scratchFilesShared(1, {}).printsInMemory).toBe(PRINTS_IN_MEMORY);
    expect(scratchFilesShared(2, {}).printsInMemory).toBe(PRINTS_IN_MEMORY / 2);
    expect(scratchFilesShared(3, { ATTRIBUTE_PRINTS_IN_MEMORY: "1000" }).printsInMemory).toBe(334);
    expect(scratchFilesShared(2, { ATTRIBUTE_PRINTS_IN_MEMORY: "0" }).printsInMemory).toBe(0);
  });
});
