import { EXIT, type Io } from "../io.js";
import { readLogs } from "../read-logs.js";
import { escapeControls } from "../report/escape-text.js";
import { stringifySafely } from "../report/render-json.js";
import { incompleteLines, plural } from "../report/wording.js";
import { limitsOf, loadSettings, NO_INPUT, sourceSpecs, type InputFlags } from "../cli/input-flags.js";
import { writeReport } from "../write-report.js";

/** The flags of `attribute check`. */
export interface CheckFlags extends InputFlags {
  readonly format?: "table" | "json";
  readonly output?: string;
  /** How many violations are listed with their location before "and M more". */
  readonly listed: number;
}

/**
 * `attribute check [files…]`: schema validation only, for the CI of services that emit M1 logs. Exit 0
 * when every line is valid or blank, 1 when there are violations, 2 when it could not run.
 */
export async function runCheck(files: readonly string[], flags: CheckFlags, io: Io): Promise<number> {
  if (files.length === 0 && io.stdin.isTTY === true) {
    io.stderr.write(NO_INPUT);
    return EXIT.failure;
  }
  const settings = await loadSettings(flags);
  const read = await readLogs(sourceSpecs(files), io.stdin, {
    policy: { strict: settings.strict, allowed: new Set(settings.allowFields) },
    maxLineBytes: flags.maxLineBytes,
    jobs: flags.jobs,
    signal: io.signal,
    limits: { ...limitsOf(flags), violationsPerSource: Math.max(flags.listed, 1) },
    extras: { mapping: { preset: settings.preset, map: settings.map } },
  });
  for (const source of read.sources) {
    if (source.error !== null) io.stderr.write(`attribute: ${escapeControls(source.error)}\n`);
  }
  const { tally } = read.intake;
  const violations = [...tally.violations]
    .sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.line - b.line))
    .slice(0, flags.listed);
  const byReason = [...tally.violationsByKind].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const unknown = [...read.intake.unknownFields()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const summary = {
    schema: "attribute.check/v1",
    complete: read.complete,
    strict: settings.strict,
    lines: tally.lines,
    valid: tally.valid,
    invalid: tally.invalid,
    blank: tally.blank,
    violations: violations.map(({ source, line, reason }) => ({ source, line, reason })),
    violationsByReason: Object.fromEntries(byReason),
    unknownFields: Object.fromEntries(unknown),
  };
  const text =
    flags.format === "json"
      ? stringifySafely(summary, 2) + "\n"
      : renderCheckText(
          summary,
          violations.length,
          byReason,
          unknown,
          incompleteLines(read).map(escapeControls),
        );
  await writeReport([text], flags.output, io.stdout);
  if (!read.complete) return EXIT.failure;
  return tally.invalid > 0 ? EXIT.gate : EXIT.ok;
}

function renderCheckText(
  summary: {
    lines: number;
    valid: number;
    invalid: number;
    blank: number;
    strict: boolean;
    violations: { source: string; line: number; reason: string }[];
  },
  listed: number,
  byReason: readonly (readonly [string, number])[],
  unknown: readonly (readonly [string, number])[],
  incomplete: readonly string[],
): string {
  const out: string[] = [...incomplete];
  for (const v of summary.violations)
    out.push(`${escapeControls(v.source)}:${v.line}: ${escapeControls(v.reason)}`);
  if (summary.invalid > listed) out.push(`… and ${summary.invalid - listed} more`);
  if (out.length > 0) out.push("");
  out.push(
    `${plural(summary.lines, "line")}: ${summary.valid} valid, ${summary.invalid} invalid, ${summary.blank} blank` +
      (summary.strict ? " (strict: unknown fields are violations)" : ""),
  );
  if (byReason.length > 0) {
    out.push("violations by reason:");
    for (const [reason, n] of byReason) out.push(`  ${String(n).padStart(6)}  ${escapeControls(reason)}`);
  }
  if (unknown.length > 0) {
    out.push(`unknown fields: ${unknown.map(([name, n]) => `${escapeControls(name)} ×${n}`).join(", ")}`);
    if (!summary.strict)
      out.push("  (allowed: --strict makes them violations, --allow-fields silences named ones)");
  }
  out.push(
    summary.invalid > 0
      ? `FAILED: ${plural(summary.invalid, "violation")}.`
      : incomplete.length > 0
        ? "INCOMPLETE: no violation in the lines read, but not all of the input could be read."
        : "OK: every record is valid M1.",
  );
  return `${out.join("\n")}\n`;
}
