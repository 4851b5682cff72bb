import type { Verdict } from "../m1/rules.js";
import type { Report } from "./report.js";

/** Shared wording of the human-readable renderers (table and Markdown). */

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

export function formatMs(ms: number): string {
  return ms >= 100 ? String(Math.round(ms)) : String(Math.round(ms * 10) / 10);
}

/** A count with its noun, singular or plural. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

/** What the overall verdict means, in the words of SPEC.md section 3. */
export const VERDICT_MEANING: Readonly<Record<Verdict, string>> = {
  OK: "no incidents",
  UNKNOWN: "no upstream evidence, or split evidence: no blame yet",
  VENDOR: "likely vendor / backbone issue",
  APPLICATION: "likely application validation / logic issue",
  APP_BOTTLENECK: "likely application-side bottleneck",
  UNATTRIBUTED: "incidents that no rule explains: no blame",
};

/** `4043 lines: 4017 valid, 24 invalid, 2 blank; 90 duplicates`. */
export function inputLine(report: Report): string {
  const i = report.input;
  return (
    `${plural(i.lines, "line")}: ${i.valid} valid, ${i.invalid} invalid, ${i.blank} blank; ` +
    `${plural(i.duplicates, "duplicate")} (counted once)`
  );
}

/** `2026-11-25T00:00:01.000Z → 2026-11-25T23:59:58.000Z`, or a note that records had no time. */
export function spanLine(report: Report): string {
  const { first, last } = report.timeSpan;
  return first === null ? "no record had a timestamp" : `${first} → ${last}`;
}

/** The lines that say the report covers only part of the input (each error names its source). */
export function incompleteLines(report: Pick<Report, "sources">): string[] {
  return report.sources
    .filter((s) => s.error !== null)
    .map((s) => `INCOMPLETE: ${s.error} (${plural(s.lines, "line")} read)`);
}
