/** A unit's verdict (SPEC.md section 3). The renderers own the wording shown to people. */
export type Verdict = "OK" | "UNKNOWN" | "VENDOR" | "APPLICATION" | "APP_BOTTLENECK" | "UNATTRIBUTED";

/** Every verdict, in the order reports list them. */
export const VERDICTS: readonly Verdict[] = [
  "OK",
  "UNKNOWN",
  "VENDOR",
  "APPLICATION",
  "APP_BOTTLENECK",
  "UNATTRIBUTED",
];

/** The thresholds of SPEC.md section 3. */
export interface Thresholds {
  /** A unit is slow when its merged latency_ms is at least this. */
  readonly slowMs: number;
  /** APP_BOTTLENECK needs upstream latency at most this share of the total latency. */
  readonly upstreamShare: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { slowMs: 1000, upstreamShare: 0.2 };

/** The merged values a rule looks at. `upstream` is null, "timeout" or a status code. */
export interface UnitFacts {
  readonly status: number;
  readonly latencyMs: number;
  readonly upstream: number | "timeout" | null;
  readonly upstreamLatencyMs: number | null;
}

/** UnitFacts to be filled in: a pass over millions of units reuses one (see `UnitsReader.facts`). */
export type UnitFactsScratch = { -readonly [K in keyof UnitFacts]: UnitFacts[K] };

/** One row of the rule table: the data the classifier runs and `attribute rules` and the docs print. */
export interface Rule {
  readonly number: number;
  readonly verdict: Verdict;
  /** The condition as SPEC.md words it. */
  readonly when: string;
  /** What the verdict suggests to the person on call. */
  readonly meaning: string;
  readonly matches: (facts: UnitFacts, t: Thresholds) => boolean;
  /** The numbers that decide the rule for one unit, in words (`attribute explain`). */
  readonly because: (facts: UnitFacts, t: Thresholds) => string;
}

const ms = (n: number): string => `${n} ms`;
const upstreamText = (u: UnitFacts["upstream"]): string =>
  u === null ? "null" : typeof u === "string" ? `"${u}"` : String(u);
const incidentText = (f: UnitFacts, t: Thresholds): string =>
  `status ${f.status} ${f.status >= 400 ? "≥" : "<"} 400, latency ${ms(f.latencyMs)} ${f.latencyMs >= t.slowMs ? "≥" : "<"} ${ms(t.slowMs)}`;

const isSlow = (f: UnitFacts, t: Thresholds): boolean => f.latencyMs >= t.slowMs;
const isIncident = (f: UnitFacts, t: Thresholds): boolean => f.status >= 400 || isSlow(f, t);
const is5xx = (code: number): boolean => code >= 500 && code <= 599;

/** SPEC.md section 3, in order: the first rule that matches gives the verdict. */
export const RULES: readonly Rule[] = [
  {
    number: 1,
    verdict: "OK",
    when: "not an incident (status < 400 and latency_ms < slowMs)",
    meaning: "nothing to attribute",
    matches: (f, t) => !isIncident(f, t),
    because: incidentText,
  },
  {
    number: 2,
    verdict: "UNKNOWN",
    when: "upstream_status is null",
    meaning: "no upstream evidence: do not change data semantics",
    matches: (f) => f.upstream === null,
    because: (f) => `upstream_status is ${upstreamText(f.upstream)}`,
  },
  {
    number: 3,
    verdict: "VENDOR",
    when: 'upstream_status is "timeout" or 5xx, and status is 5xx',
    meaning: "likely vendor / backbone issue",
    matches: (f) =>
      (f.upstream === "timeout" || (f.upstream !== null && is5xx(f.upstream))) && is5xx(f.status),
    because: (f) => `upstream_status ${upstreamText(f.upstream)}, status ${f.status}`,
  },
  {
    number: 4,
    verdict: "APPLICATION",
    when: "upstream_status is 2xx, and status ≥ 400",
    meaning: "likely application validation / logic issue",
    matches: (f) =>
      typeof f.upstream === "number" && f.upstream >= 200 && f.upstream <= 299 && f.status >= 400,
    because: (f) => `upstream_status ${upstreamText(f.upstream)}, status ${f.status}`,
  },
  {
    number: 5,
    verdict: "APP_BOTTLENECK",
    when: "slow, upstream_latency_ms is not null, and upstream_latency_ms ≤ upstreamShare × latency_ms",
    meaning: "likely application-side bottleneck",
    matches: (f, t) =>
      isSlow(f, t) && f.upstreamLatencyMs !== null && f.upstreamLatencyMs <= t.upstreamShare * f.latencyMs,
    because: (f, t) => {
      const slow = `latency ${ms(f.latencyMs)} ${isSlow(f, t) ? "≥" : "<"} ${ms(t.slowMs)}`;
      if (f.upstreamLatencyMs === null) return `${slow}; upstream_latency_ms is null`;
      const limit = t.upstreamShare * f.latencyMs;
      const compare = f.upstreamLatencyMs <= limit ? "≤" : ">";
      return `${slow}; upstream ${ms(f.upstreamLatencyMs)} ${compare} ${t.upstreamShare} × ${ms(f.latencyMs)}`;
    },
  },
  {
    number: 6,
    verdict: "UNATTRIBUTED",
    when: "anything else",
    meaning: "an incident that no rule explains: no blame",
    matches: () => true,
    because: () => "no earlier rule matched",
  },
];

/** The rule that decides a unit: the first that matches (rule 6 always does). */
export function decidingRule(facts: UnitFacts, thresholds: Thresholds): Rule {
  for (const rule of RULES) if (rule.matches(facts, thresholds)) return rule;
  throw new Error("unreachable: rule 6 matches every unit");
}

/** The verdict of one merged unit (SPEC.md section 3). */
export function classify(facts: UnitFacts, thresholds: Thresholds): Verdict {
  return decidingRule(facts, thresholds).verdict;
}
