// Reading a JSON file (a configuration or a report): data only, failures named by file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../src/input-error.js";
import { parseJsonText, readJsonFile } from "../src/read-json-file.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "attribute-json-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("readJsonFile", () => {
  it("parses a file, ignoring a leading BOM", async () => {
    const path = join(dir, "a.json");
    writeFileSync(path, '\ufeff{"a": [1]}');
    expect(await readJsonFile(path, { missingOk: false })).toEqual({ a: [1] });
  });

  it("returns undefined for a missing file only when that is allowed", async () => {
    const path = join(dir, "missing.json");
    expect(await readJsonFile(path, { missingOk: true })).toBeUndefined();
    await expect(readJsonFile(path, { missingOk: false })).rejects.toThrow(
      new InputError(`cannot read ${path}: no such file`),
    );
  });

  it("names the file when it is not JSON", async () => {
    const path = join(dir, "b.json");
    writeFileSync(path, "{ slowMs: 1 }");
    await expect(readJsonFile(path, { missingOk: true })).rejects.toThrow(
      new RegExp(`^${path}: not valid JSON: `),
    );
  });
});

describe("parseJsonText", () => {
  it("returns any JSON value, null included", () => {
    expect(parseJsonText("null", "x")).toBeNull();
    expect(() => parseJsonText("", "x.json")).toThrow(/^x\.json: not valid JSON/);
  });
});
