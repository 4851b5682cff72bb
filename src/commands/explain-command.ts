import { EXIT, type Io } from "../io.js";
import { RULES, type Thresholds } from "../m1/rules.js";
import type { WatchedRecord } from "../m1/intake.js";
import { UnitTable } from "../m1/unit-table.js";
import { readLogs } from "../read-logs.js";
import { escapeControls } from "../report/escape-text.js";
import { stringifySafely } from "../report/render-json.js";
import { isInWindow } from "../time/time-window.js";
import {
  limitsOf,
  loadSettings,
  NO_INPUT,
  sourceSpecs,
  timeWindowOf,
  type InputFlags,
} from "../cli/input-flags.js";
import { writeReport } from "../write-report.js";

/** The flags of `attribute explain`. */
export interface ExplainFlags extends InputFlags {
  readonly format?: "table" | "json";
  readonly output?: string;
}

/**
 * `attribute explain REQUEST_ID [files…]`: every record of one request, the merged values per function,
 * and each rule of SPEC.md section 3 in order with whether it matched and the numbers that decided it.
 * The merge and the rules are the ones the report uses (UnitTable, RULES). Exit 1 when the id is not found.
 */
export async function runExplain(
  requestId: string,
  files: readonly string[],
  flags: ExplainFlags,
  io: Io,
): Promise<number> {
  if (files.length === 0 && io.stdin.isTTY === true) {
    io.stderr.write(NO_INPUT);
    return EXIT.failure;
  }
  const settings = await loadSettings(flags);
  const window = timeWindowOf(flags);
  const read = await readLogs(sourceSpecs(files), io.stdin, {
    policy: { strict: settings.strict, allowed: new Set(settings.allowFields) },
    maxLineBytes: flags.maxLineBytes,
    limits: limitsOf(flags),
    jobs: flags.jobs,
    signal: io.signal,
    extras: { mapping: { preset: settings.preset, map: settings.map }, watch: requestId },
  });
  for (const source of read.sources) {
    if (source.error !== null) io.stderr.write(`attribute: ${escapeControls(source.error)}\n`);
  }
  // Input order: the sources in the order given (read), then line; worker threads may hand them back mixed.
  const order = new Map<string, number>();
  read.sources.forEach((s, i) => order.set(s.source, order.get(s.source) ?? i));
  const records = [...read.intake.tally.watched].sort(
    (a, b) => (order.get(a.source) ?? 0) - (order.get(b.source) ?? 0) || a.line - b.line,
  );
  if (records.length === 0) {
    io.stderr.write(
      `attribute: request ${escapeControls(JSON.stringify(requestId))} not found among ${read.intake.tally.valid} valid records\n`,
    );
    return read.complete ? EXIT.gate : EXIT.failure;
  }
  const functions = [...new Set(records.map((r) => r.record.function))].sort();
  const explained = functions.map((fn) => {
    const own = records.filter((r) => r.record.function === fn);
    const kept = own.filter(
      (r) => window === null || (r.record.timeMs !== null && isInWindow(r.record.timeMs, window)),
    );
    return explainFunction(fn, own, kept, settings.thresholdsFor(fn));
  });
  const text =
    flags.format === "json"
      ? `${stringifySafely({ schema: "attribute.explain/v1", requestId, functions: explained }, 2)}\n`
      : renderExplainText(requestId, explained);
  await writeReport([text], flags.output, io.stdout);
  return read.complete ? EXIT.ok : EXIT.failure;
}

interface ExplainedFunction {
  readonly function: string;
  readonly thresholds: Thresholds;
  readonly records: readonly {
    source: string;
    line: number;
    leftOut: boolean;
    record: Record<string, unknown>;
  }[];
  readonly merged: Record<string, unknown> | null;
  readonly rules: readonly {
    number: number;
    verdict: string;
    when: string;
    matched: boolean;
    because: string;
  }[];
  readonly verdict: string | null;
}

function explainFunction(
  fn: string,
  own: readonly WatchedRecord[],
  kept: readonly WatchedRecord[],
  t: Thresholds,
): ExplainedFunction {
  const table = new UnitTable();
  for (const r of kept) table.addRecord(r.record);
  const shown = own.map((r) => ({
    source: r.source,
    line: r.line,
    leftOut: !kept.includes(r),
    record: {
      ...r.record,
      timeMs: undefined,
      timestamp: r.record.timeMs === null ? null : new Date(r.record.timeMs).toISOString(),
    },
  }));
  if (table.size === 0)
    return { function: fn, thresholds: t, records: shown, merged: null, rules: [], verdict: null };
  const unit = table.unit(0);
  let decided: string | null = null;
  const rules = RULES.map((rule) => {
    const matched = rule.matches(unit, t);
    if (matched && decided === null) decided = rule.verdict;
    return {
      number: rule.number,
      verdict: rule.verdict,
      when: rule.when,
      matched,
      because: rule.because(unit, t),
    };
  });
  const merged = {
    status: unit.status,
    latency_ms: unit.latencyMs,
    upstream_status: unit.upstream,
    upstream_latency_ms: unit.upstreamLatencyMs,
    error_codes: [...unit.errorCodes].sort(),
    stages: [...unit.stages].sort(),
  };
  return { function: fn, thresholds: t, records: shown, merged, rules, verdict: decided };
}

function renderExplainText(requestId: string, functions: readonly ExplainedFunction[]): string {
  const out = [
    `request ${escapeControls(requestId)}: ${functions.length} function${functions.length === 1 ? "" : "s"}`,
  ];
  for (const fn of functions) {
    out.push(
      "",
      `function ${escapeControls(fn.function)} (slowMs ${fn.thresholds.slowMs}, upstreamShare ${fn.thresholds.upstreamShare})`,
    );
    out.push("  records, in input order:");
    for (const r of fn.records) {
      const fields: Record<string, unknown> = { ...r.record };
      for (const key of ["request_id", "function", "timeMs"]) delete fields[key];
      const note = r.leftOut ? "  (outside --since/--until: left out)" : "";
      out.push(
        `    ${escapeControls(r.source)}:${r.line}: ${escapeControls(stringifySafely(fields))}${note}`,
      );
    }
    if (fn.merged === null) {
      out.push("  every record is outside the time window: no verdict");
      continue;
    }
    out.push(`  merged: ${escapeControls(stringifySafely(fn.merged))}`);
    out.push("  rules (SPEC.md section 3), the first that matches decides:");
    let decided = false;
    for (const rule of fn.rules) {
      const mark = rule.matched ? (decided ? "matches (too late)" : "MATCHES") : "no";
      if (rule.matched) decided = true;
      out.push(
        `    ${rule.number}. ${rule.verdict.padEnd(14)} ${mark.padEnd(18)} ${escapeControls(rule.because)}`,
      );
    }
    out.push(`  verdict: ${fn.verdict}`);
  }
  return `${out.join("\n")}\n`;
}
