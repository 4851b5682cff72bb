// --since/--until through the CLI (issue 5): records outside the window and records without a timestamp
// are left out and counted in `report.window`; the table and Markdown say so; durations count back from
// now; a window that ends before it starts is exit 2.
import { describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { runCli, runJson, sample, tempDir, writeLines } from "./cli-harness.js";

const dir = tempDir("windows");

// Three VENDOR units at 10:00, 10:30 and 11:00 UTC, and one record with no timestamp.
const vendor = { status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" };
const log = writeLines(dir, "three-times.ndjson", [
  m1({ request_id: "early", ...vendor, ts: "2026-01-01T10:00:00Z" }),
  m1({ request_id: "middle", ...vendor, ts: "2026-01-01T10:30:00Z" }),
  m1({ request_id: "middle", stage: "receive", status: 200, ts: "2026-01-01T10:29:59.500Z" }),
  m1({ request_id: "late", ...vendor, ts: "2026-01-01T11:00:00Z" }),
  m1({ request_id: "untimed", ...vendor }),
]);
const WINDOW = ["--since", "2026-01-01T10:15:00Z", "--until", "2026-01-01T10:45:00Z"];

interface Report {
  input: { lines: number; valid: number };
  window: { since: string | null; until: string | null; outside: number; noTimestamp: number } | null;
  timeSpan: { first: string | null; last: string | null };
  overall: { units: number; incidents: number; verdict: string };
}

describe("--since and --until with ISO-8601 times", () => {
  it("keeps the records inside the window, counts those outside and those without a time", async () => {
    const { code, stderr, json } = await runJson<Report>([...WINDOW, log]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(json.window).toStrictEqual({
      since: "2026-01-01T10:15:00.000Z",
      until: "2026-01-01T10:45:00.000Z",
      outside: 2,
      noTimestamp: 1,
    });
    // Every line is still read and valid (lines = valid + invalid + blank); only attribution leaves them out.
    expect(json.input).toMatchObject({ lines: 5, valid: 5 });
    expect(json.overall).toMatchObject({ units: 1, incidents: 1, verdict: "VENDOR" });
    expect(json.timeSpan).toStrictEqual({
      first: "2026-01-01T10:29:59.500Z",
      last: "2026-01-01T10:30:00.000Z",
    });
  });

  it("without a window, `window` is null and every unit counts", async () => {
    const { json } = await runJson<Report>([log]);
    expect(json.window).toBeNull();
    expect(json.overall.units).toBe(4);
  });

  it("since is inclusive and until exclusive", async () => {
    const at = await runJson<Report>(["--since", "2026-01-01T11:00:00Z", log]);
    expect(at.json.overall.units).toBe(1);
    expect(at.json.window).toMatchObject({ until: null, outside: 3, noTimestamp: 1 });
    const before = await runJson<Report>(["--until", "2026-01-01T11:00:00Z", log]);
    expect(before.json.overall.units).toBe(2);
    expect(before.json.window).toMatchObject({ since: null, outside: 1, noTimestamp: 1 });
  });

  it("the table and the Markdown state the window and what it left out", async () => {
    const table = await runCli([...WINDOW, log]);
    expect(table.stdout).toContain(
      "\n  window 2026-01-01T10:15:00.000Z → 2026-01-01T10:45:00.000Z: 2 records outside it and 1 record without a timestamp left out\n",
    );
    expect(table.stdout).toContain("\n  time span: 2026-01-01T10:29:59.500Z → 2026-01-01T10:30:00.000Z\n");
    const markdown = await runCli(["--format", "markdown", "--since", "2026-01-01T10:15:00Z", log]);
    expect(markdown.stdout).toContain(
      "\n- window 2026-01-01T10:15:00.000Z → the end: 1 record outside it and 1 record without a timestamp left out\n",
    );
  });

  it("on a sample: the units outside are left out, and their records counted", async () => {
    const file = sample("vendor-outage.ndjson");
    const all = await runJson<Report>([file]);
    const windowed = await runJson<Report>([
      "--since",
      "2025-03-14T13:15:00Z",
      "--until",
      "2025-03-14T13:45:00Z",
      file,
    ]);
    expect(windowed.json.window).toStrictEqual({
      since: "2025-03-14T13:15:00.000Z",
      until: "2025-03-14T13:45:00.000Z",
      outside: 1258,
      noTimestamp: 0,
    });
    expect(windowed.json.input.valid).toBe(all.json.input.valid);
    expect(windowed.json.overall.units).toBeLessThan(all.json.overall.units);
    expect(windowed.json.timeSpan.first! >= "2025-03-14T13:15:00.000Z").toBe(true);
    expect(windowed.json.timeSpan.last! < "2025-03-14T13:45:00.000Z").toBe(true);
    // The outage (13:18:40–13:41:10) is inside: still VENDOR.
    expect(windowed.json.overall.verdict).toBe("VENDOR");
  });

  it("explain marks the records a window leaves out", async () => {
    const { code, stdout } = await runCli(["explain", ...WINDOW, "late", log]);
    expect(code).toBe(0);
    expect(stdout).toContain(`(outside --since/--until: left out)\n`);
    expect(stdout).toContain("  every record is outside the time window: no verdict\n");
  });
});

describe("--since as a duration before now", () => {
  it("30m keeps the records of the last half hour (timestamps relative to now)", async () => {
    const now = Date.now();
    const iso = (minutesAgo: number): string => new Date(now - minutesAgo * 60_000).toISOString();
    const recent = writeLines(dir, "recent.ndjson", [
      m1({ request_id: "an-hour-ago", ...vendor, ts: iso(60) }),
      m1({ request_id: "ten-minutes-ago", ...vendor, ts: iso(10) }),
      m1({ request_id: "just-now", ts: iso(0.5) }),
      m1({ request_id: "epoch-ms", ...vendor, ts: now - 5 * 60_000 }),
    ]);
    const since = await runJson<Report>(["--since", "30m", recent]);
    expect(since.code).toBe(0);
    expect(since.json.overall).toMatchObject({ units: 3, incidents: 2 });
    expect(since.json.window).toMatchObject({ until: null, outside: 1, noTimestamp: 0 });
    const sinceMs = Date.parse(since.json.window!.since!);
    expect(Math.abs(sinceMs - (now - 30 * 60_000))).toBeLessThan(10_000);
    const until = await runJson<Report>(["--until", "30m", recent]);
    expect(until.json.overall).toMatchObject({ units: 1, incidents: 1 });
    const both = await runJson<Report>(["--since", "1h30m", "--until", "7m", recent]);
    expect(both.json.overall.units).toBe(2);
  });
});

describe("bad windows: exit 2 before reading", () => {
  it("--since after --until", async () => {
    const { code, stdout, stderr } = await runCli([
      "--since",
      "2026-01-01T11:00:00Z",
      "--until",
      "2026-01-01T10:00:00Z",
      log,
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "attribute: --since 2026-01-01T11:00:00.000Z is not before --until 2026-01-01T10:00:00.000Z: the window would be empty\n",
    );
  });

  it("a value that is neither a time nor a duration", async () => {
    const { code, stdout, stderr } = await runCli(["--since", "yesterday", log]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      'attribute: --since: expected an ISO-8601 time such as 2026-11-25T03:00Z (no zone means UTC) or a duration such as 90s, 30m, 2h, 1d or 1h30m before now, got the string "yesterday"\n',
    );
    expect((await runCli(["explain", "--until", "30", "early", log])).code).toBe(2);
  });
});
