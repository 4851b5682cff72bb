// Hostile bytes: invalid UTF-8, NUL bytes and a UTF-16 file. Binary inputs are generated here, not
// committed (the catalogue's text fixtures are in test/fixtures/hostile/).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, m1, runJson, runMain, spawnCli, unsafeCharacters } from "./run-cli.js";

const NOT_JSON = expect.stringMatching(/^not valid JSON: \S/);
const NOT_UTF8 = "not valid UTF-8";

const dir = mkdtempSync(join(tmpdir(), "attribute-hostile-bytes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, ...parts: (string | Buffer | readonly number[])[]): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    Buffer.concat(
      parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p as readonly number[]))),
    ),
  );
  return path;
}

const vendor = (id: string, fields: Record<string, unknown> = {}): string =>
  m1({ request_id: id, status: 502, upstream_status: 503, ...fields });

/** Runs the table and Markdown in-process and checks that neither shows a raw control character. */
async function expectSafeOutputs(path: string): Promise<void> {
  for (const format of ["table", "markdown"]) {
    const run = await runMain(["--format", format, path]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(unsafeCharacters(run.stdout), format).toStrictEqual([]);
    expect(run.stdout).not.toContain("\ufffd");
  }
}

describe("invalid UTF-8: each such line is one violation, never decoded into a record", () => {
  /** A record whose function name holds the given raw bytes after "caf". */
  const withBytes = (id: string, bytes: readonly number[]): Buffer => {
    const [before, after] = vendor(id, { function: "caf@@" }).split("@@") as [string, string];
    return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(`${after}\n`)]);
  };
  const path = file(
    "invalid-utf8.ndjson",
    `${vendor("ok-1")}\n`,
    withBytes("ff-fe", [0xff, 0xfe]),
    // A multi-byte character cut short, and a Latin-1 é where UTF-8 was expected.
    withBytes("cut", [0xc3]),
    withBytes("latin1", [0xe9]),
    // A UTF-16 surrogate encoded in UTF-8 (CESU-8), an overlong "/", bytes beyond U+10FFFF.
    [0xed, 0xa0, 0x80, 0x0a],
    [0xc0, 0xaf, 0x0a],
    [0xf8, 0x88, 0x80, 0x80, 0x80, 0x0a],
    `${vendor("ok-2")}\n`,
  );

  it("lines 2–7 are `not valid UTF-8`; the two good records are read", async () => {
    const { code, stderr, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(report.input).toMatchObject({ lines: 8, valid: 2, invalid: 6, blank: 0, duplicates: 0 });
    expect(report.input.violations).toStrictEqual(
      [2, 3, 4, 5, 6, 7].map((line) => ({ source: path, line, reason: NOT_UTF8 })),
    );
    expect(report.input.violationsByReason).toStrictEqual({ [NOT_UTF8]: 6 });
    expect(report.functions.map((f) => [f.function, f.units, f.verdict])).toStrictEqual([
      ["checkout", 2, "VENDOR"],
    ]);
    await expectSafeOutputs(path);
  });
});

describe("NUL bytes", () => {
  const path = file(
    "nul-bytes.ndjson",
    `${vendor("a")}\n`,
    [0, 0, 0, 0x0a],
    // A raw NUL inside a string: a control character JSON forbids.
    `${vendor("raw").replace("checkout", "check\u0000out")}\n`,
    // An escaped NUL (\u0000) is a legal JSON string: a function name holding a NUL.
    `${vendor("escaped", { function: "nul\u0000inside" })}\n`,
    `${vendor("trailing")}\u0000\n`,
    `\u0000${vendor("leading")}\n`,
    Buffer.alloc(1000, 0),
    "\n",
    `${vendor("b")}\n`,
  );

  it("raw NULs make a line a violation; an escaped one is a character like any other, shown as \\x00", async () => {
    const { code, report } = await runJson([path]);
    expect(code).toBe(0);
    expect(report.input).toMatchObject({ lines: 8, valid: 3, invalid: 5, blank: 0, duplicates: 0 });
    expect(report.input.violations).toStrictEqual(
      [2, 3, 5, 6, 7].map((line) => ({ source: path, line, reason: NOT_JSON })),
    );
    expect(report.input.violationsByReason).toStrictEqual({ "not valid JSON": 5 });
    expect(report.functions.map((f) => [f.function, f.units])).toStrictEqual([
      ["checkout", 2],
      ["nul\u0000inside", 1],
    ]);
    const table = await runMain([path]);
    expect(table.stdout).toContain("nul\\x00inside");
    // JSON.parse quotes the start of a bad line in its message: the NULs are shown escaped.
    expect(table.stdout).toMatch(/:2: not valid JSON: .*\\x00/);
    await expectSafeOutputs(path);
  });
});

describe("a UTF-16 file (a BOM FF FE, then two bytes per character)", () => {
  const records = `${vendor("a")}\n${vendor("b")}\n`;
  const path = file("utf16le.ndjson", [0xff, 0xfe], Buffer.from(records, "utf16le"));

  it("is not read as records: line 1 is not UTF-8, the rest are not JSON (NULs between the characters)", async () => {
    const { code, report } = await runJson([path]);
    expect(code).toBe(0);
    // 0A 00 ends each line: each following line starts with the 00, and the last is that 00 alone.
    expect(report.input).toMatchObject({ lines: 3, valid: 0, invalid: 3, blank: 0 });
    expect(report.input.violations).toStrictEqual([
      { source: path, line: 1, reason: NOT_UTF8 },
      { source: path, line: 2, reason: NOT_JSON },
      { source: path, line: 3, reason: NOT_JSON },
    ]);
    await expectSafeOutputs(path);
  });
});

describe("through the built CLI", () => {
  beforeAll(assertBuilt);

  it("invalid UTF-8 and NUL bytes on stdin: exit 0, nothing raw on stdout or stderr", () => {
    const input = Buffer.concat([
      Buffer.from(`${vendor("a")}\n`),
      Buffer.from([0xff, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]),
      Buffer.from([0x00, 0x1b, 0x5d, 0x30, 0x3b, 0x78, 0x07, 0x0a]),
      Buffer.from([0xc2, 0x9b, 0x33, 0x31, 0x6d, 0x0a]),
    ]);
    for (const format of ["table", "markdown"]) {
      const { status, stdout, stderr } = spawnCli(["--format", format], { input });
      expect(status).toBe(0);
      expect(stderr).toBe("");
      expect(unsafeCharacters(stdout), format).toStrictEqual([]);
      expect(stdout).toContain("4 lines: 1 valid, 3 invalid, 0 blank");
    }
  });
});
