// Which records an intake of one of several threads keeps (its own units) and which it hands on
// (`foreign`): SPEC.md's merge does not care who merges a unit, but each unit must be merged by one
// thread only.
import { describe, expect, it } from "vitest";
import { Intake, ownerOf, ownersFor } from "../../src/m1/intake.js";
import { m1 } from "../helpers.js";

const policy = { strict: false, allowed: new Set<string>() };
const source = { index: 0, name: "log" };

/** An intake for thread 0 of two, whose owners give every unit to thread 1. */
function intakeOwningNothing(): Intake {
  return new Intake(policy, undefined, { index: 0, owners: ownersFor(2, 0) });
}

function feed(intake: Intake, text: string, from: number): void {
  const bytes = Buffer.from(text, "utf8");
  intake.sinkFor(source, 0, from).line(bytes, 0, bytes.length, 1);
}

describe("an intake of one of several threads keeps only the units it owns", () => {
  const id = "3c1c849a-cb40-45dd-8e3b-00000000895b";
  const first = m1({ request_id: id });
  const idLater = JSON.stringify({ ...JSON.parse(first), request_id: undefined, rid: 1 }).replace(
    '"rid":1',
    `"request_id":"${id}"`,
  );

  it("hands on a record of another thread's unit, wherever its request id is in the line", () => {
    expect(ownerOf(Buffer.from(id), 0, id.length, ownersFor(2, 0))).toBe(1);
    for (const [text, from] of [
      [idLater, 0],
      [` ${first}`, 0],
      // Lines another thread handed over (Intake.readUndecided) are never taken as given.
      [first, 1],
    ] as const) {
      const intake = intakeOwningNothing();
      feed(intake, text, from);
      expect(intake.units.size, text).toBe(0);
      expect(intake.foreign.map((r) => r.request_id)).toEqual([id]);
    }
  });

  it("keeps a line of its own that starts with the request id: the index gave it by those very bytes", () => {
    // parallel/line-owner.ts reads the owner of a line that starts `{"request_id":"` from the id's
    // bytes, which the scanner then reads as the record's id: such a line delivered to this thread as
    // its own (from 0) is not checked again. (Here the owners disagree on purpose, to show that.)
    const intake = intakeOwningNothing();
    feed(intake, first, 0);
    expect(intake.units.size).toBe(1);
    expect(intake.foreign).toEqual([]);
  });
});
