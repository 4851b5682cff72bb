import { upstreamFromSeverity, upstreamSeverity } from "../m1/record.js";
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
  /** The smallest request ids seen, in string order, with their bytes. */
  private readonly samples: Sample[] = [];
  // Counts by small non-negative integers (statuses 100–599, as the schema holds them; upstream
  // severities 0–600; set ids), kept in arrays indexed by them: a Map's look-ups took ~25 ms of a 410 ms
  // report on 3.33M units. Every list made from them is sorted, so their order does not matter.
  /** By status. */
  private readonly statuses: number[] = [];
  /** By upstream severity (record.ts): labels are made once, at the end. */
  private readonly upstreams: number[] = [];
  /**
   * By set of words (stages and error codes: an id for `errorCodesOf`): the codes are counted once per
   * set, at the end.
   */
  private readonly codeSets: number[] = [];
  private minLatency = Number.POSITIVE_INFINITY;
  private maxLatency = 0;
  private maxUpstreamShare = 0;

  /** @param errorCodesOf the error codes of a set id (UnitsReader.errorCodesOf). */
  constructor(
    readonly verdict: Verdict,
    private readonly errorCodesOf: (set: number) => readonly string[],
  ) {}

  /**
   * Counts one unit: its request id's bytes (decoded only when it is among the smallest so far), its
   * merged facts, and the id of its set of words (stages and error codes: see `errorCodesOf`).
   */
  add(requestId: Uint8Array, facts: UnitFacts, codeSet: number): void {
    this.count++;
    keepSmallest(this.samples, requestId);
    bump(this.statuses, facts.status);
    bump(this.upstreams, upstreamSeverity(facts.upstream));
    bump(this.codeSets, codeSet);
    if (facts.latencyMs < this.minLatency) this.minLatency = facts.latencyMs;
    if (facts.latencyMs > this.maxLatency) this.maxLatency = facts.latencyMs;
    if (facts.upstreamLatencyMs !== null && facts.latencyMs > 0) {
      this.maxUpstreamShare = Math.max(this.maxUpstreamShare, facts.upstreamLatencyMs / facts.latencyMs);
    }
  }

  /** Error code (null: none) → units, over the sets counted. */
  private codes(): Map<string | null, number> {
    const codes = new Map<string | null, number>();
    for (const [set, n] of entries(this.codeSets)) {
      const members = this.errorCodesOf(set);
      if (members.length === 0) codes.set(null, (codes.get(null) ?? 0) + n);
      for (const code of members) codes.set(code, (codes.get(code) ?? 0) + n);
    }
    return codes;
  }

  result(): Evidence {
    const base = {
      verdict: this.verdict,
      count: this.count,
      summary: this.summary(),
      samples: this.samples.map((sample) => sample.text),
    };
    if (this.verdict !== "UNKNOWN") return base;
    const codes = rankCodes(this.codes());
    const listed = codes.slice(0, LISTED_CODES);
    const notListed = codes.slice(LISTED_CODES).reduce((sum, c) => sum + c.count, 0);
    return { ...base, errorCodes: listed, ...(notListed > 0 ? { errorCodesNotListed: notListed } : {}) };
  }

  private summary(): string {
    const statuses = listCounts(new Map(entries(this.statuses)));
    const upstreams = listCounts(
      new Map(entries(this.upstreams).map(([severity, n]) => [String(upstreamFromSeverity(severity)), n])),
    );
    switch (this.verdict) {
      case "UNKNOWN": {
        const ranked = rankCodes(this.codes());
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

function bump(counts: number[], key: number): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** The [key, count] pairs of counts kept by `bump`. */
function entries(counts: readonly number[]): [number, number][] {
  const pairs: [number, number][] = [];
  counts.forEach((n, key) => pairs.push([key, n]));
  return pairs;
}

interface Sample {
  readonly bytes: Uint8Array;
  readonly text: string;
}

const decoder = new TextDecoder();

/** Keeps `samples` as the SAMPLES smallest ids seen (in JavaScript string order), sorted. */
function keepSmallest(samples: Sample[], id: Uint8Array): void {
  if (samples.length === SAMPLES && compareIds(id, samples[SAMPLES - 1] as Sample) >= 0) return;
  const sample = { bytes: id.slice(), text: decoder.decode(id) };
  let at = samples.length;
  while (at > 0 && compareIds(id, samples[at - 1] as Sample, sample.text) < 0) at--;
  if (at > 0 && compareIds(id, samples[at - 1] as Sample, sample.text) === 0) return;
  samples.splice(at, 0, sample);
  if (samples.length > SAMPLES) samples.pop();
}

/**
 * Compares a request id's UTF-8 bytes with a sample as JavaScript compares strings (by UTF-16 units).
 * Where the first differing bytes are both ASCII, or one id is a prefix of the other, the bytes decide
 * exactly as the strings would; otherwise (a difference inside non-ASCII characters, where UTF-8 and
 * UTF-16 orders can differ) the id is decoded and the strings are compared.
 */
export function compareIds(id: Uint8Array, sample: Sample, idText?: string): number {
  const other = sample.bytes;
  const length = Math.min(id.length, other.length);
  for (let k = 0; k < length; k++) {
    const a = id[k] as number;
    const b = other[k] as number;
    if (a === b) continue;
    if (a < 0x80 && b < 0x80) return a - b;
    const text = idText ?? decoder.decode(id);
    return text < sample.text ? -1 : text > sample.text ? 1 : 0;
  }
  return id.length - other.length;
}
