import { Command, CommanderError, Option } from "commander";
import { createRequire } from "node:module";
import { InputError } from "./input-error.js";
import type { SourceSpec } from "./input/read-source.js";
import { EXIT, type Io } from "./io.js";
import { DEFAULT_THRESHOLDS } from "./m1/rules.js";
import {
  FORMATS,
  parseNameList,
  parseNonNegative,
  parsePositiveInteger,
  parseShare,
  wantsColor,
  type Format,
} from "./options.js";
import { defaultJobs, readLogs } from "./read-logs.js";
import { buildReport, classifyUnits } from "./report/build-report.js";
import { escapeControls } from "./report/escape-text.js";
import { renderJson, renderNdjson } from "./report/render-json.js";
import { renderMarkdown } from "./report/render-markdown.js";
import { unitRows } from "./report/unit-rows.js";
import { writeReport } from "./write-report.js";

const HELP_EXAMPLES = `
Examples:
  Pipe a log export (plain or .gz, from a file or stdin):
    attribute export-2026-11-25.ndjson.gz
    kubectl logs deploy/checkout --since=1h | attribute

  Nightly CI report (Markdown for the job summary, JSON kept as an artifact):
    attribute --format markdown logs/*.ndjson.gz >> "$GITHUB_STEP_SUMMARY"
    attribute --format json --output report.json logs/*.ndjson.gz

  Triage at a terminal:
    attribute --slow-ms 500 today.ndjson
    attribute --format ndjson today.ndjson | grep '"verdict":"VENDOR"' | head

Exit codes: 0 report produced; 1 a gate tripped (reserved); 2 could not run, or the input could
not be read to its end (the report then says INCOMPLETE).
Rules and output contract: README.md and SPEC.md.
`;

interface CliOptions {
  readonly format: Format;
  readonly output?: string;
  readonly slowMs: number;
  readonly upstreamShare: number;
  readonly strict: boolean;
  readonly allowFields: string[];
  readonly maxLineBytes: number;
  readonly color: boolean;
  readonly jobs: number;
}

/** The whole CLI: parses argv, runs, writes through `io`, and returns the exit code. Never exits. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  let files: string[];
  let options: CliOptions;
  try {
    program.parse(argv, { from: "user" });
    files = program.args;
    options = program.opts<CliOptions>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    throw error;
  }
  try {
    return await report(files, options, io);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // A path can hold control characters (a hostile file name from a glob): shown escaped, as in reports.
    io.stderr.write(`attribute: ${escapeControls(error.message)}\n`);
    return EXIT.failure;
  }
}

function buildProgram(io: Io): Command {
  const program = new Command("attribute")
    .description(
      "Is it the vendor, is it us, or do we not know yet? Attributes incidents from M1 NDJSON logs.",
    )
    .version(readVersion(), "-V, --version")
    .argument("[files...]", "NDJSON log files, plain or gzip; - or none for stdin")
    .addOption(new Option("-f, --format <format>", "report format").choices(FORMATS).default("table"))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option(
      "--slow-ms <ms>",
      "a unit is slow at this merged latency_ms",
      parseNonNegative,
      DEFAULT_THRESHOLDS.slowMs,
    )
    .option(
      "--upstream-share <ratio>",
      "APP_BOTTLENECK when upstream latency ≤ this share of latency",
      parseShare,
      DEFAULT_THRESHOLDS.upstreamShare,
    )
    .option("--strict", "unknown fields make a record invalid", false)
    .option(
      "--allow-fields <names>",
      "unknown fields to accept silently (comma-separated)",
      parseNameList,
      [],
    )
    .option(
      "--max-line-bytes <n>",
      "longest line accepted; longer ones are violations",
      parsePositiveInteger,
      1024 * 1024,
    )
    .option(
      "-j, --jobs <n>",
      "reading threads (1: this thread only); used once the input passes 16 MiB",
      parsePositiveInteger,
      defaultJobs(),
    )
    .option("--no-color", "no colour, even on a terminal (NO_COLOR and FORCE_COLOR are honoured too)")
    .addHelpText("after", HELP_EXAMPLES)
    .showHelpAfterError("(attribute --help shows usage and examples)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      // Flag errors read like every other error of ours, and never echo raw control characters.
      outputError: (text, write) =>
        write(
          text
            .replace(/^error: /, "attribute: ")
            .split("\n")
            .map(escapeControls)
            .join("\n"),
        ),
    });
  return program;
}

async function report(files: readonly string[], options: CliOptions, io: Io): Promise<number> {
  if (files.length === 0 && io.stdin.isTTY === true) {
    io.stderr.write(
      "attribute: no input. Give log files, or pipe logs in:\n" +
        "  attribute logs.ndjson\n  kubectl logs deploy/api | attribute\n(attribute --help for more)\n",
    );
    return EXIT.failure;
  }
  const specs: SourceSpec[] =
    files.length === 0
      ? [{ kind: "stdin" }]
      : files.map((f) => (f === "-" ? { kind: "stdin" } : { kind: "file", path: f }));
  const read = await readLogs(specs, io.stdin, {
    policy: { strict: options.strict, allowed: new Set(options.allowFields) },
    maxLineBytes: options.maxLineBytes,
    jobs: options.jobs,
    signal: io.signal,
  });
  for (const source of read.sources) {
    if (source.error !== null) io.stderr.write(`attribute: ${escapeControls(source.error)}\n`);
  }
  const thresholds = { slowMs: options.slowMs, upstreamShare: options.upstreamShare };
  const result = buildReport(read, { thresholds });
  let chunks: Iterable<string>;
  switch (options.format) {
    case "json":
      chunks = [renderJson(result)];
      break;
    case "ndjson":
      chunks = renderNdjson(unitRows(read.units, classifyUnits(read.units, { thresholds })));
      break;
    case "markdown":
      chunks = [renderMarkdown(result)];
      break;
    case "table": {
      // cli-table3 is loaded only for the table: JSON and NDJSON runs never pay for it.
      const { renderTable } = await import("./report/render-table.js");
      const color = wantsColor(
        options.color,
        io.env,
        options.output === undefined && io.stdout.isTTY === true,
      );
      chunks = [renderTable(result, { color })];
      break;
    }
  }
  await writeReport(chunks, options.output, io.stdout);
  if (io.signal?.aborted === true) return EXIT.interrupted;
  return read.complete ? EXIT.ok : EXIT.failure;
}

function readVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("../package.json") as { version: string }).version;
}
