import { VERDICTS, type Verdict } from "../m1/rules.js";
import { formatCount } from "../progress/progress-line.js";
import { escapeControls } from "../report/escape-text.js";
import type { FunctionSummary, Report, VerdictSummary } from "../report/report.js";
import { paintVerdict, SHORT_VERDICT } from "../report/verdict-style.js";

/** What a live frame is drawn for: the terminal's size, the clock and the reading rate. */
export interface LiveFrameOptions {
  /** Terminal columns and rows (`process.stdout.columns` / `rows`). */
  readonly width: number;
  readonly height: number;
  readonly elapsedMs: number;
  readonly linesPerSecond: number;
  readonly color: boolean;
}

// Our own control sequences (ECMA-48); log content never reaches the terminal unescaped.
const ESC = "\u001b[";
const HOME = `${ESC}H`;
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_SCREEN_END = `${ESC}J`;

/** Written once before the first frame: hide the cursor (it would flicker) and clear the screen. */
export const LIVE_START = `${ESC}?25l${ESC}2J${HOME}`;
/** Written once after the last frame, before the final report: clear the frame, show the cursor. */
export const LIVE_END = `${HOME}${CLEAR_SCREEN_END}${ESC}?25h`;

/** A piece of a line: text, and the verdict whose colour it takes, if any. */
type Segment = readonly [text: string, colour?: Verdict];

/**
 * One frame of `--live`: cursor home, then at most height − 1 lines (so the terminal never scrolls),
 * each cut to the width and followed by erase-to-end-of-line, then erase-to-end-of-screen, so a shorter
 * frame leaves nothing of the last one. Functions with the most incidents come first; those that do not
 * fit are counted in a "… N more" line. Pure: the caller owns the timer and the terminal.
 */
export function renderLiveFrame(report: Report, options: LiveFrameOptions): string {
  const width = Math.max(1, Math.floor(options.width));
  const rows = Math.max(1, Math.floor(options.height) - 1);
  const lines: Segment[][] = [[[headerText(report, options)]], overallLine(report.overall)];
  const byIncidents = [...report.functions].sort(
    (a, b) => b.incidents - a.incidents || (a.function < b.function ? -1 : a.function > b.function ? 1 : 0),
  );
  const names = byIncidents.map((fn) => escapeControls(fn.function));
  const nameWidth = Math.min(Math.max(8, ...names.map((n) => n.length)), Math.max(8, Math.floor(width / 3)));
  // The number columns that fit whole, in order: a number cut at the edge would read as another number.
  const columns = fittingColumns(width - nameWidth - 2 - VERDICT_WIDTH);
  // Below the two header lines: a blank line, the heading, the functions, and the hint at the foot.
  const room = rows - lines.length - 3;
  if (room >= 1) {
    const heading = columns.map((c) => ` ${c.heading.padStart(c.width - 1)}`).join("");
    lines.push([[""]], [[`${"function".padEnd(nameWidth)}  ${"verdict".padEnd(VERDICT_WIDTH)}${heading}`]]);
    const shown = byIncidents.length <= room ? byIncidents.length : room - 1;
    byIncidents.slice(0, shown).forEach((fn, i) => {
      const name = cut(names[i] as string, nameWidth).padEnd(nameWidth);
      const numbers = columns.map((c) => ` ${c.value(fn).padStart(c.width - 1)}`).join("");
      lines.push([[`${name}  `], [fn.verdict.padEnd(VERDICT_WIDTH), fn.verdict], [numbers]]);
    });
    if (shown < byIncidents.length) lines.push([[`… ${byIncidents.length - shown} more`]]);
  }
  if (lines.length < rows) lines.push([["Ctrl-C stops and prints the full report"]]);
  const text = lines
    .slice(0, rows)
    .map((segments) => `${fit(segments, width, options.color)}${CLEAR_LINE_END}`)
    .join("\n");
  return `${HOME}${text}\n${CLEAR_SCREEN_END}`;
}

/** APP_BOTTLENECK is 14 characters, and one space separates it from the share. */
const VERDICT_WIDTH = 15;

function headerText(report: Report, options: LiveFrameOptions): string {
  const i = report.input;
  const invalid = i.invalid > 0 ? ` (${formatCount(i.invalid)} invalid)` : "";
  return (
    `attribute --live  ${clock(options.elapsedMs)}  ${formatCount(i.lines)} lines${invalid}  ` +
    `${formatCount(options.linesPerSecond)} lines/s`
  );
}

function overallLine(s: VerdictSummary): Segment[] {
  const detail =
    s.incidents === 0
      ? `${s.units} units, no incidents`
      : `${Math.round(s.share * 100)}% of ${s.incidents} incidents in ${s.units} units`;
  return [["Overall: "], [s.verdict, s.verdict], [` — ${detail}`]];
}

/** A right-aligned number column of the function rows: its heading, and its width with the space before it. */
interface Column {
  readonly heading: string;
  readonly width: number;
  readonly value: (fn: FunctionSummary) => string;
}

/** Share, units, incidents, then a count per verdict other than OK. */
const COLUMNS: readonly Column[] = [
  {
    heading: "share",
    width: 6,
    value: (fn) => (fn.incidents === 0 ? "–" : `${Math.round(fn.share * 100)}%`),
  },
  { heading: "units", width: 8, value: (fn) => String(fn.units) },
  { heading: "incidents", width: 10, value: (fn) => String(fn.incidents) },
  ...VERDICTS.slice(1).map((v): Column => ({
    heading: SHORT_VERDICT[v],
    width: 11,
    value: (fn) => String(fn.verdicts[v]),
  })),
];

/** The leading columns whose full width fits in `room` characters. */
function fittingColumns(room: number): Column[] {
  const fitting: Column[] = [];
  for (const column of COLUMNS) {
    if (column.width > room) break;
    fitting.push(column);
    room -= column.width;
  }
  return fitting;
}

/** A name cut to a width, by code point (a surrogate pair is never split), with `…` when cut. */
function cut(text: string, width: number): string {
  const points = Array.from(text);
  return points.length > width ? `${points.slice(0, width - 1).join("")}…` : text;
}

/**
 * Joins segments, cutting at the width by code point. Wide characters (CJK, emoji) count as one column,
 * so a line holding them can still wrap; a terminal width library would be a dependency for a rare case.
 */
function fit(segments: readonly Segment[], width: number, color: boolean): string {
  let out = "";
  let left = width;
  for (const [text, colour] of segments) {
    if (left <= 0) break;
    const points = Array.from(text);
    const piece = points.length > left ? points.slice(0, left).join("") : text;
    left -= Math.min(points.length, left);
    out += colour === undefined ? piece : paintVerdict(colour, piece, color);
  }
  return out;
}

/** Elapsed time as `m:ss`, or `h:mm:ss` past an hour. */
function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
