import { setFlagsFromString } from "node:v8";
import { main } from "./main.js";

/**
 * The young generation stays at its first size instead of doubling up to 16 MB semi-spaces: a run
 * allocates little per valid line, so this saves 12–15 MiB of peak memory with one thread at no cost
 * in time (docs/performance.md); only invalid lines, whose zod checks make garbage, pay (a file half of
 * them invalid: 3–5% slower). The growth factor is read each time V8 would grow the space, so it
 * can be set now; the maximum size cannot. Newer V8 versions (their flag definitions) hold this factor
 * to at least 2, so on a later Node it may do nothing, and cost nothing. Worker threads have theirs
 * capped (parallel/worker-pool.ts).
 */
const YOUNG_GENERATION_GROWTH = "--semi-space-growth-factor=1";

/**
 * The process adapter: wires `main` to the real process. Sets `process.exitCode` instead of calling
 * `process.exit()`, which would cut off output still buffered for a pipe.
 */
export function run(): void {
  setFlagsFromString(YOUNG_GENERATION_GROWTH);
  // `attribute … | head`: the reader left, which is not an error; stop writing and end quietly.
  let pipeClosed = false;
  // Any other write error (a full disk behind stdout) means the report was not delivered: exit 2.
  let writeFailed = false;
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") {
      pipeClosed = true;
      return;
    }
    process.stderr.write(`attribute: cannot write the report: ${error.message}\n`);
    writeFailed = true;
  });
  const controller = new AbortController();
  // Ctrl-C once: stop reading (even while stdin waits for input) and report what was read.
  // A second Ctrl-C ends the process at once, as the default handler is back by then.
  process.once("SIGINT", () => {
    controller.abort();
    process.stdin.destroy();
  });
  main(process.argv.slice(2), {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = writeFailed ? 2 : pipeClosed ? 0 : code;
    },
    (error: unknown) => {
      process.stderr.write(
        `attribute: unexpected error (please report it):\n${(error as Error).stack ?? String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
