// attribute.config.json (issue 5): a strict zod schema whose errors name the file, the key path, what was
// expected and what was found; a Map of per-function overrides where `__proto__` is a name like any
// other; the default file optional, an explicit one required; flags override the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG_FILE, loadConfig, resolveSettings } from "../../src/config/config.js";
import { parseConfig } from "../../src/config/parse-config.js";
import { InputError } from "../../src/input-error.js";

const FILE = "attribute.config.json";

/** The message parseConfig throws for a JSON text. */
function problem(json: string): string {
  try {
    parseConfig(JSON.parse(json), FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("parseConfig: a valid file", () => {
  it("reads every key", () => {
    const config = parseConfig(
      {
        slowMs: 500,
        upstreamShare: 0.3,
        functions: { search: { slowMs: 300 }, checkout: { upstreamShare: 0.1, slowMs: 2000 } },
        allowFields: ["level", "version"],
        strict: true,
        format: "markdown",
        failOn: ["VENDOR", "APPLICATION"],
        maxInvalid: 0.01,
        maxUnknown: 0.2,
        map: ["request_id=trace.id"],
        preset: "otel",
      },
      FILE,
    );
    expect(config).toEqual({
      slowMs: 500,
      upstreamShare: 0.3,
      functions: new Map([
        ["search", { slowMs: 300 }],
        ["checkout", { upstreamShare: 0.1, slowMs: 2000 }],
      ]),
      allowFields: ["level", "version"],
      strict: true,
      format: "markdown",
      failOn: ["VENDOR", "APPLICATION"],
      maxInvalid: 0.01,
      maxUnknown: 0.2,
      map: ["request_id=trace.id"],
      preset: "otel",
    });
  });

  it("accepts an empty object: every key is optional", () => {
    expect(parseConfig({}, FILE)).toEqual({ functions: new Map() });
  });

  it("keeps a function named __proto__ (or constructor) as data, from JSON.parse's own keys", () => {
    const config = parseConfig(
      JSON.parse('{"functions": {"__proto__": {"slowMs": 5}, "constructor": {"upstreamShare": 1}}}'),
      FILE,
    );
    expect([...config.functions]).toEqual([
      ["__proto__", { slowMs: 5 }],
      ["constructor", { upstreamShare: 1 }],
    ]);
    expect(({} as Record<string, unknown>).slowMs).toBeUndefined();
  });
});

describe("parseConfig: errors name the file, the key path, what was expected and what was found", () => {
  it.each([
    [
      "a string where a number belongs",
      '{"functions": {"search": {"slowMs": "300"}}}',
      'attribute.config.json: functions.search.slowMs: expected a number ≥ 0, got the string "300"',
    ],
    [
      "a negative threshold",
      '{"slowMs": -1}',
      "attribute.config.json: slowMs: expected a number ≥ 0, got the number -1",
    ],
    [
      "a share over 1",
      '{"upstreamShare": 1.5}',
      "attribute.config.json: upstreamShare: expected a number from 0 to 1, got the number 1.5",
    ],
    [
      "an unknown verdict",
      '{"failOn": ["VENDOR", "VENDR"]}',
      'attribute.config.json: failOn[1]: expected a verdict: OK, UNKNOWN, VENDOR, APPLICATION, APP_BOTTLENECK, UNATTRIBUTED, got the string "VENDR"',
    ],
    [
      "a comma list where an array belongs",
      '{"failOn": "VENDOR,APPLICATION"}',
      'attribute.config.json: failOn: expected an array of verdicts, got the string "VENDOR,APPLICATION"',
    ],
    [
      "an unknown format",
      '{"format": "html"}',
      'attribute.config.json: format: expected one of table, json, ndjson, markdown, got the string "html"',
    ],
    [
      "a string for a boolean",
      '{"strict": "yes"}',
      'attribute.config.json: strict: expected true or false, got the string "yes"',
    ],
    [
      "a ratio gate out of range",
      '{"maxUnknown": 20}',
      "attribute.config.json: maxUnknown: expected a number from 0 to 1, got the number 20",
    ],
    ["not an object", "[]", "attribute.config.json: expected a JSON object, got an array"],
    [
      "functions as an array",
      '{"functions": []}',
      'attribute.config.json: functions: expected an object such as { "search": { "slowMs": 300 } }, got an array',
    ],
    [
      "a function's overrides as a number",
      '{"functions": {"search": 300}}',
      'attribute.config.json: functions.search: expected an object such as { "slowMs": 300 }, got the number 300',
    ],
    [
      "a function name that is not an identifier",
      '{"functions": {"a.b c": {"slowMs": null}}}',
      'attribute.config.json: functions["a.b c"].slowMs: expected a number ≥ 0, got null',
    ],
    [
      "an empty map entry",
      '{"map": [""]}',
      'attribute.config.json: map[0]: expected a non-empty string, got the string ""',
    ],
  ])("%s", (_case, json, message) => {
    expect(problem(json)).toBe(message);
  });

  it("refuses an unknown key, and suggests the key that was meant (a typo must not be ignored)", () => {
    expect(problem('{"slow_ms": 300}')).toBe(
      'attribute.config.json: unknown key "slow_ms": did you mean slowMs? (allowed: slowMs, upstreamShare, ' +
        "functions, allowFields, strict, format, failOn, maxInvalid, maxUnknown, map, preset)",
    );
    expect(problem('{"functions": {"search": {"slowms": 300}}}')).toBe(
      'attribute.config.json: functions.search: unknown key "slowms": did you mean slowMs? (allowed: slowMs, upstreamShare)',
    );
    expect(problem('{"colour": true}')).toMatch(/^attribute\.config\.json: unknown key "colour" \(allowed: /);
  });

  it("refuses __proto__ as a top-level key: it is not a setting", () => {
    expect(problem('{"__proto__": {"slowMs": 1}}')).toMatch(
      /^attribute\.config\.json: unknown key "__proto__"/,
    );
  });

  it("says how many more problems there are after the first", () => {
    expect(problem('{"slowMs": "1", "upstreamShare": "2", "functions": {"x": {"slowMs": "3"}}}')).toBe(
      'attribute.config.json: slowMs: expected a number ≥ 0, got the string "1" (and 2 more problems)',
    );
  });
});

describe("loadConfig", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "attribute-config-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads and validates a file, with a BOM or without", async () => {
    const path = file("ok.json", '\ufeff{"slowMs": 250}');
    expect(await loadConfig(path, { explicit: true })).toEqual({ slowMs: 250, functions: new Map() });
  });

  it("returns null for a missing default file: having none is normal", async () => {
    expect(await loadConfig(join(dir, DEFAULT_CONFIG_FILE), { explicit: false })).toBeNull();
  });

  it("refuses a missing explicit --config file", async () => {
    const path = join(dir, "missing.json");
    await expect(loadConfig(path, { explicit: true })).rejects.toThrow(
      new InputError(`cannot read ${path}: no such file`),
    );
  });

  it("refuses a directory, bad JSON and a bad key, naming the file, even for the default file", async () => {
    const sub = join(dir, "sub");
    mkdirSync(sub);
    await expect(loadConfig(sub, { explicit: false })).rejects.toThrow(
      `cannot read ${sub}: it is a directory`,
    );
    const bad = file("bad.json", '{"slowMs": 300,}');
    await expect(loadConfig(bad, { explicit: false })).rejects.toThrow(
      new RegExp(`^${bad}: not valid JSON: `),
    );
    const wrong = file("wrong.json", '{"slowMs": "300"}');
    await expect(loadConfig(wrong, { explicit: true })).rejects.toThrow(
      `${wrong}: slowMs: expected a number ≥ 0, got the string "300"`,
    );
  });

  it("never executes anything: a file of JavaScript is bad JSON", async () => {
    const js = file("attribute.config.js.json", "module.exports = { slowMs: (globalThis.pwned = 1) }");
    await expect(loadConfig(js, { explicit: true })).rejects.toThrow(/not valid JSON/);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });
});

describe("resolveSettings: defaults, then the file, then the flags", () => {
  // From JSON text: in an object literal, `__proto__: …` would set the prototype instead of a key.
  const config = parseConfig(
    JSON.parse(`{
      "slowMs": 500,
      "functions": { "search": { "slowMs": 300 }, "__proto__": { "upstreamShare": 0.5 } },
      "allowFields": ["level"],
      "format": "markdown",
      "failOn": ["VENDOR"],
      "maxInvalid": 0.1,
      "map": ["request_id=a"]
    }`),
    FILE,
  );

  it("uses the defaults with no file and no flags", () => {
    const s = resolveSettings(null, {});
    expect(s.thresholds).toEqual({ slowMs: 1000, upstreamShare: 0.2 });
    expect(s.thresholdsFor("anything")).toEqual({ slowMs: 1000, upstreamShare: 0.2 });
    expect(s).toMatchObject({
      allowFields: [],
      strict: false,
      format: "table",
      gates: {},
      map: [],
      preset: undefined,
    });
  });

  it("applies the file, per-function overrides included", () => {
    const s = resolveSettings(config, {});
    expect(s.thresholds).toEqual({ slowMs: 500, upstreamShare: 0.2 });
    expect(s.thresholdsFor("search")).toEqual({ slowMs: 300, upstreamShare: 0.2 });
    expect(s.thresholdsFor("checkout")).toEqual({ slowMs: 500, upstreamShare: 0.2 });
    expect(s.thresholdsFor("__proto__")).toEqual({ slowMs: 500, upstreamShare: 0.5 });
    expect(s.thresholdsFor("constructor")).toEqual({ slowMs: 500, upstreamShare: 0.2 });
    expect(s.gates).toEqual({ failOn: ["VENDOR"], maxInvalid: 0.1 });
    expect(s.format).toBe("markdown");
  });

  it("lets a flag override the file everywhere, per-function overrides of that threshold included", () => {
    const s = resolveSettings(config, {
      slowMs: 2000,
      format: "json",
      failOn: ["APPLICATION"],
      maxUnknown: 0.3,
    });
    expect(s.thresholds).toEqual({ slowMs: 2000, upstreamShare: 0.2 });
    expect(s.thresholdsFor("search")).toEqual({ slowMs: 2000, upstreamShare: 0.2 });
    // The other threshold's override stands: no flag was given for it.
    expect(s.thresholdsFor("__proto__")).toEqual({ slowMs: 2000, upstreamShare: 0.5 });
    expect([...s.overrides]).toEqual([["__proto__", { upstreamShare: 0.5 }]]);
    expect(s.format).toBe("json");
    expect(s.gates).toEqual({ failOn: ["APPLICATION"], maxInvalid: 0.1, maxUnknown: 0.3 });
  });

  it("adds --allow-fields and --map to the file's lists instead of replacing them", () => {
    const s = resolveSettings(config, { allowFields: ["host", "level"], map: ["request_id=b"] });
    expect(s.allowFields).toEqual(["level", "host"]);
    expect(s.map).toEqual(["request_id=a", "request_id=b"]);
  });

  it("takes strict from a flag over the file", () => {
    expect(resolveSettings(parseConfig({ strict: true }, FILE), {}).strict).toBe(true);
    expect(resolveSettings(parseConfig({ strict: true }, FILE), { strict: false }).strict).toBe(false);
  });
});
