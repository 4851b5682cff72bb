// --since, --until and --bucket values (issue 5): ISO-8601 times (no zone means UTC, as in the logs) or
// durations before a fixed `now`; buckets aligned to the epoch.
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../src/input-error.js";
import {
  bucketStart,
  formatDuration,
  isInWindow,
  parseDuration,
  parseTimeBound,
  resolveTimeWindow,
  summarizeWindow,
  toIso,
  windowLine,
} from "../../src/time/time-window.js";

const NOW = new Date("2026-11-25T12:00:00.000Z");
const at = (iso: string): number => Date.parse(iso);

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 1_800_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1h30m", 5_400_000],
    ["1d2h3m4s", 93_784_000],
    [" 45m ", 2_700_000],
  ])("%s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "30", "30M", "1.5h", "30m1h", "1w", "-5m", "2 h", "PT30M", "0m", "0h0m"])(
    "refuses %j with the forms it accepts",
    (text) => {
      expect(() => parseDuration(text)).toThrow(InputError);
      expect(() => parseDuration(text)).toThrow(/expected a duration/);
    },
  );

  it("says what it expected and what it got", () => {
    expect(() => parseDuration("1w")).toThrow(
      'expected a duration such as 90s, 30m, 2h, 1d or 1h30m, got the string "1w"',
    );
    expect(() => parseDuration("0m")).toThrow('expected a duration longer than zero, got the string "0m"');
  });

  it("round-trips through formatDuration", () => {
    for (const text of ["90s", "30m", "1h30m", "1d", "2d3h", "1m1s"]) {
      expect(formatDuration(parseDuration(text))).toBe(text === "90s" ? "1m30s" : text);
    }
  });
});

describe("parseTimeBound", () => {
  it("reads a duration as that long before now", () => {
    expect(parseTimeBound("30m", NOW)).toBe(at("2026-11-25T11:30:00Z"));
    expect(parseTimeBound("1d", NOW)).toBe(at("2026-11-24T12:00:00Z"));
    expect(parseTimeBound("1h30m", NOW)).toBe(at("2026-11-25T10:30:00Z"));
  });

  it.each([
    ["2026-11-25T03:00:00.000Z", "2026-11-25T03:00:00.000Z"],
    ["2026-11-25T03:00Z", "2026-11-25T03:00:00.000Z"],
    ["2026-11-25T05:00:00+02:00", "2026-11-25T03:00:00.000Z"],
    ["2026-11-25T03:00", "2026-11-25T03:00:00.000Z"],
    ["2026-11-25 03:00:00", "2026-11-25T03:00:00.000Z"],
    ["2026-11-25", "2026-11-25T00:00:00.000Z"],
    ["20261125T030000Z", "2026-11-25T03:00:00.000Z"],
  ])("reads the ISO-8601 time %s", (text, iso) => {
    expect(toIso(parseTimeBound(text, NOW))).toBe(iso);
  });

  describe("in a time zone other than UTC", () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it("still reads a time without a zone as UTC, as the logs are read", () => {
      process.env.TZ = "America/New_York";
      expect(toIso(parseTimeBound("2026-11-25T03:00", NOW))).toBe("2026-11-25T03:00:00.000Z");
      expect(toIso(parseTimeBound("2026-11-25", NOW))).toBe("2026-11-25T00:00:00.000Z");
    });
  });

  it.each(["yesterday", "30", "2026", "1732500000000", "2026-13-45", "now", "", "25/11/2026"])(
    "refuses %j, saying which forms it accepts",
    (text) => {
      expect(() => parseTimeBound(text, NOW)).toThrow(
        `expected an ISO-8601 time such as 2026-11-25T03:00Z (no zone means UTC) or a duration such as ` +
          `90s, 30m, 2h, 1d or 1h30m before now, got the string ${JSON.stringify(text)}`,
      );
    },
  );
});

describe("resolveTimeWindow", () => {
  it("is null when neither bound is given", () => {
    expect(resolveTimeWindow({}, NOW)).toBeNull();
  });

  it("takes either bound alone, or both", () => {
    expect(resolveTimeWindow({ since: "2h" }, NOW)).toEqual({
      sinceMs: at("2026-11-25T10:00:00Z"),
      untilMs: null,
    });
    expect(resolveTimeWindow({ until: "2026-11-25T11:00Z" }, NOW)).toEqual({
      sinceMs: null,
      untilMs: at("2026-11-25T11:00:00Z"),
    });
    expect(resolveTimeWindow({ since: "2h", until: "1h" }, NOW)).toEqual({
      sinceMs: at("2026-11-25T10:00:00Z"),
      untilMs: at("2026-11-25T11:00:00Z"),
    });
  });

  it("names the flag whose value is bad", () => {
    expect(() => resolveTimeWindow({ since: "2h", until: "soon" }, NOW)).toThrow(
      /^--until: expected an ISO-8601/,
    );
  });

  it("refuses a window that ends before it starts, or where it starts", () => {
    expect(() => resolveTimeWindow({ since: "1h", until: "2h" }, NOW)).toThrow(
      "--since 2026-11-25T11:00:00.000Z is not before --until 2026-11-25T10:00:00.000Z: the window would be empty",
    );
    expect(() => resolveTimeWindow({ since: "2026-11-25", until: "2026-11-25T00:00Z" }, NOW)).toThrow(
      InputError,
    );
  });
});

describe("isInWindow", () => {
  const window = { sinceMs: 1000, untilMs: 2000 };
  it("keeps since, drops until (buckets are half-open the same way)", () => {
    expect([999, 1000, 1999, 2000].map((ms) => isInWindow(ms, window))).toEqual([false, true, true, false]);
  });
  it("treats a missing bound as open", () => {
    expect(isInWindow(-1e12, { sinceMs: null, untilMs: 0 })).toBe(true);
    expect(isInWindow(1e15, { sinceMs: 0, untilMs: null })).toBe(true);
  });
});

describe("the window in the report", () => {
  it("gives the bounds in UTC ISO-8601 and the records left out", () => {
    const summary = summarizeWindow({ sinceMs: at("2026-11-25T10:00:00Z"), untilMs: null }, 120, 1);
    expect(summary).toEqual({ since: "2026-11-25T10:00:00.000Z", until: null, outside: 120, noTimestamp: 1 });
    expect(windowLine(summary)).toBe(
      "window 2026-11-25T10:00:00.000Z → the end: 120 records outside it and 1 record without a timestamp left out",
    );
  });
});

describe("bucketStart", () => {
  it("aligns buckets to the epoch, so a day bucket starts at UTC midnight", () => {
    expect(toIso(bucketStart(at("2026-11-25T12:34:56.789Z"), parseDuration("30m")))).toBe(
      "2026-11-25T12:30:00.000Z",
    );
    expect(toIso(bucketStart(at("2026-11-25T12:34:56.789Z"), parseDuration("1d")))).toBe(
      "2026-11-25T00:00:00.000Z",
    );
    expect(toIso(bucketStart(at("2026-11-25T12:30:00.000Z"), parseDuration("30m")))).toBe(
      "2026-11-25T12:30:00.000Z",
    );
  });

  it("floors before the epoch too", () => {
    expect(bucketStart(-1, 1000)).toBe(-1000);
  });
});
