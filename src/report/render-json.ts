import type { Report } from "./report.js";
import type { UnitRow } from "./unit-rows.js";

// Characters JSON.stringify leaves raw that a terminal acts on (DEL, C1 controls) or that reorder or break
// what a person reads (bidi controls, line and paragraph separators). They only occur inside strings.
const TERMINAL_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON.stringify, with terminal-unsafe characters written as \uXXXX escapes: the same JSON value. */
export function stringifySafely(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(
    TERMINAL_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `--format json`: the report as one JSON document (SPEC.md section 6). */
export function renderJson(report: Report): string {
  return `${stringifySafely(report, 2)}\n`;
}

/** `--format ndjson`: one line per unit, in pieces so that millions of units never make one huge string. */
export function* renderNdjson(rows: Iterable<UnitRow>): Generator<string> {
  let piece = "";
  for (const row of rows) {
    piece += `${stringifySafely(row)}\n`;
    if (piece.length > 64 * 1024) {
      yield piece;
      piece = "";
    }
  }
  if (piece.length > 0) yield piece;
}
