import { main } from "./main.js";
import { keepYoungGenerationSmall } from "./storage/young-generation.js";

/**
 * The process adapter: wires `main` to the real process. Sets `process.exitCode` instead of calling
 * `process.exit()`, which would cut off output still buffered for a pipe.
 */
export function run(): void {
  keepYoungGenerationSmall();
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
