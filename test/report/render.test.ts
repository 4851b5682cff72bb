// The report and its renderers (SPEC.md sections 5 and 6): the JSON and NDJSON contracts key by key, the
// wording every report must carry (evidence, samples, the stop rule), input-derived names such as
// `__proto__` treated as data, and log content that never reaches a terminal or a Markdown page raw.
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/io.js";
import { main } from "../../src/main.js";
import { DEFAULT_THRESHOLDS, VERDICTS } from "../../src/m1/rules.js";
import { readLogs } from "../../src/read-logs.js";
import { buildReport } from "../../src/report/build-report.js";
import { renderJson } from "../../src/report/render-json.js";
import { renderMarkdown } from "../../src/report/render-markdown.js";
import type { Report } from "../../src/report/report.js";
import { renderTable } from "../../src/report/render-table.js";

/** SPEC.md section 5, word for word (kept here, not imported, so that a drift in the code is caught). */
const STOP_RULE =
  "Stop rule: no data rewrite, schema change, or semantic patch without a replay plan and rollback.";

const SIX_VERDICTS = ["OK", "UNKNOWN", "VENDOR", "APPLICATION", "APP_BOTTLENECK", "UNATTRIBUTED"];

/** One M1 line; the defaults make an OK record. */
function m1(fields: Record<string, unknown>): string {
  return JSON.stringify({
    request_id: "r",
    function: "fn",
    stage: "handler",
    status: 200,
    latency_ms: 10,
    error_code: null,
    upstream_status: 200,
    upstream_latency_ms: 5,
    ...fields,
  });
}

const vendor = (fn: string, id: string): string =>
  m1({ function: fn, request_id: id, status: 502, upstream_status: 503, error_code: "UPSTREAM_ERROR" });

/** A small log with every verdict, a bad line, a blank line, a duplicate and unknown fields. */
const MIXED = [
  // checkout: five VENDOR units whose ids sort differently as strings and as numbers, one OK.
  vendor("checkout", "r10"),
  vendor("checkout", "r2"),
  vendor("checkout", "r100"),
  vendor("checkout", "r3"),
  vendor("checkout", "r1"),
  vendor("checkout", "r1"), // a duplicate of the line above
  m1({ function: "checkout", request_id: "r50", latency_ms: 40 }),
  // inventory: timeouts logged without upstream_status (UNKNOWN), one with no error code at all.
  m1({
    function: "inventory",
    request_id: "i1",
    status: 504,
    error_code: "UPSTREAM_TIMEOUT",
    upstream_status: null,
    upstream_latency_ms: null,
  }),
  m1({
    function: "inventory",
    request_id: "i2",
    status: 504,
    error_code: "UPSTREAM_TIMEOUT",
    upstream_status: null,
    upstream_latency_ms: null,
  }),
  m1({
    function: "inventory",
    request_id: "i3",
    status: 500,
    upstream_status: null,
    upstream_latency_ms: null,
  }),
  "",
  // search: slow while the upstream was fast (APP_BOTTLENECK) and slow because the upstream was (UNATTRIBUTED).
  m1({ function: "search", request_id: "s1", latency_ms: 2000, upstream_latency_ms: 100 }),
  m1({ function: "search", request_id: "s2", latency_ms: 2000, upstream_latency_ms: 1500 }),
  "{not json",
  // Names from the input that are also names of Object.prototype: data like any other.
  m1({ function: "__proto__", request_id: "p1", level: "info" }),
  m1({ function: "constructor", request_id: "c1", status: 422, error_code: "VALIDATION_FAILED" }),
  '{"request_id":"u1","function":"profile","stage":"s","status":200,"latency_ms":1,"error_code":null,' +
    '"upstream_status":200,"upstream_latency_ms":1,"__proto__":{"polluted":true},"constructor":1}',
  m1({ function: "profile", request_id: "u2", status: "500" }),
].join("\n");

async function reportOf(text: string): Promise<Report> {
  const read = await readLogs([{ kind: "stdin" }], Readable.from([Buffer.from(text)]), {
    policy: { strict: false, allowed: new Set() },
    maxLineBytes: 1024 * 1024,
  });
  return buildReport(read, { thresholds: DEFAULT_THRESHOLDS });
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process on `text` as stdin. */
async function run(argv: readonly string[], text: string): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdin: Readable.from([Buffer.from(text)]),
    stdout: {
      write: (chunk: string) => {
        stdout += chunk;
        return true;
      },
      once: () => undefined,
      removeListener: () => undefined,
    },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** The object has every key the contract names, and no key beyond those and the known extras. */
function expectKeys(value: unknown, contract: readonly string[], extras: readonly string[] = []): void {
  expect(value).toBeTypeOf("object");
  expect(value).not.toBeNull();
  const keys = Object.keys(value as object);
  for (const key of contract) expect(keys, `missing contract key ${key}`).toContain(key);
  for (const key of keys) expect([...contract, ...extras], `unexpected key ${key}`).toContain(key);
}

/** Splits a Markdown table row into cells at the pipes that are not backslash-escaped. */
function markdownCells(row: string): string[] {
  const cells: string[] = [];
  let cell = "";
  for (let i = 0; i < row.length; i++) {
    const c = row[i] as string;
    if (c === "\\") {
      cell += c + (row[i + 1] ?? "");
      i++;
    } else if (c === "|") {
      cells.push(cell);
      cell = "";
    } else cell += c;
  }
  cells.push(cell);
  // A row starts and ends with a pipe: drop the empty text outside them.
  return cells.slice(1, -1).map((s) => s.trim());
}

describe("JSON report (SPEC.md section 6)", () => {
  it("has the keys of the contract at every level, and the stop rule word for word", async () => {
    const { code, stdout, stderr } = await run(["--format", "json"], MIXED);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const json = JSON.parse(stdout) as Report;
    // Extras beyond section 6 are allowed ("at least"); listing them here makes any new one deliberate.
    expectKeys(
      json,
      ["schema", "thresholds", "input", "overall", "functions", "stopRule"],
      ["complete", "sources", "timeSpan", "window", "timeline", "gates"],
    );
    expect(json.schema).toBe("attribute.report/v1");
    expect(json.thresholds).toStrictEqual({ slowMs: 1000, upstreamShare: 0.2 });
    expect(json.stopRule).toBe(STOP_RULE);

    expectKeys(
      json.input,
      ["lines", "valid", "invalid", "blank", "duplicates", "violations", "unknownFields"],
      ["violationsByReason", "unknownFieldsNotListed"],
    );
    expect(json.input).toMatchObject({ lines: 18, valid: 15, invalid: 2, blank: 1, duplicates: 1 });
    expect(json.input.lines).toBe(json.input.valid + json.input.invalid + json.input.blank);
    expect(json.input.violations).toHaveLength(2);
    for (const v of json.input.violations) {
      expectKeys(v, ["source", "line", "reason"]);
      expect(v.source).toBe("<stdin>");
    }
    expect(json.input.violations.map((v) => v.line)).toStrictEqual([14, 18]);
    expect(json.input.violations[1]?.reason).toBe(
      'status: expected an integer 100–599, got the string "500"',
    );

    expectKeys(json.overall, ["units", "incidents", "verdict", "share", "verdicts"]);
    expect(Object.keys(json.overall.verdicts)).toStrictEqual(SIX_VERDICTS);
    expect(json.overall).toMatchObject({ units: 14, incidents: 11, verdict: "VENDOR" });
    expect(json.overall.share).toBeCloseTo(5 / 11, 12);

    expect(json.functions.map((f) => f.function)).toStrictEqual([
      "__proto__",
      "checkout",
      "constructor",
      "inventory",
      "profile",
      "search",
    ]);
    for (const fn of json.functions) {
      expectKeys(fn, [
        "function",
        "units",
        "incidents",
        "verdict",
        "share",
        "verdicts",
        "latencyMs",
        "errorCodes",
        "evidence",
      ]);
      expect(Object.keys(fn.verdicts)).toStrictEqual(SIX_VERDICTS);
      expectKeys(fn.latencyMs, ["p50", "p95", "p99"]);
      for (const p of Object.values(fn.latencyMs)) expect(p).toBeTypeOf("number");
      for (const c of fn.errorCodes) expectKeys(c, ["code", "count"]);
      for (const e of fn.evidence) {
        // UNKNOWN evidence adds the breakdown by error code (section 5).
        expectKeys(
          e,
          ["verdict", "count", "summary", "samples"],
          e.verdict === "UNKNOWN" ? ["errorCodes"] : [],
        );
        expect(e.summary).toBeTypeOf("string");
        expect(e.summary.length).toBeGreaterThan(0);
        expect(e.samples.length).toBeGreaterThanOrEqual(1);
        expect(e.samples.length).toBeLessThanOrEqual(3);
      }
    }
    const checkout = json.functions[1];
    expect(checkout).toMatchObject({ units: 6, incidents: 5, verdict: "VENDOR", share: 1 });
    expect(checkout?.errorCodes).toStrictEqual([{ code: "UPSTREAM_ERROR", count: 5 }]);
    expect(checkout?.latencyMs).toStrictEqual({ p50: 10, p95: 40, p99: 40 });
  });

  it("is the same, byte for byte in every format, whatever the order of the lines (SPEC.md section 5)", async () => {
    // Violations are located by line number, so this input has none.
    const lines = MIXED.split("\n").filter((line) => line === "" || !/not json|"500"/.test(line));
    const a = await reportOf(lines.join("\n"));
    const b = await reportOf([...lines].reverse().join("\n"));
    expect(a.input.invalid).toBe(0);
    expect(renderJson(b)).toBe(renderJson(a));
    expect(renderTable(b, { color: false })).toBe(renderTable(a, { color: false }));
    expect(renderMarkdown(b)).toBe(renderMarkdown(a));
  });

  it("reports a function named __proto__ or constructor and an unknown field named __proto__ like any other", async () => {
    const report = await reportOf(MIXED);
    expect(Object.keys(report.input.unknownFields)).toContain("__proto__");
    expect(Object.keys(report.input.unknownFields)).toContain("constructor");
    expect(report.input.unknownFields["__proto__"]).toBe(1);
    expect(report.input.unknownFields["level"]).toBe(1);
    // Counting the name did not reach Object.prototype.
    expect(Object.getPrototypeOf(report.input.unknownFields)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();

    const parsed = JSON.parse(renderJson(report)) as Report;
    expect(Object.keys(parsed.input.unknownFields)).toContain("__proto__");
    expect(Object.getOwnPropertyDescriptor(parsed.input.unknownFields, "__proto__")?.value).toBe(1);
    const proto = parsed.functions.find((f) => f.function === "__proto__");
    const ctor = parsed.functions.find((f) => f.function === "constructor");
    expect(proto).toMatchObject({ units: 1, incidents: 0, verdict: "OK" });
    expect(ctor).toMatchObject({ units: 1, incidents: 1, verdict: "APPLICATION" });
    expect(ctor?.evidence.map((e) => e.samples)).toStrictEqual([["c1"]]);

    const table = renderTable(report, { color: false });
    expect(table).toMatch(/│ __proto__ +│ OK /);
    expect(table).toMatch(/│ constructor +│ APPLICATION /);
    expect(table).toContain("__proto__ ×1");
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| \\_\\_proto\\_\\_ | OK |");
    expect(markdown).toContain("| constructor | APPLICATION |");
    expect(markdown).toContain("\\_\\_proto\\_\\_ ×1");
  });
});

describe("NDJSON report (SPEC.md section 6)", () => {
  const FIELDS = [
    "request_id",
    "function",
    "verdict",
    "status",
    "upstream_status",
    "latency_ms",
    "upstream_latency_ms",
    "error_codes",
    "stages",
  ];

  it("prints one line per unit, sorted by function then request_id, with the fields of the contract", async () => {
    const { code, stdout, stderr } = await run(["--format", "ndjson"], MIXED);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout.endsWith("\n")).toBe(true);
    const rows = stdout
      .slice(0, -1)
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(14);
    for (const row of rows) expect(Object.keys(row)).toStrictEqual(FIELDS);
    const keys = rows.map((r) => [r.function, r.request_id]);
    expect(keys).toStrictEqual([
      ["__proto__", "p1"],
      ["checkout", "r1"],
      ["checkout", "r10"],
      ["checkout", "r100"],
      ["checkout", "r2"],
      ["checkout", "r3"],
      ["checkout", "r50"],
      ["constructor", "c1"],
      ["inventory", "i1"],
      ["inventory", "i2"],
      ["inventory", "i3"],
      ["profile", "u1"],
      ["search", "s1"],
      ["search", "s2"],
    ]);
    expect(rows.map((r) => r.verdict)).toStrictEqual([
      "OK",
      "VENDOR",
      "VENDOR",
      "VENDOR",
      "VENDOR",
      "VENDOR",
      "OK",
      "APPLICATION",
      "UNKNOWN",
      "UNKNOWN",
      "UNKNOWN",
      "OK",
      "APP_BOTTLENECK",
      "UNATTRIBUTED",
    ]);
    expect(rows[1]).toStrictEqual({
      request_id: "r1",
      function: "checkout",
      verdict: "VENDOR",
      status: 502,
      upstream_status: 503,
      latency_ms: 10,
      upstream_latency_ms: 5,
      error_codes: ["UPSTREAM_ERROR"],
      stages: ["handler"],
    });
    expect(rows[8]).toMatchObject({ upstream_status: null, upstream_latency_ms: null });
  });

  it("merges the records of a unit into one line (SPEC.md section 2)", async () => {
    const text = [
      m1({ request_id: "a", stage: "receive", status: 200, latency_ms: 3, upstream_status: null }),
      m1({
        request_id: "a",
        stage: "upstream",
        status: 502,
        latency_ms: 3100,
        upstream_status: "timeout",
        upstream_latency_ms: 3000,
        error_code: "UPSTREAM_TIMEOUT",
      }),
      m1({ request_id: "a", stage: "respond", status: 502, latency_ms: 3105, error_code: "BAD_GATEWAY" }),
    ].join("\n");
    const { stdout } = await run(["--format", "ndjson"], text);
    expect(stdout).toBe(
      '{"request_id":"a","function":"fn","verdict":"VENDOR","status":502,"upstream_status":"timeout",' +
        '"latency_ms":3105,"upstream_latency_ms":3000,"error_codes":["BAD_GATEWAY","UPSTREAM_TIMEOUT"],' +
        '"stages":["receive","respond","upstream"]}\n',
    );
  });
});

describe("evidence (SPEC.md section 5)", () => {
  it("samples the three smallest request ids in string order", async () => {
    const report = await reportOf(MIXED);
    const checkout = report.functions.find((f) => f.function === "checkout");
    expect(checkout?.evidence).toHaveLength(1);
    expect(checkout?.evidence[0]).toMatchObject({ verdict: "VENDOR", count: 5 });
    // String order, not numeric order: r1 < r10 < r100 < r2 < r3.
    expect(checkout?.evidence[0]?.samples).toStrictEqual(["r1", "r10", "r100"]);
    const table = renderTable(report, { color: false });
    expect(table).toContain("e.g. r1, r10, r100\n");
    expect(renderMarkdown(report)).toMatch(/\| checkout \| VENDOR \| 5 \| [^\n]* \| r1, r10, r100 \|/);
  });

  it("gives UNKNOWN evidence its error codes, so an unlogged timeout is seen", async () => {
    const report = await reportOf(MIXED);
    const inventory = report.functions.find((f) => f.function === "inventory");
    expect(inventory?.verdict).toBe("UNKNOWN");
    const unknown = inventory?.evidence.find((e) => e.verdict === "UNKNOWN");
    expect(unknown?.count).toBe(3);
    expect(unknown?.errorCodes).toStrictEqual([
      { code: "UPSTREAM_TIMEOUT", count: 2 },
      { code: null, count: 1 },
    ]);
    expect(unknown?.samples).toStrictEqual(["i1", "i2", "i3"]);
    expect(unknown?.summary).toContain("UPSTREAM_TIMEOUT ×2");
    expect(unknown?.summary).toContain('"timeout"');
    expect(renderTable(report, { color: false })).toContain("UPSTREAM_TIMEOUT ×2");
    expect(renderMarkdown(report)).toContain("UPSTREAM\\_TIMEOUT ×2");
    // Evidence of other verdicts carries no breakdown.
    for (const fn of report.functions)
      for (const e of fn.evidence) if (e.verdict !== "UNKNOWN") expect(e).not.toHaveProperty("errorCodes");
  });

  it("lists one evidence entry per verdict other than OK, in the order of the verdicts", async () => {
    const report = await reportOf(MIXED);
    const search = report.functions.find((f) => f.function === "search");
    expect(search?.evidence.map((e) => e.verdict)).toStrictEqual(["APP_BOTTLENECK", "UNATTRIBUTED"]);
    for (const fn of report.functions) {
      expect(fn.evidence.map((e) => e.verdict)).not.toContain("OK");
      const order = fn.evidence.map((e) => VERDICTS.indexOf(e.verdict));
      expect(order).toStrictEqual([...order].sort((a, b) => a - b));
    }
  });
});

describe("stop rule", () => {
  it("appears in the table, the Markdown and the JSON", async () => {
    const report = await reportOf(MIXED);
    expect(renderTable(report, { color: false }).split("\n")).toContain(STOP_RULE);
    expect(renderTable(report, { color: true }).split("\n")).toContain(STOP_RULE);
    expect(renderMarkdown(report)).toContain(STOP_RULE);
    expect((JSON.parse(renderJson(report)) as Report).stopRule).toBe(STOP_RULE);
  });

  it("appears even when there is nothing to report", async () => {
    const report = await reportOf("");
    expect(renderTable(report, { color: false })).toContain(STOP_RULE);
    expect(renderMarkdown(report)).toContain(STOP_RULE);
    expect(report.stopRule).toBe(STOP_RULE);
  });
});

describe("colour in the table", () => {
  it("has no ESC byte at all without colour (cli-table3 would colour the headers)", async () => {
    const report = await reportOf(MIXED);
    expect(renderTable(report, { color: false })).not.toContain("\u001b");
  });

  it("colours the verdicts with colour on, and only with SGR codes of its own", async () => {
    const report = await reportOf(MIXED);
    const table = renderTable(report, { color: true });
    expect(table).toMatch(/\u001b\[[0-9;]+m(VENDOR|OK)\u001b\[0m/);
    expect(table.replace(/\u001b\[[0-9;]*m/g, "")).not.toContain("\u001b");
  });
});

describe("hostile function names", () => {
  const HYPERLINK = "\u001b]8;;http://x\u0007link\u001b]8;;\u0007";
  const CLEAR = "\u001b[2J";
  const RLO = "evil\u202egnp.exe";
  const HTML = "a|b<i>x</i>\nc";
  const text = [
    vendor(HYPERLINK, "h1"),
    vendor(CLEAR, "c1"),
    vendor(RLO, "o1"),
    vendor(HTML, "m1"),
    // A request id and an unknown field name can carry the same.
    m1({ function: "ok", request_id: `id${CLEAR}`, status: 500, upstream_status: 503, [`f${HYPERLINK}`]: 1 }),
  ].join("\n");
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

  it("shows them escaped in the table, never raw, with or without colour", async () => {
    const report = await reportOf(text);
    for (const color of [false, true]) {
      const table = renderTable(report, { color }).replace(/\u001b\[[0-9;]*m/g, "");
      expect(table).not.toMatch(RAW);
      expect(table).not.toContain("\u001b");
      expect(table).toContain("\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07");
      expect(table).toContain("\\x1b[2J");
      expect(table).toContain("evil\\u202egnp.exe");
      expect(table).toContain("a|b<i>x</i>\\x0ac");
      expect(table).toContain("id\\x1b[2J");
      expect(table).toContain("f\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07 ×1");
    }
  });

  it("shows them escaped in the Markdown, never raw", async () => {
    const markdown = renderMarkdown(await reportOf(text));
    expect(markdown).not.toMatch(RAW);
    expect(markdown).toContain("\\\\x1b\\]8;;http\\://x\\\\x07link\\\\x1b\\]8;;\\\\x07");
    expect(markdown).toContain("\\\\x1b\\[2J");
    expect(markdown).toContain("evil\\\\u202egnp.exe");
  });

  it("keeps Markdown cells whole: | and newlines escaped, HTML neutralised", async () => {
    const markdown = renderMarkdown(await reportOf(text));
    expect(markdown).toContain("| a\\|b&lt;i&gt;x&lt;/i&gt;\\\\x0ac | VENDOR |");
    expect(markdown).not.toMatch(/<\/?i>/);
    // Every row of a table has as many cells as its header.
    const lines = markdown.split("\n");
    let width = 0;
    for (const line of lines) {
      if (!line.startsWith("|")) {
        width = 0;
        continue;
      }
      const cells = markdownCells(line).length;
      if (width === 0) width = cells;
      else expect(cells, line).toBe(width);
    }
    // No line begins with content from the logs: each starts with markup or words of the report.
    for (const line of lines)
      expect(line).toMatch(/^(|#{2,3} .*|\| .*|> .*|- .*|\*\*Overall.*|No incidents.*|… .*)$/);
  });
});
