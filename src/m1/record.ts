/** One valid M1 record: what one stage of one request in one function observed (SPEC.md section 1). */
export interface M1Record {
  readonly request_id: string;
  readonly function: string;
  readonly stage: string;
  /** What the function answered, 100–599. */
  readonly status: number;
  readonly latency_ms: number;
  readonly error_code: string | null;
  /** 100–599, "timeout", or null when the record carries no upstream evidence. */
  readonly upstream_status: number | "timeout" | null;
  readonly upstream_latency_ms: number | null;
  /** Epoch milliseconds from `ts`, `timestamp` or `time`, or null when the record has none. */
  readonly timeMs: number | null;
}

/** The eight keys every record must have, in the order SPEC.md lists them. */
export const REQUIRED_FIELDS = [
  "request_id",
  "function",
  "stage",
  "status",
  "latency_ms",
  "error_code",
  "upstream_status",
  "upstream_latency_ms",
] as const;

/** Timestamp keys in order of precedence: the first one present is the record's time. */
export const TIME_FIELDS = ["ts", "timestamp", "time"] as const;

const KNOWN = new Set<string>([...REQUIRED_FIELDS, ...TIME_FIELDS]);

/** True for a key SPEC.md names (required or timestamp); any other key is an unknown field. */
export function isKnownField(key: string): boolean {
  return KNOWN.has(key);
}

/**
 * Severity of an upstream status as one number, so that the merge is a plain maximum:
 * 0 for null, the code itself for 100–599 (class first, then the larger code), 600 for "timeout".
 */
export function upstreamSeverity(value: number | "timeout" | null): number {
  if (value === null) return 0;
  return value === "timeout" ? TIMEOUT_SEVERITY : value;
}

export const TIMEOUT_SEVERITY = 600;

/** The inverse of `upstreamSeverity`. */
export function upstreamFromSeverity(severity: number): number | "timeout" | null {
  if (severity === 0) return null;
  return severity === TIMEOUT_SEVERITY ? "timeout" : severity;
}
