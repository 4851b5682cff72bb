// --bucket through the CLI (issue 5): `timeline` in the JSON report (UTC ISO-8601 bucket starts and ends,
// verdict counts that add up to the units with a timestamp), a sparkline per function in the table, a
// table in Markdown.
import { describe, expect, it } from "vitest";
import { VERDICTS } from "../../src/m1/rules.js";
import { m1 } from "../helpers.js";
import { runCli, runJson, sample, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("timeline");

const vendor = { status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" };
// A unit falls in the bucket of its earliest timestamp: "straddles" (10:09 and 10:11) is in 10:00.
const log = writeLines(dir, "buckets.ndjson", [
  m1({ request_id: "a", function: "checkout", ...vendor, ts: "2026-01-01T10:02:00Z" }),
  m1({ request_id: "straddles", function: "checkout", ...vendor, ts: "2026-01-01T10:11:00Z" }),
  m1({ request_id: "straddles", function: "checkout", stage: "receive", ts: "2026-01-01T10:09:00Z" }),
  m1({ request_id: "b", function: "checkout", ...vendor, ts: "2026-01-01T10:15:00Z" }),
  m1({ request_id: "c", function: "search", ts: "2026-01-01T10:31:00+02:00" }),
  m1({ request_id: "d", function: "search", ts: "2026-01-01T08:35:00Z" }),
  m1({ request_id: "untimed", function: "search", ...vendor }),
]);

type Counts = Record<(typeof VERDICTS)[number], number>;
interface Bucket {
  start: string;
  end: string;
  verdicts: Counts;
}
interface Report {
  overall: { units: number; verdicts: Counts };
  timeline: {
    bucket: string;
    bucketMs: number;
    untimedUnits: number;
    overall: Bucket[];
    functions: { function: string; buckets: Bucket[] }[];
  } | null;
}

const counts = (partial: Partial<Counts>): Counts => ({
  OK: 0,
  UNKNOWN: 0,
  VENDOR: 0,
  APPLICATION: 0,
  APP_BOTTLENECK: 0,
  UNATTRIBUTED: 0,
  ...partial,
});
const sum = (buckets: readonly Bucket[]): number =>
  buckets.reduce((n, b) => n + VERDICTS.reduce((m, v) => m + b.verdicts[v], 0), 0);

describe("--bucket --format json", () => {
  it("timeline.overall: consecutive UTC buckets, zero-filled, counts by each unit's first time", async () => {
    const { code, json } = await runJson<Report>(["--bucket", "10m", log]);
    expect(code).toBe(0);
    const timeline = json.timeline!;
    expect([timeline.bucket, timeline.bucketMs, timeline.untimedUnits]).toEqual(["10m", 600_000, 1]);
    expect(timeline.overall).toStrictEqual([
      { start: "2026-01-01T08:30:00.000Z", end: "2026-01-01T08:40:00.000Z", verdicts: counts({ OK: 2 }) },
      { start: "2026-01-01T08:40:00.000Z", end: "2026-01-01T08:50:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T08:50:00.000Z", end: "2026-01-01T09:00:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:00:00.000Z", end: "2026-01-01T09:10:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:10:00.000Z", end: "2026-01-01T09:20:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:20:00.000Z", end: "2026-01-01T09:30:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:30:00.000Z", end: "2026-01-01T09:40:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:40:00.000Z", end: "2026-01-01T09:50:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T09:50:00.000Z", end: "2026-01-01T10:00:00.000Z", verdicts: counts({}) },
      { start: "2026-01-01T10:00:00.000Z", end: "2026-01-01T10:10:00.000Z", verdicts: counts({ VENDOR: 2 }) },
      { start: "2026-01-01T10:10:00.000Z", end: "2026-01-01T10:20:00.000Z", verdicts: counts({ VENDOR: 1 }) },
    ]);
    expect(timeline.functions.map((f) => [f.function, sum(f.buckets), f.buckets.length])).toEqual([
      ["checkout", 3, 11],
      ["search", 2, 11],
    ]);
    // Every unit with a timestamp is in exactly one bucket; the untimed one is in none.
    expect(sum(timeline.overall)).toBe(json.overall.units - timeline.untimedUnits);
  });

  it("on a sample: 10-minute buckets whose counts add up to every unit (all have a timestamp)", async () => {
    const { json } = await runJson<Report>(["--bucket", "10m", sample("vendor-outage.ndjson")]);
    const timeline = json.timeline!;
    expect(timeline.untimedUnits).toBe(0);
    expect(timeline.overall.map((b) => b.start)).toEqual([
      "2025-03-14T13:00:00.000Z",
      "2025-03-14T13:10:00.000Z",
      "2025-03-14T13:20:00.000Z",
      "2025-03-14T13:30:00.000Z",
      "2025-03-14T13:40:00.000Z",
      "2025-03-14T13:50:00.000Z",
    ]);
    for (const b of timeline.overall) {
      expect(Date.parse(b.end) - Date.parse(b.start)).toBe(600_000);
      expect(b.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d0:00\.000Z$/);
    }
    expect(sum(timeline.overall)).toBe(json.overall.units);
    for (const v of VERDICTS) {
      expect(
        timeline.overall.reduce((n, b) => n + b.verdicts[v], 0),
        v,
      ).toBe(json.overall.verdicts[v]);
    }
  });

  it("without --bucket, timeline is null", async () => {
    expect((await runJson<Report>([log])).json.timeline).toBeNull();
  });

  it("a bad bucket, or one that makes too many buckets: exit 2", async () => {
    const bad = await runCli(["--bucket", "10", log]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^attribute: option '--bucket <duration>' argument '10' is invalid\. expected a duration such as 90s, 30m, 2h, 1d or 1h30m, got the string "10"\.\n/,
    );
    const many = await runCli(["--bucket", "1s", log]);
    expect(many.code).toBe(2);
    expect(many.stdout).toBe("");
    expect(many.stderr).toBe(
      "attribute: --bucket 1s would make 6241 buckets from 2026-01-01T08:31:00.000Z to 2026-01-01T10:15:01.000Z, more than 1000: use --bucket 10s or more, or narrow the time with --since/--until\n",
    );
  });

  it("--bucket with --format ndjson (which prints units, not a summary): exit 2 before reading, not ignored", async () => {
    const run = await runCli(["--bucket", "10m", "--format", "ndjson", log]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      "attribute: --bucket adds a timeline to the table, Markdown and JSON reports, and --format ndjson prints one line per unit: drop --bucket, or use --format json\n",
    );
  });
});

describe("--bucket in the table and in Markdown", () => {
  it("the table shows a sparkline per function and overall", async () => {
    const { code, stdout } = await runCli(["--bucket", "10m", sample("vendor-outage.ndjson")]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        "Timeline: incidents per 10m, 2025-03-14T13:00:00.000Z → 2025-03-14T14:00:00.000Z; ▁ none, █ the row's busiest",
        "  checkout          ▂▂▇█▂▂  peak 21 at 2025-03-14T13:30:00.000Z",
        "  payments-webhook  ▁▁▁▁▁▁  no incidents",
        "  profile           ▁▁▁▁▁▁  no incidents",
        "  search            ▁▁▁▁▁▁  no incidents",
        "  (overall)         ▂▂▇█▂▂  peak 21 at 2025-03-14T13:30:00.000Z",
        "",
      ].join("\n"),
    );
    const untimed = await runCli(["--bucket", "10m", log]);
    expect(untimed.stdout).toContain("\n  1 unit without a timestamp: in no bucket\n");
  });

  it("Markdown shows the sparklines and a table of the buckets with incidents", async () => {
    const { code, stdout } = await runCli([
      "--bucket",
      "10m",
      "--format",
      "markdown",
      sample("vendor-outage.ndjson"),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        "### Timeline (per 10m)",
        "",
        "| function | incidents per bucket | peak |",
        "| --- | --- | --- |",
        "| checkout | ▂▂▇█▂▂ | peak 21 at 2025-03-14T13:30:00.000Z |",
        "| payments-webhook | ▁▁▁▁▁▁ | no incidents |",
        "| profile | ▁▁▁▁▁▁ | no incidents |",
        "| search | ▁▁▁▁▁▁ | no incidents |",
        "| **(overall)** | ▂▂▇█▂▂ | peak 21 at 2025-03-14T13:30:00.000Z |",
        "",
        "| start (UTC) | units | incidents | UNKNOWN | VENDOR | APPLICATION | APP_BOTTLENECK | UNATTRIBUTED |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        "| 2025-03-14T13:00:00.000Z | 98 | 1 | 1 | 0 | 0 | 0 | 0 |",
        "| 2025-03-14T13:10:00.000Z | 104 | 3 | 0 | 3 | 0 | 0 | 0 |",
        "| 2025-03-14T13:20:00.000Z | 77 | 18 | 0 | 18 | 0 | 0 | 0 |",
        "| 2025-03-14T13:30:00.000Z | 82 | 21 | 0 | 21 | 0 | 0 | 0 |",
        "| 2025-03-14T13:40:00.000Z | 115 | 3 | 0 | 3 | 0 | 0 | 0 |",
        "| 2025-03-14T13:50:00.000Z | 113 | 2 | 1 | 0 | 1 | 0 | 0 |",
        "",
        "Buckets without incidents are not listed.",
        "",
      ].join("\n"),
    );
  });

  it("a timeline with a window: only the units inside are bucketed", async () => {
    const { json } = await runJson<Report>(["--bucket", "10m", "--since", "2026-01-01T10:00:00Z", log]);
    expect(json.timeline!.overall.map((b) => [b.start, b.verdicts.VENDOR])).toEqual([
      ["2026-01-01T10:00:00.000Z", 2],
      ["2026-01-01T10:10:00.000Z", 1],
    ]);
    expect(json.timeline!.untimedUnits).toBe(0);
  });
});
