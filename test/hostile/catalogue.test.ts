// The catalogue of hostile inputs (issue 4), one committed fixture per case in test/fixtures/hostile/, each
// named after what it holds. For every fixture: the exact counts, the violations with their line numbers
// and reasons, the exit code, and that no human-readable output (table, Markdown, stderr) carries a raw
// control character, escape sequence or bidi control; in-process through `main`, then through the built CLI.
//
// Reasons that are JSON.parse's own message ("not valid JSON: <V8's words>") are matched by their prefix:
// V8 words them differently from one Node version to the next. Every other reason is matched exactly.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/report.js";
import {
  assertBuilt,
  fixtures,
  runJson,
  runMain,
  spawnCli,
  unsafeCharacters,
  workflowCommandLines,
} from "./run-cli.js";

const NOT_JSON = expect.stringMatching(/^not valid JSON: \S/);
const NO_VIOLATIONS: readonly [number, unknown][] = [];

interface Case {
  /** Extra flags for this run. */
  readonly args?: readonly string[];
  readonly counts: { lines: number; valid: number; invalid: number; blank: number; duplicates?: number };
  /** Each violation as [line, reason]. */
  readonly violations: readonly (readonly [number, unknown])[];
  readonly byReason: Readonly<Record<string, number>>;
  readonly unknownFields?: Readonly<Record<string, number>>;
  /** Each function with its verdict, in report order. */
  readonly functions?: readonly (readonly [string, string])[];
  /** Further checks on the report and on the human-readable outputs. */
  readonly check?: (report: Report, table: string, markdown: string) => void;
}

const STATUS = "status: expected an integer 100–599";
const UPSTREAM_STATUS = 'upstream_status: expected an integer 100–599, "timeout" or null';
const LATENCY = "latency_ms: expected a finite number ≥ 0";
const UPSTREAM_LATENCY = "upstream_latency_ms: expected a finite number ≥ 0 or null";
const TS = "ts: expected an ISO-8601 string or epoch milliseconds";
const MISSING_ALL =
  "request_id: missing (expected a string of 1–256 characters); function: missing (expected a string of " +
  "1–256 characters); stage: missing (expected a string of 1–128 characters); status: missing (expected an " +
  "integer 100–599); latency_ms: missing (expected a finite number ≥ 0); error_code: missing (expected a " +
  'string of 1–128 characters or null); upstream_status: missing (expected an integer 100–599, "timeout" or ' +
  "null); upstream_latency_ms: missing (expected a finite number ≥ 0 or null)";

const CASES: Readonly<Record<string, Case>> = {
  "escape-sequences-in-values.ndjson": {
    counts: { lines: 7, valid: 4, invalid: 3, blank: 0, duplicates: 0 },
    violations: [
      [5, NOT_JSON],
      [6, NOT_JSON],
      [7, `${STATUS}, got the string "5\\u001b[0m02"`],
    ],
    byReason: { "not valid JSON": 2, [STATUS]: 1 },
    functions: [
      ["\u001b[2J\u001b[Hcleared", "VENDOR"],
      ["c1\u009b2J\u007fdel", "UNKNOWN"],
      ["osc52\u001b]52;c;ZWNobyBvd25lZA==\u0007", "VENDOR"],
      ["title", "VENDOR"],
    ],
    check: (report, table, markdown) => {
      // The values are kept as logged in JSON, and shown with their controls made visible elsewhere.
      expect(report.functions.find((f) => f.function === "title")?.evidence[0]?.samples).toStrictEqual([
        "\u001b]0;window title\u0007",
      ]);
      for (const visible of ["\\x1b[2J\\x1b[Hcleared", "c1\\x9b2J\\x7fdel", "e.g. \\x1b]0;window title\\x07"])
        expect(table).toContain(visible);
      expect(table).toContain("error codes E\\x9b31m ×1");
      expect(markdown).toContain("\\\\x1b\\[2J\\\\x1b\\[Hcleared");
    },
  },
  "escape-sequences-in-keys.ndjson": {
    counts: { lines: 4, valid: 3, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[4, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    unknownFields: {
      "\u001b[2Jwipe": 1,
      "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007": 1,
      "bidi\u202eemanelif": 1,
      "c1\u009b31m": 1,
    },
    functions: [["checkout", "OK"]],
    check: (_report, table) => {
      expect(table).toContain("\\x1b[2Jwipe ×1");
      expect(table).toContain("\\x1b]8;;https://evil.example/\\x07click\\x1b]8;;\\x07 ×1");
      expect(table).toContain("bidi\\u202eemanelif ×1");
    },
  },
  "escape-sequences-in-keys.ndjson --strict": {
    args: ["--strict"],
    counts: { lines: 4, valid: 0, invalid: 4, blank: 0, duplicates: 0 },
    violations: [
      [1, 'unknown field "\\u001b[2Jwipe" (strict mode)'],
      [2, 'unknown field "\\u001b]8;;https://evil.example/\\u0007click\\u001b]8;;\\u0007" (strict mode)'],
      [3, 'unknown fields "c1\u009b31m", "bidi\u202eemanelif" (strict mode)'],
      [4, NOT_JSON],
    ],
    byReason: { "not valid JSON": 1, "unknown field (strict)": 3 },
    unknownFields: {},
    functions: [],
    check: (_report, table) => {
      expect(table).toContain(':3: unknown fields "c1\\x9b31m", "bidi\\u202eemanelif" (strict mode)');
    },
  },
  "osc8-hyperlinks.ndjson": {
    counts: { lines: 3, valid: 2, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[3, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [
      ["\u001b]8;;https://evil.example/\u0007checkout\u001b]8;;\u0007", "VENDOR"],
      ["\u001b]8;;https://evil.example/st\u001b\\search\u001b]8;;\u001b\\", "VENDOR"],
    ],
    check: (_report, table, markdown) => {
      expect(table).toContain("\\x1b]8;;https://evil.example/\\x07checkout\\x1b]8;;\\x07");
      expect(table).toContain("e.g. \\x1b]8;;https://evil.example/\\x07r-link\\x1b]8;;\\x07");
      expect(table).toContain("\\x1b]8;;https://evil.example/st\\x1b\\search\\x1b]8;;\\x1b\\");
      // In Markdown the URL is not a link either: GitHub does not autolink `https\://`.
      expect(markdown).toContain("\\\\x1b\\]8;;https\\://evil.example/\\\\x07checkout");
      expect(markdown).not.toContain("https://");
    },
  },
  "bidi-overrides.ndjson": {
    counts: { lines: 4, valid: 3, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[4, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [
      ["a\u2067b\u2068c\u2069\u202a\u202b\u202c\u202d", "APPLICATION"],
      ["checkout\u202e\u2066 nimda \u2069\u2066", "VENDOR"],
      ["line\u2028separator\u2029paragraph", "APPLICATION"],
    ],
    check: (report, table) => {
      expect(table).toContain("checkout\\u202e\\u2066 nimda \\u2069\\u2066");
      expect(table).toContain("line\\u2028separator\\u2029paragraph");
      // JSON keeps the values, written with \u escapes (render-json.ts): the same strings once parsed.
      expect(report.functions[0]?.function).toBe("a\u2067b\u2068c\u2069\u202a\u202b\u202c\u202d");
      expect(report.functions[0]?.errorCodes).toStrictEqual([{ code: "E\u202eLIAF", count: 1 }]);
    },
  },
  "prototype-member-names.ndjson": {
    counts: { lines: 20, valid: 18, invalid: 2, blank: 0, duplicates: 0 },
    violations: [
      [19, MISSING_ALL],
      [20, "upstream_latency_ms: missing (expected a finite number ≥ 0 or null)"],
    ],
    byReason: { "request_id: missing": 1, "upstream_latency_ms: missing": 1 },
    // Built with fromEntries: `{ __proto__: 2 }` in a literal would set the prototype instead.
    unknownFields: Object.fromEntries(
      ["__proto__", "constructor", "hasOwnProperty", "prototype", "toString", "valueOf"].map((n) => [n, 2]),
    ),
    functions: [
      ["__proto__", "VENDOR"],
      ["checkout", "OK"],
      ["constructor", "VENDOR"],
      ["hasOwnProperty", "VENDOR"],
      ["prototype", "VENDOR"],
      ["toString", "VENDOR"],
      ["valueOf", "VENDOR"],
    ],
    check: (report, table) => {
      // `__proto__` is an own key of the parsed report, not its prototype.
      expect(Object.hasOwn(report.input.unknownFields, "__proto__")).toBe(true);
      expect(Object.getPrototypeOf(report.input.unknownFields)).toBe(Object.prototype);
      for (const name of ["__proto__", "constructor", "hasOwnProperty", "toString", "valueOf", "prototype"]) {
        const fn = report.functions.find((f) => f.function === name);
        expect(fn?.units).toBe(1);
        expect(fn?.errorCodes).toStrictEqual([{ code: name, count: 1 }]);
        expect(fn?.evidence[0]?.samples).toStrictEqual([name]);
      }
      expect(report.functions.find((f) => f.function === "checkout")?.units).toBe(12);
      expect(table).toContain("unknown fields: __proto__ ×2, constructor ×2, hasOwnProperty ×2");
    },
  },
  "truncated-final-line.ndjson": {
    counts: { lines: 3, valid: 2, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[3, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [["checkout", "VENDOR"]],
  },
  "final-line-without-newline.ndjson": {
    counts: { lines: 2, valid: 2, invalid: 0, blank: 0, duplicates: 0 },
    violations: NO_VIOLATIONS,
    byReason: {},
    functions: [["checkout", "VENDOR"]],
  },
  "crlf-line-endings.ndjson": {
    // a\r\n b\r\n \r\n c\r<EOF>: the CR before each newline and the one ending the file are not content.
    counts: { lines: 4, valid: 3, invalid: 0, blank: 1, duplicates: 0 },
    violations: NO_VIOLATIONS,
    byReason: {},
    functions: [["checkout", "VENDOR"]],
    check: (report) => expect(report.functions[0]?.units).toBe(3),
  },
  "lone-cr-line-endings.ndjson": {
    // Only \n ends a line (SPEC.md section 1): three records joined by lone CRs are one line, one violation.
    counts: { lines: 1, valid: 0, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[1, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [],
  },
  "cr-inside-lines.ndjson": {
    // A CR between tokens is JSON whitespace; CR CR LF leaves one CR, also whitespace; a raw CR inside a
    // string is a control character JSON forbids.
    counts: { lines: 3, valid: 2, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[3, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [["checkout", "VENDOR"]],
  },
  "bom-at-start-and-mid-file.ndjson": {
    // A BOM is ignored at the start of a source only (SPEC.md section 1).
    counts: { lines: 2, valid: 1, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[2, NOT_JSON]],
    byReason: { "not valid JSON": 1 },
    functions: [["checkout", "VENDOR"]],
  },
  "duplicate-keys.ndjson": {
    // JSON.parse keeps the last of duplicate keys; an unknown key repeated is counted once.
    counts: { lines: 5, valid: 4, invalid: 1, blank: 0, duplicates: 0 },
    violations: [[5, `${STATUS}, got the string "500"`]],
    byReason: { [STATUS]: 1 },
    unknownFields: { level: 1 },
    functions: [["checkout", "UNKNOWN"]],
    check: (report) => {
      const fn = report.functions[0];
      expect(fn?.verdicts).toMatchObject({ OK: 2, VENDOR: 1, APPLICATION: 1 });
      expect(fn?.evidence.map((e) => [e.verdict, e.samples])).toStrictEqual([
        ["VENDOR", ["status-twice"]],
        ["APPLICATION", ["bad-then-good"]],
      ]);
    },
  },
  "numbers-as-strings.ndjson": {
    counts: { lines: 6, valid: 1, invalid: 5, blank: 0, duplicates: 0 },
    violations: [
      [1, `${STATUS}, got the string "500"`],
      [2, `${LATENCY}, got the string "12"`],
      [3, `${UPSTREAM_STATUS}, got the string "503"`],
      [4, `${UPSTREAM_LATENCY}, got the string "5"`],
      [5, `${TS}, got the string "1764000000000"`],
    ],
    byReason: { [LATENCY]: 1, [STATUS]: 1, [TS]: 1, [UPSTREAM_LATENCY]: 1, [UPSTREAM_STATUS]: 1 },
    functions: [["checkout", "OK"]],
    check: (report) =>
      expect(report.timeSpan).toStrictEqual({
        first: "2025-11-24T16:00:00.000Z",
        last: "2025-11-24T16:00:00.000Z",
      }),
  },
  "huge-exponents-1e400.ndjson": {
    // 1e400 parses to Infinity, which no field accepts; 1e-400 is 0; 5e2 and 500.0 are the integer 500.
    counts: { lines: 8, valid: 3, invalid: 5, blank: 0, duplicates: 0 },
    violations: [
      [1, `${LATENCY}, got the number Infinity`],
      [2, `${LATENCY}, got the number -Infinity`],
      [4, `${STATUS}, got the number Infinity`],
      [7, `${UPSTREAM_LATENCY}, got the number Infinity`],
      [8, `${TS}, got the number Infinity`],
    ],
    byReason: { [LATENCY]: 2, [STATUS]: 1, [TS]: 1, [UPSTREAM_LATENCY]: 1 },
    functions: [["checkout", "VENDOR"]],
    check: (report) => {
      expect(report.functions[0]?.verdicts).toMatchObject({ OK: 1, VENDOR: 2 });
      expect(report.functions[0]?.evidence[0]?.samples).toStrictEqual(["status-500.0", "status-5e2"]);
    },
  },
  "negative-and-absurd-latencies.ndjson": {
    counts: { lines: 8, valid: 6, invalid: 2, blank: 0, duplicates: 0 },
    violations: [
      [1, `${LATENCY}, got the number -1`],
      [3, `${UPSTREAM_LATENCY}, got the number -5`],
    ],
    byReason: { [LATENCY]: 1, [UPSTREAM_LATENCY]: 1 },
    functions: [["checkout", "APP_BOTTLENECK"]],
    check: (report, table) => {
      const fn = report.functions[0];
      expect(fn?.verdicts).toMatchObject({ OK: 3, VENDOR: 1, APP_BOTTLENECK: 2 });
      expect(fn?.latencyMs).toStrictEqual({
        p50: 10,
        p95: 1.7976931348623157e308,
        p99: 1.7976931348623157e308,
      });
      // Epoch milliseconds beyond what a Date holds are shown as the number itself (build-report.ts).
      expect(report.timeSpan).toStrictEqual({ first: "-1e+300", last: "1e+300" });
      expect(table).toContain("time span: -1e+300 → 1e+300");
    },
  },
  "status-edge-values.ndjson": {
    counts: { lines: 14, valid: 4, invalid: 10, blank: 0, duplicates: 0 },
    violations: [
      [1, `${STATUS}, got the number 0`],
      [2, `${STATUS}, got the number 99`],
      [6, `${STATUS}, got the number 600`],
      [7, `${STATUS}, got the number 999`],
      [8, `${STATUS}, got the number -500`],
      [9, `${STATUS}, got the number 500.5`],
      [10, `${UPSTREAM_STATUS}, got the number 0`],
      [12, `${UPSTREAM_STATUS}, got the number 600`],
      [13, `${UPSTREAM_STATUS}, got the number 999`],
      [14, `${UPSTREAM_STATUS}, got the string "TIMEOUT"`],
    ],
    byReason: { [STATUS]: 6, [UPSTREAM_STATUS]: 4 },
    functions: [["checkout", "APPLICATION"]],
    check: (report) => {
      // 499 and 599 with a 2xx upstream: APPLICATION (rule 4); 502 with a 499 upstream: no rule (6).
      expect(report.functions[0]?.evidence.map((e) => [e.verdict, e.samples])).toStrictEqual([
        ["APPLICATION", ["status-499", "status-599"]],
        ["UNATTRIBUTED", ["upstream-499"]],
      ]);
    },
  },
  "markdown-injection.ndjson": {
    counts: { lines: 8, valid: 6, invalid: 2, blank: 0, duplicates: 0 },
    violations: [
      [7, NOT_JSON],
      [8, NOT_JSON],
    ],
    byReason: { "not valid JSON": 2 },
    check: (_report, _table, markdown) => {
      expect(markdown).toContain("| \\::error file=app.js,line=1::forged annotation | VENDOR |");
      expect(markdown).toContain("| x\\\\x0a::warning::forged after newline | VENDOR |");
      expect(markdown).toContain("| a\\|b&lt;/td&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt; | VENDOR |");
      expect(markdown).toContain("\\!\\[img\\]\\(https\\://evil.example/x.png\\)");
      expect(markdown).toContain("| \\@octocat |");
      expect(markdown).toContain("| www\\.evil.example |");
      expect(markdown).toContain("https\\://evil.example/path &amp;amp; &amp;\\#60;");
      expect(markdown).not.toMatch(/<script|<\/td|<!--|\]\(http/);
      // Every table row has the columns it declares: no `|` from the logs splits a cell.
      for (const row of markdown.split("\n").filter((line) => line.startsWith("| "))) {
        const cells = row.replace(/\\\|/g, "").split("|").length;
        expect([7, 13, 4, 5]).toContain(cells);
      }
    },
  },
  "whitespace-only-lines.ndjson": {
    // "", "   ", "\t", "\v", "\f" and U+00A0 (String.prototype.trim's whitespace) are all blank.
    counts: { lines: 8, valid: 2, invalid: 0, blank: 6, duplicates: 0 },
    violations: NO_VIOLATIONS,
    byReason: {},
    functions: [["checkout", "VENDOR"]],
  },
  "empty.ndjson": {
    counts: { lines: 0, valid: 0, invalid: 0, blank: 0, duplicates: 0 },
    violations: NO_VIOLATIONS,
    byReason: {},
    unknownFields: {},
    functions: [],
    check: (report, table) => {
      expect(report.overall).toMatchObject({ units: 0, incidents: 0, verdict: "OK" });
      expect(table).toContain("Input: 0 lines: 0 valid, 0 invalid, 0 blank");
    },
  },
};

/** The fixture a case reads: its key up to the first space. */
function fixtureOf(name: string): string {
  return join(fixtures, name.split(" ")[0] as string);
}

function expectSafe(text: string, what: string): void {
  expect(unsafeCharacters(text), `${what} holds raw control or bidi characters`).toStrictEqual([]);
}

describe("the catalogue covers every committed fixture", () => {
  it("each file in test/fixtures/hostile/ has a case, and each case a file", () => {
    const files = readdirSync(fixtures).filter((name) => name !== "README.md");
    const named = new Set(Object.keys(CASES).map((name) => name.split(" ")[0]));
    expect([...named].sort()).toStrictEqual(files.sort());
  });
});

describe("hostile fixtures, in-process: exact counts, violations, exit code, and safe output", () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(name, async () => {
      const path = fixtureOf(name);
      const args = [...(c.args ?? []), path];
      const { code, stderr, report } = await runJson(args);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(report.complete).toBe(true);
      expect(report.sources).toStrictEqual([{ source: path, lines: c.counts.lines, error: null }]);
      expect(report.input).toMatchObject(c.counts);
      const { lines, valid, invalid, blank } = report.input;
      expect(lines).toBe(valid + invalid + blank);
      expect(report.input.violations).toStrictEqual(
        c.violations.map(([line, reason]) => ({ source: path, line, reason })),
      );
      expect(report.input.violationsByReason).toStrictEqual(c.byReason);
      expect(report.input.unknownFieldsNotListed).toBe(0);
      if (c.unknownFields !== undefined) expect(report.input.unknownFields).toStrictEqual(c.unknownFields);
      if (c.functions !== undefined)
        expect(report.functions.map((f) => [f.function, f.verdict])).toStrictEqual(c.functions);

      const table = await runMain(args);
      const markdown = await runMain(["--format", "markdown", ...args]);
      for (const [format, run] of [
        ["table", table],
        ["markdown", markdown],
      ] as const) {
        expect(run.code, format).toBe(0);
        expect(run.stderr, format).toBe("");
        expectSafe(run.stdout, `--format ${format}`);
      }
      expect(workflowCommandLines(markdown.stdout)).toStrictEqual([]);
      // Nothing in the input leaked onto Object.prototype while it was read.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).status).toBeUndefined();
      c.check?.(report, table.stdout, markdown.stdout);
    });
  }
});

describe("hostile fixtures through the built CLI (NO_COLOR=1, TZ=UTC)", () => {
  beforeAll(assertBuilt);

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: exit 0, the same counts, nothing raw on stdout or stderr`, () => {
      const args = [...(c.args ?? []), fixtureOf(name)];
      for (const format of ["table", "markdown"]) {
        const { status, stdout, stderr } = spawnCli(["--format", format, ...args]);
        expect(status, format).toBe(0);
        expect(stderr, format).toBe("");
        expectSafe(stdout, `--format ${format}`);
        const { lines, valid, invalid, blank } = c.counts;
        expect(stdout).toContain(
          `${lines} line${lines === 1 ? "" : "s"}: ${valid} valid, ${invalid} invalid, ${blank} blank`,
        );
      }
    });
  }
});
