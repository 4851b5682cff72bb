// --bucket (issue 5): verdict counts per bucket of each unit's earliest timestamp, per function and
// overall, zero-filled and capped; the sparklines of the table view and the Markdown section.
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/input-error.js";
import type { Verdict } from "../../src/m1/rules.js";
import {
  buildTimeline,
  MAX_BUCKETS,
  renderTimelineMarkdown,
  renderTimelineText,
  sparkline,
  type TimelineBucket,
  type TimelineUnit,
} from "../../src/report/timeline.js";
import { parseDuration } from "../../src/time/time-window.js";

const T0 = Date.parse("2026-11-25T03:00:00.000Z");
const MIN = 60_000;
const unit = (fn: string, verdict: Verdict, minutes: number | null): TimelineUnit => ({
  function: fn,
  verdict,
  firstMs: minutes === null ? null : T0 + minutes * MIN,
});
const zero = { OK: 0, UNKNOWN: 0, VENDOR: 0, APPLICATION: 0, APP_BOTTLENECK: 0, UNATTRIBUTED: 0 };

describe("buildTimeline", () => {
  const units = [
    unit("checkout", "OK", 1),
    unit("checkout", "VENDOR", 29.99),
    unit("checkout", "VENDOR", 95),
    unit("search", "APPLICATION", 40),
    unit("search", "OK", null),
  ];
  const timeline = buildTimeline(units, parseDuration("30m"));

  it("puts each unit in the bucket of its earliest timestamp, buckets [start, end) in UTC", () => {
    expect(timeline.overall).toEqual([
      {
        start: "2026-11-25T03:00:00.000Z",
        end: "2026-11-25T03:30:00.000Z",
        verdicts: { ...zero, OK: 1, VENDOR: 1 },
      },
      {
        start: "2026-11-25T03:30:00.000Z",
        end: "2026-11-25T04:00:00.000Z",
        verdicts: { ...zero, APPLICATION: 1 },
      },
      { start: "2026-11-25T04:00:00.000Z", end: "2026-11-25T04:30:00.000Z", verdicts: zero },
      {
        start: "2026-11-25T04:30:00.000Z",
        end: "2026-11-25T05:00:00.000Z",
        verdicts: { ...zero, VENDOR: 1 },
      },
    ]);
  });

  it("gives every function the same zero-filled buckets, in name order", () => {
    expect(timeline.functions.map((f) => f.function)).toEqual(["checkout", "search"]);
    const starts = timeline.overall.map((b) => b.start);
    for (const f of timeline.functions) expect(f.buckets.map((b) => b.start)).toEqual(starts);
    expect(timeline.functions[1]?.buckets.map((b) => b.verdicts.APPLICATION)).toEqual([0, 1, 0, 0]);
  });

  it("counts units without a timestamp apart, in no bucket", () => {
    expect(timeline).toMatchObject({ bucket: "30m", bucketMs: 1_800_000, untimedUnits: 1 });
    const inBuckets = timeline.overall.reduce(
      (n, b) => n + Object.values(b.verdicts).reduce((a, c) => a + c, 0),
      0,
    );
    expect(inBuckets).toBe(units.length - 1);
  });

  it("does not depend on the order of the units", () => {
    expect(buildTimeline([...units].reverse(), parseDuration("30m"))).toEqual(timeline);
  });

  it("is empty when no unit has a timestamp", () => {
    expect(buildTimeline([unit("a", "OK", null)], MIN)).toEqual({
      bucket: "1m",
      bucketMs: MIN,
      untimedUnits: 1,
      overall: [],
      functions: [],
    });
  });

  it("keeps a function named __proto__ as a series like any other", () => {
    const t = buildTimeline([unit("__proto__", "VENDOR", 0)], MIN);
    expect(t.functions).toEqual([{ function: "__proto__", buckets: t.overall }]);
  });

  it(`allows ${MAX_BUCKETS} buckets and refuses one more, suggesting a size that fits`, () => {
    expect(buildTimeline([unit("a", "OK", 0), unit("a", "OK", MAX_BUCKETS - 1)], MIN).overall).toHaveLength(
      MAX_BUCKETS,
    );
    const tooWide = () => buildTimeline([unit("a", "OK", 0), unit("a", "OK", 24 * 60)], MIN);
    expect(tooWide).toThrow(InputError);
    expect(tooWide).toThrow(
      "--bucket 1m would make 1441 buckets from 2026-11-25T03:00:00.000Z to 2026-11-26T03:01:00.000Z, " +
        "more than 1000: use --bucket 2m or more, or narrow the time with --since/--until",
    );
  });

  it("refuses early, before counting the rest, when one stray timestamp makes the span huge", () => {
    let read = 0;
    function* units(): Generator<TimelineUnit> {
      yield unit("a", "OK", 0);
      read++;
      yield { function: "a", verdict: "OK", firstMs: 1e15 };
      read++;
      for (;;) yield unit("a", "OK", 1);
    }
    expect(() => buildTimeline(units(), parseDuration("1h"))).toThrow(/over a billion buckets|buckets from/);
    expect(read).toBe(1);
  });
});

const bucket = (counts: Partial<Record<Verdict, number>>): TimelineBucket => ({
  start: "s",
  end: "e",
  verdicts: { ...zero, ...counts },
});

describe("sparkline", () => {
  it("shows none as ▁ and scales incidents up to the row's busiest bucket; OK units are not incidents", () => {
    const marks = [
      bucket({ OK: 50 }),
      bucket({ VENDOR: 1 }),
      bucket({ VENDOR: 4 }),
      bucket({ UNKNOWN: 7, VENDOR: 1 }),
    ];
    expect(sparkline(marks)).toBe("▁▂▅█");
  });

  it("sums adjacent buckets into one mark when there are more buckets than the width", () => {
    const marks = Array.from({ length: 10 }, (_, i) => bucket({ VENDOR: i < 5 ? 0 : 1 }));
    // Pairs hold 0, 0, 1, 2, 2 incidents.
    expect(sparkline(marks, { width: 5 })).toBe("▁▁▅██");
  });

  it("has no colour unless asked, and then colours a mark by its main incident verdict", () => {
    expect(sparkline([bucket({ VENDOR: 2 })])).toBe("█");
    expect(sparkline([bucket({ VENDOR: 2, APPLICATION: 1 }), bucket({})], { color: true })).toBe(
      "\u001b[35;1m█\u001b[0m▁",
    );
  });
});

describe("renderTimelineText", () => {
  it("prints a caption, a sparkline per function and overall, with the peak", () => {
    const t = buildTimeline(
      [
        unit("checkout", "VENDOR", 0),
        unit("checkout", "VENDOR", 1),
        unit("search", "OK", 60),
        unit("x", "OK", null),
      ],
      parseDuration("30m"),
    );
    expect(renderTimelineText(t)).toEqual([
      "Timeline: incidents per 30m, 2026-11-25T03:00:00.000Z → 2026-11-25T04:30:00.000Z; ▁ none, █ the row's busiest",
      "  checkout   █▁▁  peak 2 at 2026-11-25T03:00:00.000Z",
      "  search     ▁▁▁  no incidents",
      "  (overall)  █▁▁  peak 2 at 2026-11-25T03:00:00.000Z",
      "  1 unit without a timestamp: in no bucket",
    ]);
  });

  it("escapes function names from the logs", () => {
    const t = buildTimeline([unit("a\u001b[2Jb\n", "VENDOR", 0)], MIN);
    const text = renderTimelineText(t).join("\n");
    expect(text).toContain("a\\x1b[2Jb\\x0a");
    expect(text).not.toContain("\u001b");
  });

  it("says so when no unit had a timestamp", () => {
    expect(renderTimelineText(buildTimeline([], MIN))).toEqual([
      "Timeline (per 1m): no unit had a timestamp",
    ]);
  });
});

describe("renderTimelineMarkdown", () => {
  it("is a GitHub table per function, then the overall buckets with incidents; log content escaped", () => {
    const t = buildTimeline(
      [unit("::error::x|y", "VENDOR", 0), unit("::error::x|y", "UNKNOWN", 0), unit("b", "OK", 90)],
      parseDuration("30m"),
    );
    const lines = renderTimelineMarkdown(t);
    expect(lines).toEqual([
      "### Timeline (per 30m)",
      "",
      "| function | incidents per bucket | peak |",
      "| --- | --- | --- |",
      "| \\::error::x\\|y | █▁▁▁ | peak 2 at 2026-11-25T03:00:00.000Z |",
      "| b | ▁▁▁▁ | no incidents |",
      "| **(overall)** | █▁▁▁ | peak 2 at 2026-11-25T03:00:00.000Z |",
      "",
      "| start (UTC) | units | incidents | UNKNOWN | VENDOR | APPLICATION | APP_BOTTLENECK | UNATTRIBUTED |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| 2026-11-25T03:00:00.000Z | 2 | 2 | 1 | 1 | 0 | 0 | 0 |",
      "",
      "Buckets without incidents are not listed.",
      "",
    ]);
    for (const line of lines) expect(line.startsWith("::")).toBe(false);
  });

  it("lists at most 100 buckets and says how many more the JSON has", () => {
    const units = Array.from({ length: 150 }, (_, i) => unit("a", "VENDOR", i));
    const lines = renderTimelineMarkdown(buildTimeline(units, MIN));
    expect(lines.filter((l) => l.startsWith("| 2026-"))).toHaveLength(100);
    expect(lines).toContain(
      "Buckets without incidents are not listed. 50 more buckets with incidents are in the JSON report (--format json).",
    );
  });
});
