import type { Verdict } from "../m1/rules.js";

/** How a verdict looks on a terminal (the table, the timeline, the live view), and its short heading. */
export const VERDICT_COLOURS: Readonly<Record<Verdict, string>> = {
  OK: "32",
  UNKNOWN: "36;1",
  VENDOR: "35;1",
  APPLICATION: "31;1",
  APP_BOTTLENECK: "33;1",
  UNATTRIBUTED: "37",
};

/** Column headings for verdict counts: a table has to fit a terminal. */
export const SHORT_VERDICT: Readonly<Record<Verdict, string>> = {
  OK: "ok",
  UNKNOWN: "unknown",
  VENDOR: "vendor",
  APPLICATION: "app",
  APP_BOTTLENECK: "bottleneck",
  UNATTRIBUTED: "unattr.",
};

/** Text in a verdict's colour (an SGR sequence of ours), or the text itself when colour is off. */
export function paintVerdict(verdict: Verdict, text: string, color: boolean): string {
  return color ? `\u001b[${VERDICT_COLOURS[verdict]}m${text}\u001b[0m` : text;
}
