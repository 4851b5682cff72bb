/**
 * What each M1 field allows, in words and as bounds: the one place both validators
 * (the zod schema and the fast acceptor) and the messages read them from.
 */
export const STRING_LIMITS = {
  request_id: 256,
  function: 256,
  stage: 128,
  error_code: 128,
} as const;

export const STATUS_MIN = 100;
export const STATUS_MAX = 599;

/** The words after "expected" in a violation message, per field. */
export const EXPECTED: Readonly<Record<string, string>> = {
  request_id: "a string of 1–256 characters",
  function: "a string of 1–256 characters",
  stage: "a string of 1–128 characters",
  status: "an integer 100–599",
  latency_ms: "a finite number ≥ 0",
  error_code: "a string of 1–128 characters or null",
  upstream_status: 'an integer 100–599, "timeout" or null',
  upstream_latency_ms: "a finite number ≥ 0 or null",
  ts: "an ISO-8601 string or epoch milliseconds",
  timestamp: "an ISO-8601 string or epoch milliseconds",
  time: "an ISO-8601 string or epoch milliseconds",
};

/**
 * Length in characters (code points), as SPEC.md counts them; only computed when the
 * UTF-16 length could be over the limit, since a code point is at most two code units.
 */
export function lengthWithin(text: string, min: number, max: number): boolean {
  if (text.length < min) return false;
  if (text.length <= max) return true;
  if (text.length > 2 * max) return false;
  let count = 0;
  for (let i = 0; i < text.length; i++, count++) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    // A surrogate pair is one character.
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
  }
  return count <= max;
}

/**
 * The same check on UTF-8 bytes (valid UTF-8, as the line reader guarantees): a character is a byte
 * that does not continue a multi-byte sequence.
 */
export function lengthOk(bytes: Uint8Array, start: number, end: number, max: number): boolean {
  const length = end - start;
  if (length < 1) return false;
  if (length <= max) return true;
  if (length > 4 * max) return false;
  let count = 0;
  for (let i = start; i < end; i++) if (((bytes[i] as number) & 0xc0) !== 0x80) count++;
  return count <= max;
}
