// The CLI through its two doors, for the command tests in this folder: in-process through `main(argv, io)`
// with a fake io (most cases, STYLE.md), and the built bin spawned as a user runs it (only where a process
// is the point: the working directory, a signal). Spawning needs `npm run build` first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import type { Io } from "../../src/io.js";
import { main } from "../../src/main.js";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const bin = join(root, "bin", "attribute.js");

/** A bundled sample, by absolute path (the reports name it as given). */
export function sample(name: string): string {
  return join(root, "samples", name);
}

export interface FakeIo {
  /** What stdin yields: text, bytes, or a stream (a slow one for live and progress). Default: nothing. */
  readonly stdin?: string | Buffer | Readable;
  readonly stdinIsTTY?: boolean;
  /** Terminal properties of stdout (`isTTY`, `columns`, `rows`). */
  readonly stdout?: { readonly isTTY?: boolean; readonly columns?: number; readonly rows?: number };
  readonly stderrIsTTY?: boolean;
  readonly env?: Record<string, string>;
  /** Aborted as src/cli.ts aborts it on Ctrl-C. */
  readonly signal?: AbortSignal;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `attribute …argv` in-process; stdout and stderr collect every write, env is empty unless given. */
export async function runCli(argv: readonly string[], fake: FakeIo = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const stdin =
    fake.stdin instanceof Readable
      ? fake.stdin
      : Readable.from(fake.stdin === undefined ? [] : [Buffer.from(fake.stdin)]);
  const io: Io = {
    stdin: fake.stdinIsTTY === undefined ? stdin : Object.assign(stdin, { isTTY: fake.stdinIsTTY }),
    stdout: {
      ...fake.stdout,
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
      once: () => undefined,
      removeListener: () => undefined,
    },
    stderr: {
      ...(fake.stderrIsTTY === undefined ? {} : { isTTY: fake.stderrIsTTY }),
      write: (chunk: string) => (stderr += chunk),
    },
    env: fake.env ?? {},
    ...(fake.signal === undefined ? {} : { signal: fake.signal }),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Runs in-process with `--format json` and parses stdout. */
export async function runJson<T = Record<string, unknown>>(
  argv: readonly string[],
  fake: FakeIo = {},
): Promise<Run & { json: T }> {
  const result = await runCli(["--format", "json", ...argv], fake);
  return { ...result, json: JSON.parse(result.stdout) as T };
}

/** Runs the built bin (`node bin/attribute.js`) with NO_COLOR=1 and TZ=UTC, as a user's shell would. */
export function spawnCli(
  args: readonly string[],
  options: { readonly cwd?: string; readonly input?: string } = {},
): Run {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd ?? root,
    env: cleanEnv(),
    input: options.input ?? "",
    encoding: "utf8",
  });
  if (result.error !== undefined) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The smallest environment a user's shell gives: no colour, UTC, no CI. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", TZ: "UTC", NO_COLOR: "1" };
}

/** Throws unless dist/ is built and newer than src/ (the spawned bin runs dist/). */
export function assertBuilt(): void {
  const entry = join(root, "dist", "cli.js");
  if (!existsSync(entry)) throw new Error("dist/cli.js is missing: run `npm run build` first.");
  const src = join(root, "src");
  let newest = 0;
  for (const name of readdirSync(src, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(src, name));
    if (stat.isFile()) newest = Math.max(newest, stat.mtimeMs);
  }
  if (newest > statSync(entry).mtimeMs) throw new Error("dist/ is older than src/: run `npm run build`.");
}

/** A fresh temporary folder, removed after the file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `attribute-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Writes lines (each followed by a newline) to a file in `dir` and returns its path. */
export function writeLines(dir: string, name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
  return path;
}

/**
 * A stdin that yields `chunks` one at a time, `delayMs` apart (the first after `delayMs` too), then ends:
 * input that keeps arriving, as from `kubectl logs -f`.
 */
export function slowReadable(chunks: readonly string[], delayMs: number): Readable {
  let next = 0;
  return new Readable({
    read() {
      const chunk = chunks[next++];
      setTimeout(() => this.push(chunk === undefined ? null : Buffer.from(chunk)), delayMs);
    },
  });
}
