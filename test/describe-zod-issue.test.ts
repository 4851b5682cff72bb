// One-line messages for zod issues, shared by the configuration and the diff: key paths as typed, values
// read back from the input (own keys only), unknown keys with the allowed ones.
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { describeZodIssue, formatKeyPath, valueAt } from "../src/describe-zod-issue.js";

describe("formatKeyPath", () => {
  it.each<[PropertyKey[], string]>([
    [[], ""],
    [["slowMs"], "slowMs"],
    [["functions", "search", "slowMs"], "functions.search.slowMs"],
    [["failOn", 1], "failOn[1]"],
    [["functions", "a.b c", "slowMs"], 'functions["a.b c"].slowMs'],
    [["functions", "__proto__"], "functions.__proto__"],
    [["functions", 'quote"d'], 'functions["quote\\"d"]'],
  ])("%j reads %s", (path, text) => {
    expect(formatKeyPath(path)).toBe(text);
  });
});

describe("valueAt", () => {
  it("reads own properties only", () => {
    const value = JSON.parse('{"a": {"__proto__": {"b": 1}}, "list": [10, 20]}') as unknown;
    expect(valueAt(value, ["a", "__proto__", "b"])).toBe(1);
    expect(valueAt(value, ["list", 1])).toBe(20);
    expect(valueAt(value, ["a", "toString"])).toBeUndefined();
    expect(valueAt(value, ["list", "length", "x"])).toBeUndefined();
  });
});

describe("describeZodIssue", () => {
  const schema = z.strictObject({
    n: z.number({ error: "expected a number" }),
    s: z.string({ error: "expected a string" }),
  });
  const issues = (value: unknown) => schema.safeParse(value).error?.issues ?? [];

  it("says what was expected and what was found", () => {
    const value = { n: "1", s: "x" };
    expect(issues(value).map((i) => describeZodIssue(i, value))).toEqual([
      'n: expected a number, got the string "1"',
    ]);
  });

  it("says missing for an absent key", () => {
    const value = { n: 1 };
    expect(issues(value).map((i) => describeZodIssue(i, value))).toEqual(["s: missing (expected a string)"]);
  });

  it("names unknown keys, the allowed ones, and the one that was probably meant", () => {
    const value = { n: 1, s: "", N_: 2, extra: 3 };
    const [issue] = issues(value);
    expect(describeZodIssue(issue!, value, () => ["n", "s"])).toBe(
      'unknown keys "N_", "extra": did you mean n? (allowed: n, s)',
    );
  });
});
