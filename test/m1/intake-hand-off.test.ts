// A worker thread hands the lines that only zod can decide to the main thread (Intake.handOff), whose
// intake reads them (Intake.readUndecided): between them, the two must count and merge exactly what
// one intake reading every line does, and list the same first violations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../src/input/line-splitter.js";
import { DEFAULT_LIMITS, Intake, type UndecidedLine } from "../../src/m1/intake.js";
import { needsSchema } from "../../src/m1/validate-record.js";
import { buildReport } from "../../src/report/build-report.js";
import { renderJson } from "../../src/report/render-json.js";
import { m1 } from "../helpers.js";
import { logText, seeded } from "../properties/arbitraries.js";

const policy = { strict: false, allowed: new Set<string>() };
const thresholds = { slowMs: 1000, upstreamShare: 0.2 };
const source = { index: 0, name: "log" };

function readInto(intake: Intake, bytes: Buffer): number {
  const splitter = new LineSplitter(intake.sinkFor(source), 4096);
  splitter.push(bytes);
  splitter.end();
  return splitter.lines;
}

/** The JSON report of what `intake` read, its units being `intake.units`. */
function reportOf(intake: Intake, lines: number, bytes: number): string {
  const sources = [{ source: "log", lines, bytes, error: null }];
  return renderJson(
    buildReport({ intake, units: intake.units, sources, complete: true, threads: 1 }, { thresholds }),
  );
}

/** Reads `bytes` on an intake that hands every undecided line to a second one; both merged into it. */
function readHandingOff(bytes: Buffer): { report: string; handed: UndecidedLine[]; first: Intake } {
  const first = new Intake(policy);
  const handed: UndecidedLine[] = [];
  first.handOff = (line) => {
    handed.push(line);
    return true;
  };
  const lines = readInto(first, bytes);
  const second = new Intake(policy);
  second.readUndecided(handed, 1);
  const handedOff = first.tally.handedOff;
  first.absorbTally(second.snapshot());
  first.units.absorb(second.units.snapshot());
  expect(first.tally.handedOff).toBe(handedOff);
  return { report: reportOf(first, lines, bytes.length), handed, first };
}

describe("lines only zod can decide, handed to another intake (Intake.handOff, readUndecided)", () => {
  it("two intakes, one handing off every such line, report what one intake reading them all does (property)", () => {
    fc.assert(
      fc.property(logText, (bytes) => {
        const one = new Intake(policy);
        const lines = readInto(one, bytes);
        const split = readHandingOff(bytes);
        expect(split.report).toBe(reportOf(one, lines, bytes.length));
        expect(split.first.tally.handedOff).toBe(split.handed.length);
        // Only lines that parse to an object that zod must judge are offered.
        for (const line of split.handed) expect(needsSchema(JSON.parse(line.text))).toBe(true);
      }),
      seeded(20261126, 300),
    );
  });

  it("offers the lines zod must judge, valid or not, and nothing else", () => {
    const log = [
      m1({ request_id: "a" }),
      m1({ request_id: "b", status: "500" }),
      "not json",
      m1({ request_id: "c", latency_ms: -1 }),
      "",
      `{"request_id":"d"}`,
      "[1]",
    ].join("\n");
    const { handed, first } = readHandingOff(Buffer.from(log));
    expect(handed.map((l) => l.line)).toEqual([2, 4, 6]);
    expect(handed.map((l) => l.source)).toEqual([source, source, source]);
    // The handing intake counted none of them.
    expect(first.tally.handedOff).toBe(3);
  });

  it("a line the hook refuses is read where it is, and counted there", () => {
    const intake = new Intake(policy);
    intake.handOff = () => false;
    readInto(intake, Buffer.from(`${m1({ status: "500" })}\n`));
    expect([intake.tally.lines, intake.tally.invalid, intake.tally.handedOff]).toEqual([1, 1, 0]);
  });

  it("keeps each thread's first violations apart, so the first of the source are never crowded out", () => {
    // Two violations kept per source and thread. The main thread reads its own lines 10–12 first, and
    // the worker's lines 1 and 5 after: kept under one count, line 1 would be dropped.
    const limits = { ...DEFAULT_LIMITS, violationsPerSource: 2 };
    const main = new Intake(policy, limits);
    const sink = main.sinkFor(source);
    for (const line of [10, 11, 12]) sink.line(Buffer.from("nope"), 0, 4, line);
    const bad = m1({ status: "500" });
    main.readUndecided(
      [
        { source, line: 1, text: bad },
        { source, line: 5, text: bad },
      ],
      1,
    );
    expect(main.tally.violations.map((v) => v.line).sort((a, b) => a - b)).toEqual([1, 5, 10, 11]);
    expect(main.tally.invalid).toBe(5);
  });
});
