import { classify, type Verdict } from "../m1/rules.js";
import { evaluateGates, gateStderrLines } from "../gates/gates.js";
import { InputError } from "../input-error.js";
import { EXIT, type Io } from "../io.js";
import { LIVE_END, LIVE_START, renderLiveFrame } from "../live/render-live.js";
import type { UnitsReader } from "../m1/units-reader.js";
import { wantsColor, type Format } from "../options.js";
import {
  formatProgress,
  PROGRESS_CLEAR,
  PROGRESS_DELAY_MS,
  progressRedraw,
  shouldShowProgress,
} from "../progress/progress-line.js";
import { RejectsFile } from "../quarantine/rejects-file.js";
import { readLogs, type ReadProgress, type ReadResult } from "../read-logs.js";
import { buildReport, classifyUnits } from "../report/build-report.js";
import { escapeControls } from "../report/escape-text.js";
import { renderJson, renderNdjson } from "../report/render-json.js";
import { renderMarkdown } from "../report/render-markdown.js";
import type { Report } from "../report/report.js";
import { buildTimeline, type TimelineUnit } from "../report/timeline.js";
import { unitRows } from "../report/unit-rows.js";
import { summarizeWindow } from "../time/time-window.js";
import { writeReport } from "../write-report.js";
import {
  limitsOf,
  loadSettings,
  NO_INPUT,
  sourceSpecs,
  timeWindowOf,
  totalBytes,
  type InputFlags,
} from "../cli/input-flags.js";
import type { Settings } from "../config/config.js";

/** The flags of the report (the default command). */
export interface ReportFlags extends InputFlags {
  readonly format?: Format;
  readonly output?: string;
  readonly color: boolean;
  readonly failOn?: Verdict[];
  readonly maxInvalid?: number;
  readonly maxUnknown?: number;
  readonly bucket?: number;
  readonly rejects?: string;
  readonly live?: boolean;
  readonly interval: number;
}

/**
 * `attribute [files…]`: read, attribute, report. Exit 0, 1 when a gate tripped, 2 when it could not
 * run or could not read all of its input, 130 when interrupted (the report of what was read is printed).
 */
export async function runReport(files: readonly string[], flags: ReportFlags, io: Io): Promise<number> {
  if (flags.live === true && io.stdout.isTTY !== true) {
    throw new InputError(
      "--live redraws a terminal, and stdout is not one: drop --live, or use --format json",
    );
  }
  if (files.length === 0 && io.stdin.isTTY === true) {
    io.stderr.write(NO_INPUT);
    return EXIT.failure;
  }
  const settings = await loadSettings(flags, {
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.failOn === undefined ? {} : { failOn: flags.failOn }),
    ...(flags.maxInvalid === undefined ? {} : { maxInvalid: flags.maxInvalid }),
    ...(flags.maxUnknown === undefined ? {} : { maxUnknown: flags.maxUnknown }),
  });
  if (flags.bucket !== undefined && settings.format === "ndjson") {
    // Not dropped silently: the timeline summarises units, and ndjson has no place for a summary.
    throw new InputError(
      "--bucket adds a timeline to the table, Markdown and JSON reports, and --format ndjson prints one line per unit: drop --bucket, or use --format json",
    );
  }
  const window = timeWindowOf(flags);
  const specs = sourceSpecs(files);
  const rejects = flags.rejects === undefined ? null : new RejectsFile(flags.rejects);
  const watcher = await startWatching(flags, settings, io, await totalBytes(specs));
  let read: ReadResult;
  try {
    read = await readLogs(specs, io.stdin, {
      policy: { strict: settings.strict, allowed: new Set(settings.allowFields) },
      maxLineBytes: flags.maxLineBytes,
      limits: limitsOf(flags),
      // The live view draws what this thread has read, so it reads on this thread alone.
      jobs: flags.live === true ? 1 : flags.jobs,
      signal: io.signal,
      extras: { window, mapping: { preset: settings.preset, map: settings.map } },
      ...(rejects === null ? {} : { onReject: rejects.add }),
      onProgress: watcher.onProgress,
    });
  } catch (error) {
    watcher.stop();
    rejects?.discard();
    throw error;
  }
  watcher.stop();
  rejects?.close();
  for (const source of read.sources) {
    if (source.error !== null) io.stderr.write(`attribute: ${escapeControls(source.error)}\n`);
  }
  const base = buildReport(read, { thresholds: settings.thresholds, thresholdsFor: settings.thresholdsFor });
  const withExtras: Report = {
    ...base,
    window:
      window === null
        ? null
        : summarizeWindow(window, read.intake.tally.outsideWindow, read.intake.tally.noTimestamp),
    timeline:
      flags.bucket === undefined
        ? null
        : buildTimeline(timelineUnits(read.units, settings), flags.bucket, firstTimes(read.units)),
  };
  const gates = evaluateGates(withExtras, settings.gates);
  const report: Report = { ...withExtras, gates };
  for (const line of gateStderrLines(gates)) io.stderr.write(`${line}\n`);

  const toTerminal = flags.output === undefined && io.stdout.isTTY === true;
  const color = wantsColor(flags.color, io.env, toTerminal);
  await writeReport(await render(report, read, settings, color), flags.output, io.stdout);
  if (io.signal?.aborted === true) return EXIT.interrupted;
  if (!read.complete) return EXIT.failure;
  return gates.tripped.length > 0 ? EXIT.gate : EXIT.ok;
}

async function render(
  report: Report,
  read: ReadResult,
  settings: Settings,
  color: boolean,
): Promise<Iterable<string>> {
  switch (settings.format) {
    case "json":
      return [renderJson(report)];
    case "ndjson": {
      const options = { thresholds: settings.thresholds, thresholdsFor: settings.thresholdsFor };
      return renderNdjson(unitRows(read.units, classifyUnits(read.units, options)));
    }
    case "markdown":
      return [renderMarkdown(report)];
    case "table": {
      // cli-table3 is loaded only for the table: JSON and NDJSON runs never pay for it.
      const { renderTable } = await import("../report/render-table.js");
      return [renderTable(report, { color })];
    }
  }
}

/** Every unit's function, verdict and earliest time, for the timeline. */
function* timelineUnits(units: UnitsReader, settings: Settings): Generator<TimelineUnit> {
  for (let i = 0; i < units.size; i++) {
    const fn = units.functions[units.functionIdOf(i)] as string;
    const verdict = classify(units.facts(i), settings.thresholdsFor(fn));
    yield { function: fn, verdict, firstMs: units.firstMsOf(i) };
  }
}

/** The earliest and latest of the units' first timestamps (NaN when none has one). */
function firstTimes(units: UnitsReader): { first: number; last: number } {
  let first = Number.NaN;
  let last = Number.NaN;
  for (let i = 0; i < units.size; i++) {
    const ms = units.firstMsOf(i);
    if (ms === null) continue;
    if (!(ms >= first)) first = ms;
    if (!(ms <= last)) last = ms;
  }
  return { first, last };
}

interface Watcher {
  readonly onProgress: (progress: ReadProgress) => void;
  stop(): void;
}

/**
 * What watches reading: the live view (`--live`, redrawn every interval on a terminal), or the progress
 * line on stderr (after a second, on a terminal, not in CI), or nothing.
 */
async function startWatching(
  flags: ReportFlags,
  settings: Settings,
  io: Io,
  total: number | null,
): Promise<Watcher> {
  const started = Date.now();
  let latest: ReadProgress | null = null;
  const onProgress = (progress: ReadProgress): void => {
    latest = progress;
  };
  if (flags.live === true) {
    const color = wantsColor(flags.color, io.env, true);
    io.stdout.write(LIVE_START);
    const draw = (): void => {
      if (latest === null) return;
      const elapsedMs = Date.now() - started;
      const frame = renderLiveFrame(liveReport(latest, settings), {
        width: io.stdout.columns ?? 100,
        height: io.stdout.rows ?? 30,
        elapsedMs,
        linesPerSecond: (latest.lines / Math.max(elapsedMs, 1)) * 1000,
        color,
      });
      io.stdout.write(frame);
    };
    const timer = setInterval(draw, flags.interval);
    return {
      onProgress,
      stop: () => {
        clearInterval(timer);
        io.stdout.write(LIVE_END);
      },
    };
  }
  if (!shouldShowProgress({ stderrIsTTY: io.stderr.isTTY === true, env: io.env })) {
    return { onProgress, stop: () => undefined };
  }
  let shown = false;
  const timer = setInterval(() => {
    if (latest === null || Date.now() - started < PROGRESS_DELAY_MS) return;
    shown = true;
    const line = formatProgress({
      bytes: latest.bytes,
      lines: latest.lines,
      elapsedMs: Date.now() - started,
      ...(total === null ? {} : { totalBytes: total }),
    });
    io.stderr.write(progressRedraw(line));
  }, 250);
  return {
    onProgress,
    stop: () => {
      clearInterval(timer);
      if (shown) io.stderr.write(PROGRESS_CLEAR);
    },
  };
}

/** The report so far, from what this thread has read (the live view reads on one thread). */
function liveReport(progress: ReadProgress, settings: Settings): Report {
  const intake = progress.intake;
  return buildReport(
    { intake, units: intake.units, sources: [], complete: false, threads: 1 },
    { thresholds: settings.thresholds, thresholdsFor: settings.thresholdsFor },
  );
}
