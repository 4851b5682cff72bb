// readSource: files, stdin and gzip -> bytes, as its contract in src/input/read-source.ts states it; the lines
// those bytes hold are counted as SPEC.md section 1 says.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/input-error.js";
import { LineSplitter } from "../../src/input/line-splitter.js";
import { expectedBytes, isPlainFile, readSource, type SourceSpec } from "../../src/input/read-source.js";

const NO_STDIN = Readable.from([]);
const TEXT = '{"a":1}\n{"b":2}\n';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "attribute-read-source-"));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a fixture named after its case into the temporary directory and returns it as a source. */
function fixture(name: string, bytes: Buffer | string): SourceSpec & { readonly path: string } {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { kind: "file", path };
}

/** Everything the source yields, and the error that stopped it, if any. */
async function read(
  spec: SourceSpec,
  stdin: Readable = NO_STDIN,
  readAhead = false,
): Promise<{ data: Buffer; chunks: number; error: unknown }> {
  const chunks: Buffer[] = [];
  let error: unknown = null;
  try {
    // Copied: a chunk is only valid until the next one is requested.
    for await (const chunk of readSource(spec, stdin, undefined, readAhead)) chunks.push(Buffer.from(chunk));
  } catch (failure) {
    error = failure;
  }
  return { data: Buffer.concat(chunks), chunks: chunks.length, error };
}

/** The source's data, failing the test if reading it failed. */
async function readAll(spec: SourceSpec, stdin: Readable = NO_STDIN, readAhead = false): Promise<Buffer> {
  const { data, error } = await read(spec, stdin, readAhead);
  if (error !== null) throw error as Error;
  return data;
}

function countLines(data: Buffer): number {
  const splitter = new LineSplitter({ line() {}, reject() {} }, 1024 * 1024);
  splitter.push(data);
  splitter.end();
  return splitter.lines;
}

/** Hex lines: gzip can hardly shrink them, so the compressed file outgrows zlib's buffers and one read. */
function bulkyText(lines: number): string {
  return Array.from({ length: lines }, () => `{"r":"${randomBytes(24).toString("hex")}"}\n`).join("");
}

/** Asserts an InputError whose message names the source. */
function expectInputError(error: unknown, name: string): void {
  expect(error).toBeInstanceOf(InputError);
  expect((error as Error).message).toContain(name);
}

describe("readSource: gzip (told by its first two bytes, not its name)", () => {
  it("a gzip file named .txt is decompressed", async () => {
    expect((await readAll(fixture("gzip-named.txt", gzipSync(TEXT)))).toString()).toBe(TEXT);
  });

  it("a plain file named .gz is read as it is", async () => {
    expect((await readAll(fixture("plain-named.gz", TEXT))).toString()).toBe(TEXT);
  });

  it("a multi-member gzip (two gzip outputs concatenated) is read whole", async () => {
    const members = Buffer.concat([gzipSync('{"a":1}\n{"b"'), gzipSync(':2}\n{"c":3}\n')]);
    expect((await readAll(fixture("multi-member.gz", members))).toString()).toBe(
      '{"a":1}\n{"b":2}\n{"c":3}\n',
    );
  });

  it("a large multi-member gzip is read whole", async () => {
    const first = bulkyText(8000);
    const second = bulkyText(8000);
    const members = Buffer.concat([gzipSync(first), gzipSync(second)]);
    expect(members.length).toBeGreaterThan(256 * 1024);
    expect((await readAll(fixture("multi-member-large.gz", members))).toString()).toBe(first + second);
  });

  it("SPEC 1: a gzip of empty content gives no lines", async () => {
    const data = await readAll(fixture("empty-content.gz", gzipSync("")));
    expect(data.length).toBe(0);
    expect(countLines(data)).toBe(0);
  });

  it("a gzip followed by zero padding is read whole", async () => {
    const padded = Buffer.concat([gzipSync(TEXT), Buffer.alloc(16)]);
    expect((await readAll(fixture("zero-padded.gz", padded))).toString()).toBe(TEXT);
  });

  it("a truncated gzip throws an InputError naming the file, after yielding the data before the damage", async () => {
    const spec = fixture("truncated.gz", gzipSync(TEXT).subarray(0, -8)); // the CRC and size are missing
    const { data, error } = await read(spec);
    expectInputError(error, spec.path);
    expect(data.toString()).toBe(TEXT);
  });

  it("a gzip cut in the middle yields a prefix of its data, then an InputError naming the file", async () => {
    const text = bulkyText(5000);
    const compressed = gzipSync(text);
    const spec = fixture("cut-in-the-middle.gz", compressed.subarray(0, compressed.length >> 1));
    const { data, error } = await read(spec);
    expectInputError(error, spec.path);
    expect(data.length).toBeGreaterThan(text.length / 4);
    expect(text.startsWith(data.toString())).toBe(true);
  });

  it("a gzip followed by garbage throws an InputError naming the file", async () => {
    const spec = fixture("trailing-garbage.gz", Buffer.concat([gzipSync(TEXT), Buffer.from("garbage\n")]));
    const { error } = await read(spec);
    expectInputError(error, spec.path);
  });

  it("a gzip followed by garbage yields all of the gzip's data before the InputError", async () => {
    // The member itself is intact (as when a crash leaves a partial write after it): all of it is readable.
    const spec = fixture(
      "trailing-garbage-data.gz",
      Buffer.concat([gzipSync(TEXT), Buffer.from("garbage\n")]),
    );
    const { data, error } = await read(spec);
    expect(error).toBeInstanceOf(InputError);
    expect(data.toString()).toBe(TEXT);
  });

  it("a gzip corrupt early in a large file throws an InputError naming the file (and does not hang)", async () => {
    const compressed = gzipSync(bulkyText(20000));
    for (let at = 20; at < 220; at++) compressed[at] = (compressed[at] ?? 0) ^ 0x55;
    const spec = fixture("corrupt-early.gz", compressed);
    const { error } = await read(spec);
    expectInputError(error, spec.path);
  }, 10_000);

  it("a reader that stops early releases a large gzip file (does not hang)", async () => {
    const spec = fixture("stopped-early.gz", gzipSync(bulkyText(20000)));
    let chunks = 0;
    for await (const chunk of readSource(spec, NO_STDIN)) {
      expect(chunk.length).toBeGreaterThan(0);
      if (++chunks === 2) break;
    }
    expect(chunks).toBe(2);
  }, 10_000);
});

/** The file descriptors this process has open (Linux). */
function openFiles(): number {
  return readdirSync("/proc/self/fd").length;
}

describe.each([
  ["one buffer", false],
  ["read-ahead (two buffers)", true],
])("readSource: files, %s", (_, readAhead) => {
  it("SPEC 1: an empty file gives no chunks", async () => {
    expect(await read(fixture("empty.ndjson", ""), NO_STDIN, readAhead)).toEqual({
      data: Buffer.alloc(0),
      chunks: 0,
      error: null,
    });
  });

  it("a file of a few megabytes (several reads) is read whole, in order", async () => {
    const text = bulkyText(50000);
    expect((await readAll(fixture("several-reads.ndjson", text), NO_STDIN, readAhead)).toString()).toBe(text);
  });

  it("a one-byte file is read (a gzip header needs two)", async () => {
    expect((await readAll(fixture("one-byte.ndjson", "\x1f"), NO_STDIN, readAhead)).toString()).toBe("\x1f");
  });

  it("a missing file throws an InputError naming it", async () => {
    const path = join(dir, "missing.ndjson");
    const { error } = await read({ kind: "file", path }, NO_STDIN, readAhead);
    expectInputError(error, path);
    expect((error as Error).message).toContain("no such file");
  });

  it("a directory throws an InputError naming it", async () => {
    const path = join(dir, `a-directory-${readAhead}.ndjson`);
    mkdirSync(path);
    const { error } = await read({ kind: "file", path }, NO_STDIN, readAhead);
    expectInputError(error, path);
    expect((error as Error).message).toContain("directory");
  });

  it("a chunk stays as read until the next one is asked for, however long it is held", async () => {
    const text = bulkyText(50000);
    const spec = fixture(`held-${readAhead}.ndjson`, text);
    let at = 0;
    for await (const chunk of readSource(spec, NO_STDIN, undefined, readAhead)) {
      // Long enough for a read-ahead to land: it must have gone into the other buffer.
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(chunk.toString()).toBe(text.slice(at, at + chunk.length));
      at += chunk.length;
    }
    expect(at).toBe(text.length);
  });

  it("a file truncated while it is read (copytruncate) throws an InputError, after the data before its end", async () => {
    const text = bulkyText(50000);
    const spec = fixture(`truncated-${readAhead}.ndjson`, text);
    const size = Buffer.byteLength(text);
    let data = "";
    let error: unknown = null;
    try {
      for await (const chunk of readSource(spec, NO_STDIN, undefined, readAhead)) {
        if (data === "") truncateSync(spec.path, 1_500_000);
        data += chunk.toString();
      }
    } catch (e) {
      error = e;
    }
    expectInputError(error, spec.path);
    expect((error as Error).message).toBe(
      `${spec.path} shrank while it was read: ${size} bytes when opened, ${data.length} at its end ` +
        `(truncated in place, as logrotate's copytruncate does); what it held past byte ${data.length} was not read`,
    );
    expect(data.length).toBeLessThan(size);
    expect(text.startsWith(data)).toBe(true);
  });

  it("a file that grows while it is read is read to its new end, without an error", async () => {
    const text = bulkyText(50000);
    const spec = fixture(`growing-${readAhead}.ndjson`, text);
    let data = "";
    for await (const chunk of readSource(spec, NO_STDIN, undefined, readAhead)) {
      if (data === "") appendFileSync(spec.path, "appended\n");
      data += chunk.toString();
    }
    expect(data).toBe(`${text}appended\n`);
  });

  it.skipIf(process.platform !== "linux")(
    "a reader that stops early, with a read in flight, leaves no file open",
    async () => {
      const spec = fixture(`stopped-early-${readAhead}.ndjson`, bulkyText(50000));
      const before = openFiles();
      for await (const chunk of readSource(spec, NO_STDIN, undefined, readAhead)) {
        expect(chunk.length).toBeGreaterThan(0);
        break;
      }
      expect(openFiles()).toBe(before);
    },
  );

  // root reads a file whatever its mode, so the case cannot be made when the tests run as root.
  it.skipIf(process.getuid?.() === 0)(
    "an unreadable file (mode 000) throws an InputError naming it",
    async () => {
      const spec = fixture(`unreadable-${readAhead}.ndjson`, TEXT);
      chmodSync(spec.path, 0o000);
      try {
        const { error } = await read(spec, NO_STDIN, readAhead);
        expectInputError(error, spec.path);
        expect((error as Error).message).toContain("permission denied");
      } finally {
        chmodSync(spec.path, 0o600);
      }
    },
  );
});

describe("readSource: stdin", () => {
  const stdin: SourceSpec = { kind: "stdin" };

  it("plain text on stdin is read as it is, even when its first chunk is one byte", async () => {
    const bytes = Buffer.from(TEXT);
    const data = await readAll(stdin, Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]));
    expect(data.toString()).toBe(TEXT);
  });

  it("gzip on stdin is decompressed", async () => {
    expect((await readAll(stdin, Readable.from([gzipSync(TEXT)]))).toString()).toBe(TEXT);
  });

  it("gzip on stdin whose first chunk is one byte long is still told by its magic bytes", async () => {
    const compressed = gzipSync(TEXT);
    const data = await readAll(stdin, Readable.from([compressed.subarray(0, 1), compressed.subarray(1)]));
    expect(data.toString()).toBe(TEXT);
  });

  it("gzip on stdin in one-byte chunks, after an empty one, is decompressed", async () => {
    const compressed = gzipSync(TEXT);
    const chunks = [Buffer.alloc(0), ...Array.from(compressed, (byte) => Buffer.from([byte]))];
    expect((await readAll(stdin, Readable.from(chunks))).toString()).toBe(TEXT);
  });

  it("stdin that gives strings is read as UTF-8", async () => {
    expect(await readAll(stdin, Readable.from(['{"s":"é"}\n', "{}\n"]))).toEqual(
      Buffer.from('{"s":"é"}\n{}\n'),
    );
  });

  it("SPEC 1: empty stdin gives no chunks", async () => {
    expect(await read(stdin, Readable.from([]))).toEqual({ data: Buffer.alloc(0), chunks: 0, error: null });
  });

  it("a failing stdin throws an InputError naming <stdin> and its reason", async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from(TEXT));
        this.destroy(new Error("broken pipe"));
      },
    });
    const { error } = await read(stdin, failing);
    expectInputError(error, "<stdin>");
    expect((error as Error).message).toContain("broken pipe");
  });

  it("a corrupt gzip on stdin throws an InputError naming <stdin>", async () => {
    const compressed = gzipSync(TEXT).subarray(0, -8);
    const { data, error } = await read(stdin, Readable.from([compressed]));
    expectInputError(error, "<stdin>");
    expect(data.toString()).toBe(TEXT);
  });
});

describe("expectedBytes: the bytes of lines a source will give, told before reading it", () => {
  it("a plain file: its size", () => {
    expect(expectedBytes(fixture("expected-plain.ndjson", TEXT))).toBe(Buffer.byteLength(TEXT));
  });

  it("a gzip file: the size its trailer records, not the stored size", () => {
    const text = TEXT.repeat(1000);
    const spec = fixture("expected.gz", gzipSync(text));
    expect(expectedBytes(spec)).toBe(Buffer.byteLength(text));
  });

  it("a multi-member gzip: the last member's size, and never less than the stored size", () => {
    const big = gzipSync(bulkyText(2000));
    const spec = fixture("expected-members.gz", Buffer.concat([big, gzipSync("x\n")]));
    expect(expectedBytes(spec)).toBe(big.length + gzipSync("x\n").length);
  });

  it("an empty file, a one-byte file, a missing file and stdin: what can be told (0 when nothing)", () => {
    expect(expectedBytes(fixture("expected-empty.ndjson", ""))).toBe(0);
    expect(expectedBytes(fixture("expected-one.ndjson", "\x1f"))).toBe(1);
    expect(expectedBytes({ kind: "file", path: join(dir, "expected-missing.ndjson") })).toBe(0);
    expect(expectedBytes({ kind: "stdin" })).toBe(0);
  });

  it.skipIf(process.platform === "win32")(
    "a named pipe: 0, without opening it (its writer must not lose its reader)",
    async () => {
      const path = join(dir, "expected.fifo");
      execFileSync("mkfifo", [path]);
      // A witness opens the pipe for writing, which waits until a reader opens it. Were expectedBytes to
      // open it for reading, the two opens would meet: this test would not hang (the witness is its
      // writer), and the witness would exit with 3. Otherwise the witness waits until it is killed.
      const witness = spawn(process.execPath, [
        "-e",
        "require('node:fs').openSync(process.argv[1], 'w'); process.exit(3)",
        path,
      ]);
      const exited = new Promise<number | null>((resolve) => witness.on("exit", (code) => resolve(code)));
      await new Promise<void>((resolve) => witness.on("spawn", () => resolve()));
      expect(expectedBytes({ kind: "file", path })).toBe(0);
      const opened = await Promise.race([exited, new Promise<"no">((r) => setTimeout(() => r("no"), 500))]);
      witness.kill();
      await exited;
      expect(opened).toBe("no");
    },
  );
});

describe("isPlainFile: a source that can be read in place (a regular file that is not gzip)", () => {
  it("says so of plain and empty files, not of gzip, stdin, a directory or a missing file", () => {
    expect(isPlainFile(fixture("plain.ndjson", TEXT))).toBe(true);
    expect(isPlainFile(fixture("empty.ndjson", ""))).toBe(true);
    expect(isPlainFile(fixture("one-byte.ndjson", "{"))).toBe(true);
    // Told by its first two bytes, whatever its name.
    expect(isPlainFile(fixture("plain.gz", TEXT))).toBe(true);
    expect(isPlainFile(fixture("zipped.ndjson", gzipSync(TEXT)))).toBe(false);
    expect(isPlainFile({ kind: "stdin" })).toBe(false);
    expect(isPlainFile({ kind: "file", path: dir })).toBe(false);
    expect(isPlainFile({ kind: "file", path: join(dir, "missing.ndjson") })).toBe(false);
  });
});
