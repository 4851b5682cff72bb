import { InputError } from "../input-error.js";
import { describeValue } from "../m1/describe-value.js";
import { parseTimestamp } from "../m1/parse-timestamp.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Units largest first, each at most once: `1h30m`, not `30m1h`. `m` is minutes (months have no fixed
// length, so they are not a unit here).
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
// A full calendar date first (`2026-11-25…`, or the basic `20261125T…`), so that a bare `30` is refused
// instead of being read by parseISO as the year 3000.
const ISO_START = /^(?:\d{4}-\d{2}-\d{2}|\d{8}T)/;

const DURATION_FORMS = "a duration such as 90s, 30m, 2h, 1d or 1h30m";
const TIME_FORMS = `an ISO-8601 time such as 2026-11-25T03:00Z (no zone means UTC) or ${DURATION_FORMS} before now`;

/** Parses a duration (`90s`, `30m`, `2h`, `1d`, `1h30m`) into milliseconds; zero or anything else is an InputError. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (text.trim() === "" || match === null) {
    throw new InputError(`expected ${DURATION_FORMS}, got ${describeValue(text)}`);
  }
  const [, d = "0", h = "0", m = "0", s = "0"] = match;
  const ms = Number(d) * DAY + Number(h) * HOUR + Number(m) * MINUTE + Number(s) * SECOND;
  if (ms === 0) throw new InputError(`expected a duration longer than zero, got ${describeValue(text)}`);
  if (!Number.isSafeInteger(ms)) throw new InputError(`the duration ${describeValue(text)} is too long`);
  return ms;
}

/** Writes milliseconds as the shortest duration parseDuration reads back (`1h30m`); sub-second parts are dropped. */
export function formatDuration(ms: number): string {
  let rest = Math.floor(ms / SECOND) * SECOND;
  let out = "";
  for (const [unit, size] of [
    ["d", DAY],
    ["h", HOUR],
    ["m", MINUTE],
    ["s", SECOND],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out === "" ? "0s" : out;
}

/**
 * Parses a `--since`/`--until` value into epoch milliseconds: an ISO-8601 time (read by date-fns
 * `parseISO` through parseTimestamp, so a time without a zone is UTC, as in the logs), or a duration
 * before `now`. Anything else is an InputError saying which forms are accepted.
 */
export function parseTimeBound(text: string, now: Date): number {
  const trimmed = text.trim();
  if (trimmed !== "" && DURATION.test(trimmed)) return now.getTime() - parseDuration(trimmed);
  const ms = ISO_START.test(trimmed) ? parseTimestamp(trimmed) : null;
  if (ms === null || !Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) {
    throw new InputError(`expected ${TIME_FORMS}, got ${describeValue(text)}`);
  }
  return ms;
}

/** A time window: records with since ≤ timestamp < until are kept; null means unbounded on that side. */
export interface TimeWindow {
  readonly sinceMs: number | null;
  readonly untilMs: number | null;
}

/**
 * The window of `--since` and `--until` (either may be absent), or null when neither is given. Errors
 * name the flag; a window that ends before it starts is refused rather than silently empty.
 */
export function resolveTimeWindow(
  flags: { readonly since?: string; readonly until?: string },
  now: Date,
): TimeWindow | null {
  if (flags.since === undefined && flags.until === undefined) return null;
  const bound = (flag: string, text: string | undefined): number | null => {
    if (text === undefined) return null;
    try {
      return parseTimeBound(text, now);
    } catch (error) {
      if (error instanceof InputError) throw new InputError(`${flag}: ${error.message}`);
      throw error;
    }
  };
  const sinceMs = bound("--since", flags.since);
  const untilMs = bound("--until", flags.until);
  if (sinceMs !== null && untilMs !== null && sinceMs >= untilMs) {
    throw new InputError(
      `--since ${toIso(sinceMs)} is not before --until ${toIso(untilMs)}: the window would be empty`,
    );
  }
  return { sinceMs, untilMs };
}

/** True when a timestamp falls in the window (since inclusive, until exclusive, as buckets are). */
export function isInWindow(ms: number, window: TimeWindow): boolean {
  return (
    (window.sinceMs === null || ms >= window.sinceMs) && (window.untilMs === null || ms < window.untilMs)
  );
}

/** The `window` field of the report: the bounds in effect and the valid records they left out. */
export interface WindowSummary {
  /** UTC ISO-8601, or null when unbounded. */
  readonly since: string | null;
  readonly until: string | null;
  /** Valid records whose timestamp fell outside the window. */
  readonly outside: number;
  /** Valid records without a timestamp (a window cannot place them, so they are left out). */
  readonly noTimestamp: number;
}

/** The report's `window` field for a window and the counts of records it left out. */
export function summarizeWindow(window: TimeWindow, outside: number, noTimestamp: number): WindowSummary {
  return {
    since: window.sinceMs === null ? null : toIso(window.sinceMs),
    until: window.untilMs === null ? null : toIso(window.untilMs),
    outside,
    noTimestamp,
  };
}

/** One line for the input summary: `window 2026-… → 2026-… (until is excluded): 120 records outside it and 3 without a timestamp left out`. */
export function windowLine(window: WindowSummary): string {
  const range = `${window.since ?? "the beginning"} → ${window.until ?? "the end"}`;
  const records = (n: number): string => `${n} ${n === 1 ? "record" : "records"}`;
  return (
    `window ${range}: ${records(window.outside)} outside it and ` +
    `${records(window.noTimestamp)} without a timestamp left out`
  );
}

/** The start of the bucket holding `ms`: buckets are aligned to the epoch, so to UTC midnight for whole days. */
export function bucketStart(ms: number, bucketMs: number): number {
  return Math.floor(ms / bucketMs) * bucketMs;
}

/** UTC ISO-8601 for an instant a Date can hold; any other is shown as its number (as the report does). */
export function toIso(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
}
