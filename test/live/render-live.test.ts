// The --live frame (issue 5): pure, drawn on a fake report and a fake clock. It must fit the terminal,
// erase what the last frame left, keep log content escaped, and colour only when asked.
import { describe, expect, it } from "vitest";
import { LIVE_END, LIVE_START, renderLiveFrame } from "../../src/live/render-live.js";
import { fakeReport, fn, summary } from "../fake-report.js";

const OPTIONS = { width: 100, height: 24, elapsedMs: 65_000, linesPerSecond: 3400, color: false };
const report = fakeReport(
  [
    fn("checkout", { OK: 132, VENDOR: 45, UNKNOWN: 2, APPLICATION: 1 }, "VENDOR", 0.9375),
    fn("profile", { OK: 120 }, "OK"),
    fn("search", { OK: 228, APP_BOTTLENECK: 2 }, "APP_BOTTLENECK"),
  ],
  {
    overall: summary({ OK: 480, VENDOR: 45, UNKNOWN: 2, APPLICATION: 1, APP_BOTTLENECK: 2 }, "VENDOR", 0.9),
    input: { lines: 12_345, invalid: 7 },
  },
);

/** The frame's lines without our control sequences. */
function lines(frame: string): string[] {
  return frame
    .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")
    .split("\n")
    .slice(0, -1);
}

describe("renderLiveFrame", () => {
  it("draws the header, the overall verdict and the functions, most incidents first", () => {
    expect(lines(renderLiveFrame(report, OPTIONS))).toEqual([
      "attribute --live  1:05  12k lines (7 invalid)  3.4k lines/s",
      "Overall: VENDOR — 90% of 50 incidents in 530 units",
      "",
      "function  verdict         share   units incidents    unknown     vendor        app bottleneck",
      "checkout  VENDOR            94%     180        48          2         45          1          0",
      "search    APP_BOTTLENECK   100%     230         2          0          0          0          2",
      "profile   OK                  –     120         0          0          0          0          0",
      "Ctrl-C stops and prints the full report",
    ]);
    // 104 columns hold the last one, unattributed, too.
    expect(lines(renderLiveFrame(report, { ...OPTIONS, width: 104 }))[4]).toBe(
      "checkout  VENDOR            94%     180        48          2         45          1          0          0",
    );
  });

  it("starts at home, erases each line's end and the rest of the screen", () => {
    const frame = renderLiveFrame(report, OPTIONS);
    expect(frame.startsWith("\u001b[H")).toBe(true);
    expect(frame.endsWith("\n\u001b[J")).toBe(true);
    for (const line of frame.slice(3).split("\n").slice(0, -1)) expect(line.endsWith("\u001b[K")).toBe(true);
  });

  it("fits the height (never scrolls) and counts the functions left out", () => {
    const many = fakeReport(
      Array.from({ length: 30 }, (_, i) =>
        fn(`f${String(i).padStart(2, "0")}`, { OK: 1, VENDOR: i }, "VENDOR"),
      ),
    );
    const frame = lines(renderLiveFrame(many, { ...OPTIONS, height: 10 }));
    expect(frame).toHaveLength(9);
    expect(frame.slice(4, 7).map((l) => l.split(" ")[0])).toEqual(["f29", "f28", "f27"]);
    expect(frame.slice(7)).toEqual(["… 27 more", "Ctrl-C stops and prints the full report"]);
    for (const height of [1, 2, 3, 4, 5, 6]) {
      expect(lines(renderLiveFrame(many, { ...OPTIONS, height })).length).toBeLessThanOrEqual(
        Math.max(1, height - 1),
      );
    }
  });

  it("fits the width, dropping number columns whole from the right: a number is never cut", () => {
    const full = ["share", "units", "incidents", "unknown", "vendor", "app", "bottleneck", "unattr."];
    // The checkout row's numbers, column by column, as the full width shows them.
    const values = ["94%", "180", "48", "2", "45", "1", "0", "0"];
    for (let width = 1; width <= 120; width++) {
      const frame = lines(renderLiveFrame(report, { ...OPTIONS, width }));
      for (const line of frame) expect(Array.from(line).length).toBeLessThanOrEqual(width);
      if (width < 25) continue;
      // Name and verdict take 25 columns; each number column fits whole from the width that holds it.
      const shown = [31, 39, 49, 60, 71, 82, 93, 104].filter((w) => width >= w).length;
      const cells = (line: string): string[] => line.trim().split(/ +/).slice(2);
      expect(cells(frame[3] as string)).toEqual(full.slice(0, shown));
      expect(cells(frame[4] as string)).toEqual(values.slice(0, shown));
    }
    expect(lines(renderLiveFrame(report, { ...OPTIONS, width: 49 }))[4]).toBe(
      "checkout  VENDOR            94%     180        48",
    );
  });

  it("escapes log content and cuts a long name without splitting a character", () => {
    const hostile = fakeReport([fn("\u001b]0;pwned\u0007" + "😀".repeat(60), { VENDOR: 1 }, "VENDOR")]);
    const frame = renderLiveFrame(hostile, OPTIONS);
    expect(frame).not.toMatch(/\u001b\]|\u0007/);
    const row = lines(frame)[4] as string;
    expect(row.startsWith("\\x1b]0;pwned\\x07😀")).toBe(true);
    expect(row).toContain("…");
    expect(row).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("colours verdicts only when asked", () => {
    expect(renderLiveFrame(report, OPTIONS)).not.toContain("\u001b[35;1m");
    expect(renderLiveFrame(report, { ...OPTIONS, color: true })).toContain("\u001b[35;1mVENDOR\u001b[0m");
  });

  it("shows hours on a long watch", () => {
    expect(lines(renderLiveFrame(report, { ...OPTIONS, elapsedMs: 3_723_000 }))[0]).toMatch(/ 1:02:03 /);
  });
});

describe("LIVE_START and LIVE_END", () => {
  it("hide the cursor and clear at the start, clear and show it again at the end", () => {
    expect(LIVE_START).toBe("\u001b[?25l\u001b[2J\u001b[H");
    expect(LIVE_END).toBe("\u001b[H\u001b[J\u001b[?25h");
  });
});
