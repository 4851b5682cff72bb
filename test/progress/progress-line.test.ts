// The progress line (issue 5): what it says, and when it is drawn at all.
import { describe, expect, it } from "vitest";
import {
  formatBytes,
  formatCount,
  formatProgress,
  progressRedraw,
  shouldShowProgress,
} from "../../src/progress/progress-line.js";

describe("formatProgress", () => {
  it("says bytes, lines, rate and share", () => {
    expect(formatProgress({ bytes: 1.2e9, lines: 5.3e6, elapsedMs: 4818, totalBytes: 2.8e9 })).toBe(
      "read 1.2 GB, 5.3M lines, 1.1M lines/s, 42%",
    );
  });

  it("leaves out the share for stdin and the rate before any time has passed", () => {
    expect(formatProgress({ bytes: 2048, lines: 12, elapsedMs: 0 })).toBe("read 2 kB, 12 lines");
    expect(formatProgress({ bytes: 0, lines: 0, elapsedMs: 1000, totalBytes: 0 })).toBe(
      "read 0 B, 0 lines, 0 lines/s",
    );
  });

  it("never shows more than 100%, nor 100% before the end", () => {
    expect(formatProgress({ bytes: 120, lines: 1, elapsedMs: 1, totalBytes: 100 })).toMatch(/, 100%$/);
    expect(formatProgress({ bytes: 999, lines: 1, elapsedMs: 1, totalBytes: 1000 })).toMatch(/, 99%$/);
  });
});

describe("formatCount and formatBytes", () => {
  it.each([
    [0, "0"],
    [999, "999"],
    [1000, "1k"],
    [1234, "1.2k"],
    [12_345, "12k"],
    [999_600, "1M"],
    [5_300_000, "5.3M"],
    [1.25e12, "1.3T"],
  ])("%d lines read as %s", (n, text) => {
    expect(formatCount(n)).toBe(text);
  });

  it("writes bytes in SI units", () => {
    expect([512, 1500, 1.2e9, 3e12].map(formatBytes)).toEqual(["512 B", "1.5 kB", "1.2 GB", "3 TB"]);
  });
});

describe("shouldShowProgress", () => {
  it("shows only on a terminal", () => {
    expect(shouldShowProgress({ stderrIsTTY: true, env: {} })).toBe(true);
    expect(shouldShowProgress({ stderrIsTTY: false, env: {} })).toBe(false);
  });

  it.each([["true"], ["1"], ["woodpecker"]])("does not show in CI (CI=%s)", (ci) => {
    expect(shouldShowProgress({ stderrIsTTY: true, env: { CI: ci } })).toBe(false);
  });

  it.each([[""], ["0"], ["false"], ["FALSE"]])("treats CI=%j as not CI", (ci) => {
    expect(shouldShowProgress({ stderrIsTTY: true, env: { CI: ci } })).toBe(true);
  });

  it("does not show on a dumb terminal, which cannot erase a line", () => {
    expect(shouldShowProgress({ stderrIsTTY: true, env: { TERM: "dumb" } })).toBe(false);
  });
});

describe("progressRedraw", () => {
  it("returns to column 0 and erases what a longer line left", () => {
    expect(progressRedraw("read 1 kB, 2 lines")).toBe("\rread 1 kB, 2 lines\u001b[K");
  });
});
