/** Reading must take about this long before a progress line appears: a quick run stays silent. */
export const PROGRESS_DELAY_MS = 1000;

/** How far reading has got. */
export interface Progress {
  /** Bytes read from the sources (compressed bytes for gzip, so the share matches the file sizes). */
  readonly bytes: number;
  readonly lines: number;
  readonly elapsedMs: number;
  /** The sum of the file sizes, when every source is a file; absent for stdin. */
  readonly totalBytes?: number;
}

/** A count in a few characters: `950`, `1.2k`, `12k`, `5.3M`, `1.2G`. */
export function formatCount(n: number): string {
  return scaled(n, 1000, ["", "k", "M", "G", "T"], "");
}

/** A byte count in SI units (powers of 1000, as disks and `ls -h --si` count): `1.2 GB`. */
export function formatBytes(n: number): string {
  return scaled(n, 1000, ["B", "kB", "MB", "GB", "TB"], " ");
}

function scaled(n: number, base: number, units: readonly string[], gap: string): string {
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  // Rounding 999.96k gives 1000k: step up once more so it reads 1M.
  if (unit < units.length - 1 && Number(value.toFixed(value < 10 ? 1 : 0)) >= base) {
    value /= base;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${Number(value.toFixed(digits))}${gap}${units[unit]}`;
}

/** One progress line, e.g. `read 1.2 GB, 5.3M lines, 1.1M lines/s, 43%` (rate and share when known). */
export function formatProgress(p: Progress): string {
  const parts = [`read ${formatBytes(p.bytes)}`, `${formatCount(p.lines)} lines`];
  if (p.elapsedMs > 0) parts.push(`${formatCount((p.lines * 1000) / p.elapsedMs)} lines/s`);
  if (p.totalBytes !== undefined && p.totalBytes > 0) {
    // Floored and capped: 100% only when everything is read (a file may grow while it is read).
    parts.push(`${Math.min(100, Math.floor((p.bytes / p.totalBytes) * 100))}%`);
  }
  return parts.join(", ");
}

/**
 * Whether to draw a progress line: only for a person watching stderr on a terminal. Not in CI (`CI` set
 * to anything but "", "0" or "false", as CI services set it), and not on a `dumb` terminal, which
 * cannot erase a line.
 */
export function shouldShowProgress(context: {
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}): boolean {
  if (!context.stderrIsTTY) return false;
  const ci = context.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false") return false;
  return context.env.TERM !== "dumb";
}

/** The text that redraws the progress line in place: back to column 0, the line, erase the rest. */
export function progressRedraw(line: string): string {
  return `\r${line}\u001b[K`;
}

/** The text that erases the progress line before anything else is written to stderr. */
export const PROGRESS_CLEAR = "\r\u001b[K";
