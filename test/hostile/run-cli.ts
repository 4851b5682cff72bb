// How the hostile-input and property tests run attribute: in-process through `main(argv, io)` with a fake
// io (most cases: fast, and any crash is a thrown error with its stack), or by spawning the built CLI
// (`node bin/attribute.js`, NO_COLOR=1, TZ=UTC) where only a real process shows the behaviour: memory, a
// file the user cannot read, a full disk, a stack overflow.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable, type Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import type { Io } from "../../src/io.js";
import { main } from "../../src/main.js";
import type { Report } from "../../src/report/report.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const bin = join(root, "bin", "attribute.js");
export const fixtures = join(root, "test", "fixtures", "hostile");

/** The exit codes README.md documents: report, gate tripped, could not run or read all, interrupted. */
export const DOCUMENTED_EXIT_CODES = [0, 1, 2, 130] as const;

/**
 * What no human-readable output may hold raw: C0 controls but `\n`, DEL, C1 controls, the bidi marks,
 * embeddings, overrides and isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and the line
 * and paragraph separators. ESC is a C0 control, so no ANSI or OSC sequence can pass either.
 */
export const UNSAFE_CHARACTER =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** The unsafe characters of a text as `U+XXXX at index`, for a failure message that can be read. */
export function unsafeCharacters(text: string): string[] {
  const found: string[] = [];
  const all = new RegExp(UNSAFE_CHARACTER.source, "gu");
  for (const match of text.matchAll(all)) {
    const code = (match[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
    found.push(
      `U+${code} at ${match.index}: …${JSON.stringify(text.slice(Math.max(0, match.index - 20), match.index + 20))}…`,
    );
    if (found.length === 5) break;
  }
  return found;
}

/** The table's own colour codes around a verdict (render-table.ts), the only escapes it may write. */
const OWN_COLOUR =
  /\u001b\[(?:32|36;1|35;1|31;1|33;1|37)m(OK|UNKNOWN|VENDOR|APPLICATION|APP_BOTTLENECK|UNATTRIBUTED)\u001b\[0m/g;

/** The text without the table's own verdict colours. */
export function withoutOwnColour(text: string): string {
  return text.replace(OWN_COLOUR, "$1");
}

/** Markdown lines that GitHub Actions would read as a workflow command. */
export function workflowCommandLines(markdown: string): string[] {
  return markdown.split("\n").filter((line) => line.trimStart().startsWith("::"));
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  /** What stdin holds: bytes in one chunk, bytes in the chunks given, or a stream. Default: nothing. */
  readonly stdin?: Buffer | string | readonly Buffer[] | Readable;
  readonly env?: Record<string, string>;
  readonly stdoutIsTTY?: boolean;
}

/** Runs `main(argv, io)` in this process: stdout and stderr collected, stdin a pipe (never a terminal). */
export async function runMain(argv: readonly string[], options: InProcessOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const input = options.stdin;
  const stdin =
    input instanceof Readable
      ? input
      : Readable.from(
          input === undefined
            ? []
            : typeof input === "string"
              ? [Buffer.from(input)]
              : Buffer.isBuffer(input)
                ? [input]
                : [...input],
        );
  const io: Io = {
    stdin,
    stdout: {
      isTTY: options.stdoutIsTTY,
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
      once: () => undefined,
      removeListener: () => undefined,
    },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** `runMain` with `--format json`, and the report parsed. */
export async function runJson(
  argv: readonly string[],
  options: InProcessOptions = {},
): Promise<CliRun & { readonly report: Report }> {
  const run = await runMain(["--format", "json", ...argv], options);
  if (run.stdout === "") throw new Error(`no report (exit ${run.code}): ${run.stderr}`);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

/** The smallest environment a user's shell would give, plus what a case sets. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", TZ: "UTC", NO_COLOR: "1", ...extra };
}

export interface SpawnResult {
  /** The exit code, or null when a signal ended it. */
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnOptions {
  readonly input?: Buffer | string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Run as this user (through setpriv), e.g. `nobody`, where a root process would ignore permissions. */
  readonly user?: { readonly name: string; readonly group: string };
}

/** Runs the built CLI and waits for it. */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): SpawnResult {
  const command = [process.execPath, bin, ...args];
  const [file, ...rest] =
    options.user === undefined
      ? command
      : [
          "setpriv",
          `--reuid=${options.user.name}`,
          `--regid=${options.user.group}`,
          "--clear-groups",
          "--",
          ...command,
        ];
  const result = spawnSync(file as string, rest, {
    cwd: options.cwd ?? root,
    env: options.env ?? cleanEnv(),
    input: options.input ?? Buffer.alloc(0),
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.error !== undefined) throw result.error;
  return {
    status: result.status,
    signal: result.signal,
    stdout: result.stdout.toString("utf8"),
    stderr: result.stderr.toString("utf8"),
  };
}

export interface StreamedRun extends SpawnResult {
  /** The child's peak resident set size in KiB, as /usr/bin/time or /proc saw it. */
  readonly peakRssKiB: number;
}

const TIME = "/usr/bin/time";

/**
 * Spawns the built CLI, feeds its stdin from `feed` (which must end it), and measures the child's peak
 * RSS: with `/usr/bin/time -f %M` when it is installed (its last stderr line), else by polling VmHWM in
 * /proc/<pid>/status (a high-water mark, so polling only misses the last few milliseconds).
 */
export async function spawnStreaming(
  args: readonly string[],
  feed: (stdin: Writable) => Promise<void>,
  env: NodeJS.ProcessEnv = cleanEnv(),
): Promise<StreamedRun> {
  const useTime = existsSync(TIME);
  const marker = "attribute-test-peak-rss-kib:";
  const child = useTime
    ? spawn(TIME, ["-f", `${marker}%M`, process.execPath, bin, ...args], { cwd: root, env })
    : spawn(process.execPath, [bin, ...args], { cwd: root, env });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  let polledKiB = 0;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm !== null) polledKiB = Math.max(polledKiB, Number(hwm[1]));
        } catch {
          // The child has exited.
        }
      }, 5);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (code, signal) => resolve([code, signal])),
  );
  // A child that exits early closes its stdin: the feeder must stop, not fail the test.
  child.stdin.on("error", () => undefined);
  await feed(child.stdin);
  const [status, signal] = await exited;
  if (poll !== undefined) clearInterval(poll);
  let err = Buffer.concat(stderr).toString("utf8");
  let peakRssKiB = polledKiB;
  if (useTime) {
    const at = err.lastIndexOf(marker);
    if (at >= 0) {
      peakRssKiB = Number(err.slice(at + marker.length).trim());
      err = err.slice(0, at);
    }
    // time reports a non-zero exit on its own line before the figure.
    err = err.replace(/Command exited with non-zero status \d+\n$/, "");
  }
  return { status, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: err, peakRssKiB };
}

/** Writes `chunk` to a stream `times` times, honouring backpressure, then ends it unless told not to. */
export async function writeRepeatedly(
  stream: Writable,
  chunk: Buffer,
  times: number,
  { end = true }: { end?: boolean } = {},
): Promise<void> {
  for (let i = 0; i < times; i++) {
    if (stream.destroyed) return;
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          stream.off("drain", done);
          stream.off("close", done);
          resolve();
        };
        stream.on("drain", done);
        stream.on("close", done);
      });
    }
  }
  if (end) stream.end();
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(dir, name));
    if (stat.isFile()) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

/** Fails with what to do when the built CLI is missing or older than src/ (as test/e2e.test.ts does). */
export function assertBuilt(): void {
  const entry = join(root, "dist", "cli.js");
  if (!existsSync(entry))
    throw new Error("dist/cli.js is missing: run `npm run build` first (`npm test` does).");
  if (newestMtime(join(root, "src")) > statSync(entry).mtimeMs) {
    throw new Error("dist/ is older than src/: run `npm run build` first (`npm test` does).");
  }
}

/** Whether `setpriv` can run a command as `nobody` here (it needs root, and the tool installed). */
export function canRunAsNobody(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "true"]);
  return probe.status === 0;
}

/** One M1 line with defaults for what a case does not care about (an OK record). */
export { m1 } from "../helpers.js";

/**
 * Checks the line a table or Markdown report starts with when a source failed: it says INCOMPLETE, gives
 * the error (which names the source) and how many lines were read. The exact wording is the renderer's.
 */
export function expectIncompleteLine(line: string | undefined, error: string, lines: number): void {
  expect(line).toMatch(/^INCOMPLETE: /);
  expect(line).toContain(error);
  expect(line).toMatch(new RegExp(`\\b${lines} lines?\\b`));
}
