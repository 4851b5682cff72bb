// Sources that cannot be read as files of lines: a directory, a file the user may not read, a missing file,
// a file name made of escape sequences. Each is a one-line error naming it on stderr and exit 2, while the
// other sources are still read and reported as INCOMPLETE (README.md, "Exit codes").
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  assertBuilt,
  canRunAsNobody,
  expectIncompleteLine,
  m1,
  runJson,
  runMain,
  spawnCli,
  unsafeCharacters,
} from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "attribute-hostile-sources-"));
// Traversable by `nobody`, for the unreadable-file case.
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const good = join(dir, "good.ndjson");
writeFileSync(
  good,
  `${m1({ request_id: "g1", status: 502, upstream_status: 503 })}\n${m1({ request_id: "g2" })}\n`,
);
chmodSync(good, 0o644);

describe("a directory", () => {
  const folder = join(dir, "a-folder.ndjson");
  mkdirSync(folder);

  it("in-process: one line naming it, exit 2, the other file reported, INCOMPLETE", async () => {
    const { code, stderr, report } = await runJson([folder, good]);
    expect(code).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${folder}: it is a directory\n`);
    expect(report.complete).toBe(false);
    expect(report.sources).toStrictEqual([
      { source: folder, lines: 0, error: `cannot read ${folder}: it is a directory` },
      { source: good, lines: 2, error: null },
    ]);
    expect(report.input).toMatchObject({ lines: 2, valid: 2, invalid: 0, blank: 0 });
    expect(report.overall.verdict).toBe("VENDOR");
  });

  it("through the built CLI: the same, and the table starts with INCOMPLETE", () => {
    assertBuilt();
    const { status, stdout, stderr } = spawnCli([folder, good]);
    expect(status).toBe(2);
    expect(stderr).toBe(`attribute: cannot read ${folder}: it is a directory\n`);
    expectIncompleteLine(stdout.split("\n")[0], `cannot read ${folder}: it is a directory`, 0);
    expect(stdout).toContain("Overall: VENDOR");
  });
});

describe("a file the user may not read", () => {
  const secret = join(dir, "secret.ndjson");
  writeFileSync(secret, `${m1({ request_id: "hidden" })}\n`);
  chmodSync(secret, 0o000);

  const asNobody = canRunAsNobody();
  // As root, chmod does not stop reads: the case runs as `nobody` through setpriv, or is skipped.
  it.skipIf(!asNobody)(
    "run as nobody: one line naming it, exit 2, the readable file still reported, INCOMPLETE",
    () => {
      assertBuilt();
      const user = { name: "nobody", group: "nogroup" };
      const { status, stdout, stderr } = spawnCli([secret, good, "--format", "json"], { user });
      expect(status).toBe(2);
      expect(stderr).toBe(`attribute: cannot read ${secret}: permission denied\n`);
      const report = JSON.parse(stdout) as {
        complete: boolean;
        sources: unknown[];
        input: { valid: number };
      };
      expect(report.complete).toBe(false);
      expect(report.sources).toStrictEqual([
        { source: good, lines: 2, error: null },
        { source: secret, lines: 0, error: `cannot read ${secret}: permission denied` },
      ]);
      expect(report.input.valid).toBe(2);
      const table = spawnCli([secret, good], { user });
      expect(table.status).toBe(2);
      expectIncompleteLine(table.stdout.split("\n")[0], `cannot read ${secret}: permission denied`, 0);
    },
  );

  it.skipIf(asNobody)(
    "skipped: needs root and setpriv to run as `nobody` (root reads through chmod 000)",
    () => {
      expect(asNobody).toBe(false);
    },
  );
});

describe("file names made of escape sequences", () => {
  it("a missing file whose name holds OSC 8 and CSI: escaped on stderr and in every report format", async () => {
    // Not path.join, which would fold the `//` of the URL.
    const name = `${dir}/\u001b]8;;https://evil.example/\u0007x\u001b]8;;\u0007\u001b[2J\u202e.ndjson`;
    for (const format of ["table", "markdown", "json"]) {
      const { code, stdout, stderr } = await runMain(["--format", format, name, good]);
      expect(code).toBe(2);
      expect(stderr).toBe(
        `attribute: cannot read ${dir}/\\x1b]8;;https://evil.example/\\x07x\\x1b]8;;\\x07\\x1b[2J\\u202e.ndjson: no such file\n`,
      );
      if (format !== "json") expect(unsafeCharacters(stdout), format).toStrictEqual([]);
    }
  });

  it("an existing file whose name holds escape sequences: its violations are located with the name escaped", async () => {
    const name = join(dir, "log\u001b[31m\u0007.ndjson");
    writeFileSync(name, "not json\n");
    const { code, stdout } = await runMain([name]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${dir}/log\\x1b[31m\\x07.ndjson:1: not valid JSON`);
    expect(unsafeCharacters(stdout)).toStrictEqual([]);
  });
});
