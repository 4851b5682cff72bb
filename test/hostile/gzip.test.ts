// Damaged and unusual gzip (issue 4): a truncated or corrupt .gz keeps the lines read before the damage,
// names the file and the compressed byte offset in a one-line error, marks the report INCOMPLETE and
// exits 2 (README.md, "Exit codes"); multi-member files, padding and header fields read whole. The files are
// generated here: binary, and tied to the zlib that made them.
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  expectIncompleteLine,
  m1,
  runJson,
  runMain,
  spawnCli,
  unsafeCharacters,
} from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "attribute-hostile-gzip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const vendor = (id: string): string => m1({ request_id: id, status: 502, upstream_status: 503 });
const text = (...ids: string[]): Buffer => Buffer.from(ids.map((id) => `${vendor(id)}\n`).join(""));
/** Member one holds a, b, c; member two d, e, f. */
const first = gzipSync(text("a", "b", "c"));
const second = gzipSync(text("d", "e", "f"));

const AFTER = "; the lines before it were read";

/**
 * Runs a damaged file in-process: exit 2, one line on stderr naming it, the JSON says incomplete, and the
 * table and Markdown begin by saying so. Returns the report and the error.
 */
async function damaged(path: string, lines: number) {
  const { code, stderr, report } = await runJson([path]);
  expect(code).toBe(2);
  expect(report.complete).toBe(false);
  const error = report.sources[0]?.error ?? "";
  expect(error.startsWith(`${path}: `)).toBe(true);
  expect(error.endsWith(AFTER)).toBe(true);
  expect(stderr).toBe(`attribute: ${error}\n`);
  expect(report.sources).toStrictEqual([{ source: path, lines, error }]);
  const table = await runMain([path]);
  expect(table.code).toBe(2);
  expectIncompleteLine(table.stdout.split("\n")[0], error, lines);
  const markdown = await runMain(["--format", "markdown", path]);
  expect(markdown.code).toBe(2);
  expect(markdown.stdout).toContain("INCOMPLETE");
  return { report, error };
}

describe("damaged gzip: what was read before the damage is reported, and the damage is named", () => {
  it("truncated in the middle of the compressed data: the lines before the cut, the last one cut short", async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `r${String(i).padStart(4, "0")}`);
    const whole = gzipSync(text(...ids));
    const path = file("truncated-mid-stream.ndjson.gz", whole.subarray(0, whole.length >> 1));
    const { code, report } = await runJson([path]);
    expect(code).toBe(2);
    const { lines, valid, invalid, blank } = report.input;
    // Where the cut falls depends on zlib's output; what holds everywhere: some whole records, at most one
    // partial line after them (a violation), and the offset is the end of the file.
    expect(lines).toBeGreaterThan(100);
    expect(lines).toBeLessThan(2000);
    expect(blank).toBe(0);
    expect(invalid).toBeLessThanOrEqual(1);
    expect(valid + invalid).toBe(lines);
    expect(report.overall.units).toBe(valid);
    const size = statSync(path).size;
    await damaged(path, lines);
    expect(report.sources[0]?.error).toBe(
      `${path}: gzip data ends early (truncated file?) at compressed byte ${size}${AFTER}`,
    );
  });

  it("truncated inside the second member's header: the first member's three lines", async () => {
    const path = file("truncated-second-header.ndjson.gz", Buffer.concat([first, second.subarray(0, 10)]));
    const { report, error } = await damaged(path, 3);
    expect(report.input).toMatchObject({ lines: 3, valid: 3, invalid: 0 });
    expect(error).toBe(
      `${path}: gzip data ends early (truncated file?) at compressed byte ${first.length + 10}${AFTER}`,
    );
  });

  it("truncated in the trailer: every line, and the offset of the trailer", async () => {
    const path = file("truncated-trailer.ndjson.gz", first.subarray(0, first.length - 4));
    const { report, error } = await damaged(path, 3);
    expect(report.input).toMatchObject({ lines: 3, valid: 3, invalid: 0 });
    expect(error).toBe(
      `${path}: gzip data ends early (truncated file?) at compressed byte ${first.length - 8}${AFTER}`,
    );
  });

  it("corrupt deflate data in the second member (a reserved block type): the first member's lines", async () => {
    const bad = Buffer.from(second);
    bad[10] = 0x07;
    const path = file("corrupt-second-member.ndjson.gz", Buffer.concat([first, bad]));
    const { report, error } = await damaged(path, 3);
    expect(report.input).toMatchObject({ lines: 3, valid: 3, invalid: 0 });
    expect(error).toBe(`${path}: corrupt gzip data at compressed byte ${first.length + 10}${AFTER}`);
  });

  it("a checksum mismatch: the member's lines are kept, and the report says the file is damaged", async () => {
    const bad = Buffer.from(first);
    bad[bad.length - 6] = (bad[bad.length - 6] as number) ^ 0xff;
    const path = file("checksum-mismatch.ndjson.gz", bad);
    const { report, error } = await damaged(path, 3);
    expect(report.input).toMatchObject({ lines: 3, valid: 3 });
    expect(error).toBe(
      `${path}: corrupt gzip data (checksum mismatch) at compressed byte ${first.length - 8}${AFTER}`,
    );
  });

  it("trailing garbage after the last member", async () => {
    const path = file("trailing-garbage.ndjson.gz", Buffer.concat([first, Buffer.from("garbage\n")]));
    const { report, error } = await damaged(path, 3);
    expect(report.input).toMatchObject({ lines: 3, valid: 3 });
    expect(error).toBe(
      `${path}: data after the last gzip member is not gzip (1 read) at compressed byte ${first.length}${AFTER}`,
    );
  });

  it("the gzip magic and nothing else", async () => {
    const path = file("magic-only.ndjson.gz", Buffer.from([0x1f, 0x8b]));
    const { report, error } = await damaged(path, 0);
    expect(report.input).toMatchObject({ lines: 0, valid: 0, invalid: 0, blank: 0 });
    expect(error).toBe(`${path}: gzip data ends early (truncated file?) at compressed byte 0${AFTER}`);
  });

  it("the gzip magic with an unknown compression method", async () => {
    const bad = Buffer.from(first);
    bad[2] = 9;
    const path = file("unknown-method.ndjson.gz", bad);
    const { error } = await damaged(path, 0);
    expect(error).toBe(`${path}: not gzip data at compressed byte 0${AFTER}`);
  });

  it("a truncated gzip on stdin is named <stdin>", async () => {
    const { code, stderr, report } = await runJson([], { stdin: first.subarray(0, first.length - 4) });
    expect(code).toBe(2);
    expect(stderr).toBe(
      `attribute: <stdin>: gzip data ends early (truncated file?) at compressed byte ${first.length - 8}${AFTER}\n`,
    );
    expect(report.input).toMatchObject({ lines: 3, valid: 3 });
  });
});

describe("unusual but sound gzip reads whole", () => {
  it("multi-member (log rotation, `cat a.gz b.gz`), with a line split across the members", async () => {
    const all = Buffer.concat([text("a", "b", "c"), text("d", "e", "f")]);
    const cut = all.length >> 1;
    const path = file(
      "multi-member.ndjson.gz",
      Buffer.concat([gzipSync(all.subarray(0, cut)), gzipSync(all.subarray(cut))]),
    );
    const { code, stderr, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(report.complete).toBe(true);
    expect(report.input).toMatchObject({ lines: 6, valid: 6, invalid: 0 });
    const plain = await runJson([], { stdin: all });
    expect(report.functions).toStrictEqual(plain.report.functions);
  });

  it("zero padding after the last member", async () => {
    const path = file("zero-padded.ndjson.gz", Buffer.concat([first, second, Buffer.alloc(512)]));
    const { code, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    expect(report.input).toMatchObject({ lines: 6, valid: 6 });
  });

  it("a member with the optional header fields (FEXTRA, FNAME, FCOMMENT, FHCRC)", async () => {
    const header = Buffer.from(first.subarray(0, 10));
    header[3] = 0x04 | 0x08 | 0x10 | 0x02;
    const member = Buffer.concat([
      header,
      Buffer.from([4, 0, 0x41, 0x70, 2, 0]),
      Buffer.from("export.ndjson\u0000"),
      Buffer.from("a comment\u0000"),
      Buffer.from([0xab, 0xcd]),
      first.subarray(10),
    ]);
    const path = file("header-fields.ndjson.gz", Buffer.concat([member, second]));
    const { code, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(report.input).toMatchObject({ lines: 6, valid: 6 });
  });

  it("an empty .gz (a member holding nothing) is an empty source: no lines, complete, exit 0", async () => {
    const path = file("empty.ndjson.gz", gzipSync(Buffer.alloc(0)));
    const { code, stderr, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(report.complete).toBe(true);
    expect(report.sources).toStrictEqual([{ source: path, lines: 0, error: null }]);
    expect(report.input).toMatchObject({ lines: 0, valid: 0, invalid: 0, blank: 0 });
  });

  it("a zero-byte file named .gz is an empty source (told by its bytes, not its name)", async () => {
    const path = file("zero-bytes.ndjson.gz", Buffer.alloc(0));
    const { code, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(report.sources).toStrictEqual([{ source: path, lines: 0, error: null }]);
  });
});

describe("through the built CLI", () => {
  beforeAll(assertBuilt);

  it("a corrupt .gz beside a good file: one line on stderr, exit 2, the good file reported, INCOMPLETE", () => {
    const bad = Buffer.from(second);
    bad[10] = 0x07;
    const corrupt = file("cli-corrupt.ndjson.gz", Buffer.concat([first, bad]));
    const good = file("cli-good.ndjson", text("g1", "g2"));
    const { status, stdout, stderr } = spawnCli([corrupt, good]);
    expect(status).toBe(2);
    expect(stderr).toBe(
      `attribute: ${corrupt}: corrupt gzip data at compressed byte ${first.length + 10}${AFTER}\n`,
    );
    expectIncompleteLine(
      stdout.split("\n")[0],
      `${corrupt}: corrupt gzip data at compressed byte ${first.length + 10}${AFTER}`,
      3,
    );
    expect(stdout).toContain("Input: 5 lines: 5 valid, 0 invalid, 0 blank");
    expect(unsafeCharacters(stdout + stderr)).toStrictEqual([]);
  });
});
