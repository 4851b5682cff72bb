import { parseISO } from "date-fns/parseISO";

// The shape nearly every logger writes; Date.parse reads it exactly, and far faster than a general parser.
const COMMON_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Reads a timestamp value as epoch milliseconds, or returns null when it is neither an ISO-8601 string
 * nor a finite number. An ISO time without a zone is read as UTC, so the report never depends on TZ.
 */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  if (COMMON_ISO.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  const date = parseISO(value);
  const ms = date.getTime();
  if (Number.isNaN(ms)) return null;
  const hasTime = value.includes("T") || value.includes(" ");
  if (hasTime && HAS_ZONE.test(value)) return ms;
  return ms - date.getTimezoneOffset() * 60_000;
}
