import { Command, CommanderError, Option } from "commander";
import { createRequire } from "node:module";
import {
  addGateOptions,
  addInputOptions,
  loadSettings,
  parseDurationFlag,
  type InputFlags,
} from "./cli/input-flags.js";
// The commands other than the report are loaded when they run: a report starts without them.
import type { CheckFlags } from "./commands/check-command.js";
import type { ExplainFlags } from "./commands/explain-command.js";
import { runReport, type ReportFlags } from "./commands/report-command.js";
import type { RulesFormat } from "./commands/rules.js";
import { InputError } from "./input-error.js";
import { EXIT, type Io } from "./io.js";
import { FORMATS, parseNonNegative, parsePositiveInteger, parseShare } from "./options.js";
import { readJsonFile } from "./read-json-file.js";
import { escapeControls } from "./report/escape-text.js";
import { writeReport } from "./write-report.js";

const HELP_EXAMPLES = `
Examples:
  Pipe a log export (plain or .gz, from a file or stdin):
    attribute export-2026-11-25.ndjson.gz
    kubectl logs deploy/checkout --since=1h | attribute

  Nightly CI report (Markdown for the job summary, JSON kept as an artifact, a gate):
    attribute --format markdown logs/*.ndjson.gz >> "$GITHUB_STEP_SUMMARY"
    attribute --format json --output report.json --fail-on VENDOR,APPLICATION logs/*.ndjson.gz
    attribute diff last-night.json report.json

  Triage at a terminal:
    attribute --since 30m --bucket 5m today.ndjson
    attribute explain req-3709c3e5cc78 today.ndjson
    kubectl logs -f deploy/checkout | attribute --live

Commands: check (schema only), explain REQUEST_ID, rules, diff OLD.json NEW.json; see COMMAND --help.
Exit codes: 0 report produced; 1 a gate tripped (--fail-on, --max-invalid, --max-unknown; check found
violations; explain did not find the request; diff --fail-on-change saw a change); 2 could not run, or the
input could not be read to its end (the report then says INCOMPLETE); 130 interrupted (Ctrl-C).
Rules and output contract: README.md and docs/SPEC.md.
`;

/** The whole CLI: parses argv, runs a command, writes through `io`, and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.failure;
    if (!(error instanceof InputError)) throw error;
    io.stderr.write(`attribute: ${escapeControls(error.message)}\n`);
    return EXIT.failure;
  }
}

function buildProgram(io: Io, done: (code: number) => void): Command {
  const program = configure(new Command("attribute"), io)
    .description(
      "Is it the vendor, is it us, or do we not know yet? Attributes incidents from M1 NDJSON logs.",
    )
    .version(readVersion(), "-V, --version")
    .argument("[files...]", "NDJSON log files, plain or gzip; - or none for stdin")
    .addOption(new Option("-f, --format <format>", "report format (default table)").choices(FORMATS))
    .option("-o, --output <file>", "write the report to a file instead of stdout")
    .option("--no-color", "no colour, even on a terminal (NO_COLOR and FORCE_COLOR are honoured too)")
    .option(
      "--bucket <duration>",
      "add a timeline: verdicts per bucket (30m, 1h) by each unit's first time",
      parseDurationFlag,
    )
    .option("--rejects <file>", "write every invalid line to FILE as NDJSON (source, line, reason, raw)")
    .option("--live", "redraw the verdict table on the terminal while input arrives (kubectl logs -f …)")
    .addOption(
      new Option("--interval <duration>", "how often --live redraws")
        .argParser(parseDurationFlag)
        .default(2000, "2s"),
    )
    .addHelpText("after", HELP_EXAMPLES)
    .enablePositionalOptions()
    .action(async (files: string[], flags: ReportFlags) => done(await runReport(files, flags, io)));
  addGateOptions(addInputOptions(program));

  addInputOptions(
    configure(program.command("check"), io)
      .description("check M1 logs against the schema only (for the CI of services that emit them)")
      .argument("[files...]", "NDJSON log files, plain or gzip; - or none for stdin")
      .addOption(
        new Option("-f, --format <format>", "output format (default table)").choices(["table", "json"]),
      )
      .option("-o, --output <file>", "write the result to a file instead of stdout")
      .option("--listed <n>", "violations listed with their location", parsePositiveInteger, 20)
      .addHelpText(
        "after",
        "\nExit codes: 0 every line valid or blank; 1 violations found; 2 could not run.\n",
      )
      .action(async (files: string[], flags: CheckFlags) => {
        const { runCheck } = await import("./commands/check-command.js");
        done(await runCheck(files, flags, io));
      }),
    // Validation looks at every line: a time window has no meaning here.
    { window: false },
  );

  addInputOptions(
    configure(program.command("explain"), io)
      .description("show every record of one request, the merged values, and each rule with its numbers")
      .argument("<request_id>", "the request id to explain")
      .argument("[files...]", "NDJSON log files, plain or gzip; - or none for stdin")
      .addOption(
        new Option("-f, --format <format>", "output format (default table)").choices(["table", "json"]),
      )
      .option("-o, --output <file>", "write the explanation to a file instead of stdout")
      .addHelpText("after", "\nExit codes: 0 explained; 1 the request id was not found; 2 could not run.\n")
      .action(async (id: string, files: string[], flags: ExplainFlags) => {
        const { runExplain } = await import("./commands/explain-command.js");
        done(await runExplain(id, files, flags, io));
      }),
  );

  configure(program.command("rules"), io)
    .description("print the rule table with the thresholds in effect (after the config file and flags)")
    .addOption(
      new Option("-f, --format <format>", "output format (default table)").choices([
        "table",
        "markdown",
        "json",
      ]),
    )
    .option("--config <file>", "settings file (JSON; default ./attribute.config.json when present)")
    .option("--no-config", "do not read ./attribute.config.json")
    .option("--slow-ms <ms>", "the slow threshold", parseNonNegative)
    .option("--upstream-share <ratio>", "the APP_BOTTLENECK share", parseShare)
    .action(async (flags: InputFlags & { format?: RulesFormat }) => {
      const settings = await loadSettings({ ...flags, maxLineBytes: 0, jobs: 1 });
      const { renderRules } = await import("./commands/rules.js");
      io.stdout.write(renderRules(settings.thresholds, settings.overrides, flags.format ?? "table"));
      done(EXIT.ok);
    });

  configure(program.command("diff"), io)
    .description(
      "compare two JSON reports (last night's and tonight's): verdict, rate and error-code changes",
    )
    .argument("<old>", "the earlier report (attribute --format json)")
    .argument("<new>", "the later report")
    .addOption(
      new Option("-f, --format <format>", "output format (default table)").choices([
        "table",
        "markdown",
        "json",
      ]),
    )
    .option("-o, --output <file>", "write the comparison to a file instead of stdout")
    .option("--fail-on-change", "exit 1 when a verdict changed or a function came or went")
    .action(
      async (
        oldPath: string,
        newPath: string,
        flags: { format?: string; output?: string; failOnChange?: boolean },
      ) => {
        const { renderDiffJson, renderDiffMarkdown, renderDiffTable } = await import("./diff/render-diff.js");
        const before = await readJsonFile(oldPath, { missingOk: false });
        const after = await readJsonFile(newPath, { missingOk: false });
        // Loaded here: it reads reports with zod, which a run of any other command should not load.
        const { diffReports } = await import("./diff/diff-reports.js");
        const diff = diffReports(before, after, { old: oldPath, new: newPath });
        const text =
          flags.format === "json"
            ? renderDiffJson(diff)
            : flags.format === "markdown"
              ? renderDiffMarkdown(diff)
              : renderDiffTable(diff);
        await writeReport([text], flags.output, io.stdout);
        done(flags.failOnChange === true && diff.changed ? EXIT.gate : EXIT.ok);
      },
    );
  return program;
}

/** Every command writes through `io`, exits through the caller, and words flag errors like ours. */
function configure(command: Command, io: Io): Command {
  return command
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
}

function readVersion(): string {
  const require = createRequire(import.meta.url);
  return (require("../package.json") as { version: string }).version;
}
