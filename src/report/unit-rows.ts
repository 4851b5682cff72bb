import { VERDICTS, type Verdict } from "../m1/rules.js";
import type { UnitsReader } from "../m1/units-reader.js";

/** One unit as `--format ndjson` prints it (SPEC.md section 6); field names are a contract. */
export interface UnitRow {
  readonly request_id: string;
  readonly function: string;
  readonly verdict: Verdict;
  readonly status: number;
  readonly upstream_status: number | "timeout" | null;
  readonly latency_ms: number;
  readonly upstream_latency_ms: number | null;
  readonly error_codes: readonly string[];
  readonly stages: readonly string[];
}

/** Every unit with its verdict, sorted by function then request_id (JavaScript string order). */
export function* unitRows(units: UnitsReader, verdicts: Uint8Array): Generator<UnitRow> {
  const byFunction = units.indexesByFunction();
  const byName = units.functions.map((name, id) => ({ name, id })).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const { name, id } of byName) {
    const members = Array.from(byFunction[id] as Int32Array, (index) => ({
      index,
      requestId: units.requestIdOf(index),
    }));
    members.sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
    for (const { index, requestId } of members) {
      const unit = units.unit(index);
      yield {
        request_id: requestId,
        function: name,
        verdict: VERDICTS[verdicts[index] as number] as Verdict,
        status: unit.status,
        upstream_status: unit.upstream,
        latency_ms: unit.latencyMs,
        upstream_latency_ms: unit.upstreamLatencyMs,
        error_codes: [...unit.errorCodes].sort(),
        stages: [...unit.stages].sort(),
      };
    }
  }
}
