// Nothing from the input reaches a person raw (issue 4): whatever a field, a key, an unparseable line, a file
// name or a flag value holds, no human-readable output (the table, with or without colour; Markdown; the
// messages on stderr) contains a raw control character (C0 but \n, DEL, C1), hence no ANSI or OSC escape
// sequence, no bidirectional control, and Markdown has no line a CI runner would read as a `::` command.
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runMain, unsafeCharacters, withoutOwnColour, workflowCommandLines } from "../hostile/run-cli.js";
import {
  anyLine,
  damagedLog,
  hostileRecordLine,
  hostileString,
  seeded,
  validHostileLine,
} from "./arbitraries.js";

const dir = mkdtempSync(join(tmpdir(), "attribute-properties-safe-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSafe(text: string, what: string): void {
  expect(unsafeCharacters(text), what).toStrictEqual([]);
}

/** Hostile content everywhere a log can put it: string fields, keys, values, whole lines. */
const hostileLog = fc.oneof(
  fc
    .array(fc.oneof(validHostileLine, hostileRecordLine, anyLine, hostileString), {
      minLength: 1,
      maxLength: 20,
    })
    .map((lines) => Buffer.from(lines.join("\n"))),
  damagedLog,
);

const flags = fc.constantFrom<string[]>([], ["--strict"], ["--max-line-bytes", "80"], ["--slow-ms", "0"]);

describe("no human-readable output carries raw controls, escapes, bidi controls or `::` lines", () => {
  it("the table and Markdown, whatever the fields, keys and lines hold", async () => {
    await fc.assert(
      fc.asyncProperty(hostileLog, flags, async (stdin, extra) => {
        const table = await runMain(extra, { stdin });
        const markdown = await runMain(["--format", "markdown", ...extra], { stdin });
        expect(table.code).toBe(0);
        expect(markdown.code).toBe(0);
        expectSafe(table.stdout, "table");
        expectSafe(markdown.stdout, "markdown");
        expectSafe(table.stderr + markdown.stderr, "stderr");
        expect(workflowCommandLines(markdown.stdout)).toStrictEqual([]);
      }),
      seeded(701, 400),
    );
  });

  it("the coloured table (FORCE_COLOR): its own verdict colours are the only escape sequences", async () => {
    await fc.assert(
      fc.asyncProperty(hostileLog, async (stdin) => {
        const { code, stdout } = await runMain([], { stdin, env: { FORCE_COLOR: "1" }, stdoutIsTTY: true });
        expect(code).toBe(0);
        expectSafe(withoutOwnColour(stdout), "coloured table");
      }),
      seeded(702, 200),
    );
  });

  // The subcommands print log content too; they are checked where this build has them.
  const has = async (command: string): Promise<boolean> =>
    (await runMain([command, "--help"])).stdout.startsWith(`Usage: attribute ${command} `);

  it("`explain` of a hostile request id, and `check`, in every human-readable form", async (context) => {
    if (!(await has("explain")) || !(await has("check"))) return context.skip();
    await fc.assert(
      fc.asyncProperty(
        hostileLog,
        fc.array(validHostileLine, { minLength: 1, maxLength: 3 }),
        async (log, records) => {
          const path = join(dir, "explain.ndjson");
          writeFileSync(path, Buffer.concat([Buffer.from(`${records.join("\n")}\n`), log]));
          const id = (JSON.parse(records[0] as string) as { request_id: string }).request_id;
          for (const argv of [
            ["explain", id, path],
            ["check", path],
            ["check", "--strict", path],
            ["check", "--format", "markdown", path],
          ]) {
            const run = await runMain(argv);
            expect(run.stderr).not.toMatch(/unexpected error/);
            expectSafe(run.stdout, argv.slice(0, 2).join(" "));
            expectSafe(run.stderr, `stderr of ${argv[0] as string}`);
          }
        },
      ),
      seeded(704, 100),
    );
  });

  it("`diff` of two reports of hostile logs, as a table and as Markdown", async (context) => {
    if (!(await has("diff"))) return context.skip();
    await fc.assert(
      fc.asyncProperty(hostileLog, hostileLog, async (a, b) => {
        const reports = [a, b].map(async (stdin, i) => {
          const path = join(dir, `report-${i}.json`);
          writeFileSync(path, (await runMain(["--format", "json"], { stdin })).stdout);
          return path;
        });
        const [old, now] = (await Promise.all(reports)) as [string, string];
        for (const format of ["table", "markdown"]) {
          const run = await runMain(["diff", "--format", format, old, now]);
          expect(run.stderr).not.toMatch(/unexpected error/);
          expectSafe(run.stdout, `diff --format ${format}`);
          if (format === "markdown") expect(workflowCommandLines(run.stdout)).toStrictEqual([]);
        }
      }),
      seeded(705, 100),
    );
  });

  it("stderr, for hostile file names (missing or not) and hostile flag values", async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileString,
        hostileString,
        fc.constantFrom("--format", "--slow-ms", "--max-line-bytes", "--upstream-share"),
        async (name, value, flag) => {
          // A file name may hold anything but `/` and NUL.
          const base = name.replace(/[/\u0000]/g, "_").slice(0, 60) || "_";
          const existing = join(dir, `${base}.ndjson`);
          writeFileSync(existing, `${name}\n`);
          const missing = join(dir, `missing-${base}`);
          const files = await runMain([existing, missing]);
          expect(files.code).toBe(2);
          expectSafe(files.stderr, "stderr for file names");
          expectSafe(files.stdout, "table for file names");
          const markdown = await runMain(["--format", "markdown", existing, missing]);
          expectSafe(markdown.stdout, "markdown for file names");
          expect(workflowCommandLines(markdown.stdout)).toStrictEqual([]);
          const badFlag = await runMain([flag, value, existing]);
          expectSafe(badFlag.stderr, `stderr for ${flag}`);
          const unknownFlag = await runMain([`--${value}`, existing]);
          expectSafe(unknownFlag.stderr, "stderr for an unknown flag");
        },
      ),
      seeded(703, 150),
    );
  });
});
