import { InvalidArgumentError } from "commander";

/** Parses a flag value that must be a finite number ≥ 0 (commander reports the error and we exit 2). */
export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError("expected a number ≥ 0.");
  }
  return n;
}

/** Parses a share: a number from 0 to 1. */
export function parseShare(value: string): number {
  const n = parseNonNegative(value);
  if (n > 1) throw new InvalidArgumentError("expected a number from 0 to 1.");
  return n;
}

/** Parses a whole number ≥ 1. */
export function parsePositiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a whole number ≥ 1.");
  }
  return n;
}

/** Parses a comma-separated list of names, dropping empty entries. */
export function parseNameList(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  ];
}

export const FORMATS = ["table", "json", "ndjson", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** Decides colour as a well-behaved CLI does: --no-color, then NO_COLOR, then FORCE_COLOR, then a TTY. */
export function wantsColor(
  flag: boolean,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return isTTY && env.TERM !== "dumb";
}
