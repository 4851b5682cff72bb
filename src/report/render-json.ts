import type { Report } from "./report.js";
import type { UnitRow } from "./unit-rows.js";

/** `--format json`: the report as one JSON document (SPEC.md section 6). */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** `--format ndjson`: one line per unit, in pieces so that millions of units never make one huge string. */
export function* renderNdjson(rows: Iterable<UnitRow>): Generator<string> {
  let piece = "";
  for (const row of rows) {
    piece += `${JSON.stringify(row)}\n`;
    if (piece.length > 64 * 1024) {
      yield piece;
      piece = "";
    }
  }
  if (piece.length > 0) yield piece;
}
