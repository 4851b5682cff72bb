import { InputError } from "../input-error.js";
import { VERDICTS, type Verdict } from "../m1/rules.js";
import { bucketStart, formatDuration, toIso } from "../time/time-window.js";
import { escapeControls, escapeMarkdown } from "./escape-text.js";
import type { VerdictCounts } from "./report.js";
import { paintVerdict } from "./verdict-style.js";
import { plural } from "./wording.js";

/** At most this many buckets: beyond it a timeline is unreadable and the JSON grows without bound. */
export const MAX_BUCKETS = 1000;

/** What the timeline needs of a unit (the lead feeds it from the unit table). */
export interface TimelineUnit {
  readonly function: string;
  readonly verdict: Verdict;
  /** The unit's earliest timestamp, epoch ms; null puts it in no bucket (it is counted as untimed). */
  readonly firstMs: number | null;
}

/** One bucket: [start, end) in UTC ISO-8601, and the count of each verdict among the units starting in it. */
export interface TimelineBucket {
  readonly start: string;
  readonly end: string;
  readonly verdicts: VerdictCounts;
}

/** The `timeline` field of the report (`--bucket`): every series covers the same buckets, zero-filled. */
export interface Timeline {
  /** The bucket size as given back by formatDuration (`30m`), and in milliseconds. */
  readonly bucket: string;
  readonly bucketMs: number;
  /** Units without any timestamp: in the verdict counts of the report, in no bucket. */
  readonly untimedUnits: number;
  readonly overall: readonly TimelineBucket[];
  /** One series per function with at least one timestamped unit, in name order. */
  readonly functions: readonly { readonly function: string; readonly buckets: readonly TimelineBucket[] }[];
}

/**
 * Counts units per bucket of their earliest timestamp, per function and overall. Every bucket from the
 * first unit's to the last unit's is present (zero-filled), so series line up and gaps show. A span
 * that needs more than MAX_BUCKETS buckets is an InputError suggesting a bucket size that fits.
 */
export function buildTimeline(
  units: Iterable<TimelineUnit>,
  bucketMs: number,
  span?: { readonly first: number; readonly last: number },
): Timeline {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0)
    throw new InputError("--bucket: expected a duration longer than zero");
  // Given the span of the units' first timestamps, refuse before counting, naming the whole span
  // whatever the order of the units (the check in the loop below can only name what it has seen).
  if (span !== undefined && Number.isFinite(span.first) && Number.isFinite(span.last)) {
    const first = bucketStart(span.first, bucketMs);
    const last = bucketStart(span.last, bucketMs);
    if ((last - first) / bucketMs + 1 > MAX_BUCKETS) throw tooManyBuckets(first, last, bucketMs);
  }
  // Sparse counts while reading: function → bucket start → counts in VERDICTS order.
  const counts = new Map<string, Map<number, number[]>>();
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let untimed = 0;
  for (const unit of units) {
    if (unit.firstMs === null || !Number.isFinite(unit.firstMs)) {
      untimed++;
      continue;
    }
    const start = bucketStart(unit.firstMs, bucketMs);
    first = Math.min(first, start);
    last = Math.max(last, start);
    // The span only grows: refuse as soon as it is too wide, before holding more counts.
    if ((last - first) / bucketMs + 1 > MAX_BUCKETS) throw tooManyBuckets(first, last, bucketMs);
    let series = counts.get(unit.function);
    if (series === undefined) counts.set(unit.function, (series = new Map()));
    let row = series.get(start);
    if (row === undefined) series.set(start, (row = VERDICTS.map(() => 0)));
    row[VERDICTS.indexOf(unit.verdict)]! += 1;
  }
  // By index, not by adding bucketMs in a loop: at huge epoch values `s + bucketMs === s`.
  const count = first <= last ? Math.round((last - first) / bucketMs) + 1 : 0;
  const starts = Array.from({ length: count }, (_, i) => first + i * bucketMs);
  const bucketsOf = (series: ReadonlyMap<number, readonly number[]>): TimelineBucket[] =>
    starts.map((s) => ({ start: toIso(s), end: toIso(s + bucketMs), verdicts: countsOf(series.get(s)) }));
  const overall = new Map<number, number[]>();
  for (const series of counts.values()) {
    for (const [s, row] of series) {
      const total = overall.get(s) ?? VERDICTS.map(() => 0);
      row.forEach((n, i) => (total[i]! += n));
      overall.set(s, total);
    }
  }
  const names = [...counts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    bucket: formatDuration(bucketMs),
    bucketMs,
    untimedUnits: untimed,
    overall: bucketsOf(overall),
    functions: names.map((name) => ({ function: name, buckets: bucketsOf(counts.get(name)!) })),
  };
}

function countsOf(row: readonly number[] | undefined): VerdictCounts {
  const out = {} as Record<Verdict, number>;
  VERDICTS.forEach((v, i) => (out[v] = row?.[i] ?? 0));
  return out;
}

function tooManyBuckets(first: number, last: number, bucketMs: number): InputError {
  const needed = Math.floor((last - first) / bucketMs) + 1;
  const fits = formatDuration(roundUpToNice(Math.ceil((last - first + bucketMs) / MAX_BUCKETS)));
  return new InputError(
    `--bucket ${formatDuration(bucketMs)} would make ${needed > 1e9 ? "over a billion" : needed} buckets ` +
      `from ${toIso(first)} to ${toIso(last + bucketMs)}, more than ${MAX_BUCKETS}: ` +
      `use --bucket ${fits} or more, or narrow the time with --since/--until`,
  );
}

// Bucket sizes a person would pick; beyond the last, whole days.
const NICE = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map(
  (s) => s * 1000,
);

function roundUpToNice(ms: number): number {
  return NICE.find((n) => n >= ms) ?? Math.ceil(ms / 86_400_000) * 86_400_000;
}

/** The eight block heights of a sparkline, lowest first. */
const BLOCKS = "▁▂▃▄▅▆▇█";

/** Options of the table view's sparklines. */
export interface SparklineOptions {
  /** ANSI colour per mark (the bucket's main incident verdict); off unless the caller decided colour. */
  readonly color?: boolean;
  /** At most this many marks per line: adjacent buckets are summed into one mark beyond it. */
  readonly width?: number;
}

/**
 * A sparkline of incidents (units not OK) per bucket: `▁` is none, `▂`–`█` scale up to the series' own
 * busiest mark, so any incident shows above the baseline however small next to the peak.
 */
export function sparkline(buckets: readonly TimelineBucket[], options: SparklineOptions = {}): string {
  const marks = groupBuckets(buckets, options.width ?? 60);
  const peak = Math.max(0, ...marks.map((m) => m.incidents));
  return marks
    .map((m) => {
      if (m.incidents === 0) return BLOCKS[0];
      const level = Math.max(1, Math.ceil((m.incidents / peak) * (BLOCKS.length - 1)));
      const block = BLOCKS[level] as string;
      return paintVerdict(m.main, block, options.color === true);
    })
    .join("");
}

interface Mark {
  readonly incidents: number;
  readonly main: Verdict;
}

function groupBuckets(buckets: readonly TimelineBucket[], width: number): Mark[] {
  const per = Math.max(1, Math.ceil(buckets.length / Math.max(1, width)));
  const marks: Mark[] = [];
  for (let i = 0; i < buckets.length; i += per) {
    const sums = VERDICTS.map(() => 0);
    for (const b of buckets.slice(i, i + per)) VERDICTS.forEach((v, j) => (sums[j]! += b.verdicts[v]));
    let main: Verdict = "UNKNOWN";
    let most = 0;
    VERDICTS.forEach((v, j) => {
      if (v !== "OK" && sums[j]! > most) [main, most] = [v, sums[j]!];
    });
    marks.push({ incidents: sums.reduce((a, b) => a + b, 0) - sums[0]!, main });
  }
  return marks;
}

/** Incidents in a bucket: every unit that is not OK. */
function incidentsOf(bucket: TimelineBucket): number {
  return VERDICTS.reduce((n, v) => (v === "OK" ? n : n + bucket.verdicts[v]), 0);
}

/** The busiest bucket of a series: `20 at 2026-11-25T04:30:00.000Z`, or `no incidents`. */
function peakText(buckets: readonly TimelineBucket[]): string {
  let best: TimelineBucket | null = null;
  for (const b of buckets) if (incidentsOf(b) > (best === null ? 0 : incidentsOf(best))) best = b;
  return best === null ? "no incidents" : `peak ${incidentsOf(best)} at ${best.start}`;
}

/** The timeline block of the table report: a caption, then one sparkline per function and overall. */
export function renderTimelineText(timeline: Timeline, options: SparklineOptions = {}): string[] {
  if (timeline.overall.length === 0) return [`Timeline (per ${timeline.bucket}): no unit had a timestamp`];
  const width = options.width ?? 60;
  const per = Math.ceil(timeline.overall.length / width);
  const first = timeline.overall[0] as TimelineBucket;
  const last = timeline.overall[timeline.overall.length - 1] as TimelineBucket;
  const out = [
    `Timeline: incidents per ${timeline.bucket}${per > 1 ? ` (each mark ${per} buckets)` : ""}, ` +
      `${first.start} → ${last.end}; ▁ none, █ the row's busiest`,
  ];
  const rows = [
    ...timeline.functions.map((f) => [escapeControls(f.function), f.buckets] as const),
    ["(overall)", timeline.overall] as const,
  ];
  const nameWidth = Math.max(...rows.map(([name]) => name.length));
  for (const [name, buckets] of rows) {
    out.push(`  ${name.padEnd(nameWidth)}  ${sparkline(buckets, options)}  ${peakText(buckets)}`);
  }
  if (timeline.untimedUnits > 0)
    out.push(`  ${plural(timeline.untimedUnits, "unit")} without a timestamp: in no bucket`);
  return out;
}

/** How many bucket rows the Markdown table lists (a job summary must stay small). */
const MARKDOWN_ROWS = 100;

/**
 * The timeline section of the Markdown report: a sparkline per function, then the overall buckets that
 * had incidents, with the count of each verdict. Log content is escaped; every line starts with ours.
 */
export function renderTimelineMarkdown(timeline: Timeline): string[] {
  const out = [`### Timeline (per ${timeline.bucket})`, ""];
  if (timeline.overall.length === 0) return [...out, "No unit had a timestamp.", ""];
  out.push("| function | incidents per bucket | peak |", "| --- | --- | --- |");
  for (const f of timeline.functions) {
    out.push(`| ${escapeMarkdown(f.function)} | ${sparkline(f.buckets)} | ${peakText(f.buckets)} |`);
  }
  out.push(`| **(overall)** | ${sparkline(timeline.overall)} | ${peakText(timeline.overall)} |`, "");
  const busy = timeline.overall.filter((b) => incidentsOf(b) > 0);
  if (busy.length === 0) return [...out, "No incidents in any bucket.", ""];
  const kinds = VERDICTS.slice(1);
  out.push(
    `| start (UTC) | units | incidents | ${kinds.join(" | ")} |`,
    `| --- | ---: | ---: | ${kinds.map(() => "---:").join(" | ")} |`,
  );
  for (const b of busy.slice(0, MARKDOWN_ROWS)) {
    const units = VERDICTS.reduce((n, v) => n + b.verdicts[v], 0);
    out.push(
      `| ${b.start} | ${units} | ${incidentsOf(b)} | ${kinds.map((v) => b.verdicts[v]).join(" | ")} |`,
    );
  }
  out.push("");
  const notes = [`Buckets without incidents are not listed.`];
  if (busy.length > MARKDOWN_ROWS)
    notes.push(
      `${busy.length - MARKDOWN_ROWS} more buckets with incidents are in the JSON report (--format json).`,
    );
  if (timeline.untimedUnits > 0)
    notes.push(
      `${plural(timeline.untimedUnits, "unit")} without a timestamp ${timeline.untimedUnits === 1 ? "is" : "are"} in no bucket.`,
    );
  out.push(notes.join(" "), "");
  return out;
}
