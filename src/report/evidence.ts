import type { UnitFacts, Verdict } from "../m1/rules.js";
import type { CodeCount, Evidence } from "./report.js";

const SAMPLES = 3;
/** Error codes an UNKNOWN breakdown lists (the most frequent); the rest are counted together. */
const LISTED_CODES = 100;

/**
 * Gathers, for one function and one verdict, what the evidence was: counts of the statuses seen, the
 * error codes, latency bounds and the smallest request ids (SPEC.md section 5).
 */
export class EvidenceGatherer {
  count = 0;
  private readonly samples: string[] = [];
  private readonly statuses = new Map<number, number>();
  private readonly upstreams = new Map<string, number>();
  private readonly codes = new Map<string | null, number>();
  private minLatency = Number.POSITIVE_INFINITY;
  private maxLatency = 0;
  private maxUpstreamShare = 0;

  constructor(readonly verdict: Verdict) {}

  add(requestId: string, facts: UnitFacts, errorCodes: readonly string[]): void {
    this.count++;
    keepSmallest(this.samples, requestId);
    bump(this.statuses, facts.status);
    bump(this.upstreams, facts.upstream === null ? "null" : String(facts.upstream));
    if (errorCodes.length === 0) bump(this.codes, null);
    for (const code of errorCodes) bump(this.codes, code);
    if (facts.latencyMs < this.minLatency) this.minLatency = facts.latencyMs;
    if (facts.latencyMs > this.maxLatency) this.maxLatency = facts.latencyMs;
    if (facts.upstreamLatencyMs !== null && facts.latencyMs > 0) {
      this.maxUpstreamShare = Math.max(this.maxUpstreamShare, facts.upstreamLatencyMs / facts.latencyMs);
    }
  }

  result(): Evidence {
    const base = {
      verdict: this.verdict,
      count: this.count,
      summary: this.summary(),
      samples: [...this.samples],
    };
    if (this.verdict !== "UNKNOWN") return base;
    const codes = rankCodes(this.codes);
    const listed = codes.slice(0, LISTED_CODES);
    const notListed = codes.slice(LISTED_CODES).reduce((sum, c) => sum + c.count, 0);
    return { ...base, errorCodes: listed, ...(notListed > 0 ? { errorCodesNotListed: notListed } : {}) };
  }

  private summary(): string {
    const statuses = listCounts(this.statuses);
    const upstreams = listCounts(this.upstreams);
    switch (this.verdict) {
      case "UNKNOWN": {
        const ranked = rankCodes(this.codes);
        const shown = ranked.slice(0, 5).map((c) => `${c.code ?? "none"} ×${c.count}`);
        if (ranked.length > 5) shown.push(`${ranked.length - 5} more codes`);
        const codes = shown.join(", ");
        return (
          `no upstream_status logged (status ${statuses}; error codes ${codes}): ` +
          `log upstream_status, "timeout" for a timeout, to attribute these`
        );
      }
      case "VENDOR":
        return `upstream answered ${upstreams} and the function answered ${statuses}`;
      case "APPLICATION":
        return `upstream answered ${upstreams} but the function answered ${statuses}`;
      case "APP_BOTTLENECK":
        return (
          `slow (${formatMs(this.minLatency)}–${formatMs(this.maxLatency)}) while the upstream took at most ` +
          `${Math.round(this.maxUpstreamShare * 100)}% of it`
        );
      case "UNATTRIBUTED":
        return `no rule explains status ${statuses} with upstream ${upstreams}`;
      case "OK":
        return "not incidents";
    }
  }
}

/** Error codes by count, most frequent first, ties by code (null last). */
export function rankCodes(counts: ReadonlyMap<string | null, number>): CodeCount[] {
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || compareNullLast(a.code, b.code));
}

function compareNullLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** `503 ×12, timeout ×4`: the most frequent first, at most five, then how many more. */
function listCounts<K extends string | number>(counts: ReadonlyMap<K, number>): string {
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (String(a[0]) < String(b[0]) ? -1 : 1));
  const shown = ranked.slice(0, 5).map(([key, n]) => `${key} ×${n}`);
  if (ranked.length > 5) shown.push(`${ranked.length - 5} more`);
  return shown.join(", ");
}

function formatMs(ms: number): string {
  return `${Math.round(ms)} ms`;
}

function bump<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Keeps `samples` as the SAMPLES smallest ids seen, sorted. */
function keepSmallest(samples: string[], id: string): void {
  if (samples.length === SAMPLES && id >= (samples[SAMPLES - 1] as string)) return;
  if (samples.includes(id)) return;
  let at = samples.length;
  while (at > 0 && (samples[at - 1] as string) > id) at--;
  samples.splice(at, 0, id);
  if (samples.length > SAMPLES) samples.pop();
}
