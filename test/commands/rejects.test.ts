// --rejects FILE through the CLI (issue 4): one NDJSON envelope {source, line, reason, raw} per invalid line,
// in input order; raw is the line's text (base64 with `encoding` where it is not UTF-8, null past the length
// limit); valid + envelopes + blank = lines exactly, on one thread or with --jobs, plain or gzip.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { m1 } from "../helpers.js";
import { runCli, runJson, tempDir } from "./cli-harness.js";

const dir = tempDir("rejects");

interface Envelope {
  source: string;
  line: number;
  reason: string;
  raw: string | null;
  encoding?: "base64";
}
interface Report {
  input: {
    lines: number;
    valid: number;
    invalid: number;
    blank: number;
    violations: { source: string; line: number; reason: string }[];
  };
}

function readEnvelopes(path: string): Envelope[] {
  const text = readFileSync(path, "utf8");
  expect(text === "" || text.endsWith("\n")).toBe(true);
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Envelope);
}

const notUtf8 = Buffer.concat([
  Buffer.from('{"request_id":"r'),
  Buffer.from([0xff, 0xfe, 0x80]),
  Buffer.from('"}'),
]);
const escapeLine = '{"function":"\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007"';
const lines: (string | Buffer)[] = [
  m1({ request_id: "ok-1" }),
  "not json",
  "",
  notUtf8,
  "x".repeat(300),
  m1({ request_id: "r6", status: "500" }),
  "   ",
  m1({ request_id: "ok-2" }),
  '{"note":"é ✓ 日本 🙂"}',
  escapeLine,
];
const log = join(dir, "mixed.ndjson");
const bytes = Buffer.concat(lines.flatMap((l) => [Buffer.from(l), Buffer.from("\n")]));
writeFileSync(log, bytes);

const MISSING_ALL =
  'request_id: missing (expected a string of 1–256 characters); function: missing (expected a string of 1–256 characters); stage: missing (expected a string of 1–128 characters); status: missing (expected an integer 100–599); latency_ms: missing (expected a finite number ≥ 0); error_code: missing (expected a string of 1–128 characters or null); upstream_status: missing (expected an integer 100–599, "timeout" or null); upstream_latency_ms: missing (expected a finite number ≥ 0 or null)';

describe("--rejects FILE", () => {
  it("one envelope per invalid line, in input order, raw the exact line text", async () => {
    const rejects = join(dir, "mixed.rejects.ndjson");
    const { code, stderr, json } = await runJson<Report>([
      "--max-line-bytes",
      "200",
      "--rejects",
      rejects,
      log,
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    const envelopes = readEnvelopes(rejects);
    expect(envelopes).toStrictEqual([
      {
        source: log,
        line: 2,
        reason: `not valid JSON: Unexpected token 'o', "not json" is not valid JSON`,
        raw: "not json",
      },
      {
        source: log,
        line: 4,
        reason: "not valid UTF-8",
        raw: notUtf8.toString("base64"),
        encoding: "base64",
      },
      { source: log, line: 5, reason: "line too long (300 bytes; the limit is 200)", raw: null },
      {
        source: log,
        line: 6,
        reason: 'status: expected an integer 100–599, got the string "500"',
        raw: lines[5],
      },
      { source: log, line: 9, reason: MISSING_ALL, raw: '{"note":"é ✓ 日本 🙂"}' },
      {
        source: log,
        line: 10,
        reason: envelopes[5]!.reason,
        raw: escapeLine,
      },
    ]);
    expect(envelopes[5]!.reason).toMatch(/^not valid JSON: /);
    // The base64 decodes to the line's bytes exactly.
    expect(Buffer.from(envelopes[1]!.raw!, "base64").equals(notUtf8)).toBe(true);
    // The envelopes are the report's violations, one for one.
    expect(envelopes.map(({ source, line, reason }) => ({ source, line, reason }))).toStrictEqual(
      json.input.violations,
    );
    const { lines: total, valid, blank, invalid } = json.input;
    expect([total, valid, invalid, blank]).toEqual([10, 2, 6, 2]);
    expect(valid + envelopes.length + blank).toBe(total);
    // The file was written beside its name and renamed: no temporary file is left.
    expect(readdirSync(dir).filter((n) => n.endsWith(".tmp"))).toEqual([]);
  });

  it("no invalid line: an empty file", async () => {
    const clean = join(dir, "clean.ndjson");
    writeFileSync(clean, `${m1({})}\n`);
    const rejects = join(dir, "clean.rejects.ndjson");
    expect((await runCli(["--rejects", rejects, clean])).code).toBe(0);
    expect(readFileSync(rejects, "utf8")).toBe("");
  });

  it("a .gz input gives the same envelopes", async () => {
    const gz = join(dir, "mixed.ndjson.gz");
    writeFileSync(gz, gzipSync(bytes));
    const plain = join(dir, "plain.rejects.ndjson");
    const zipped = join(dir, "gz.rejects.ndjson");
    await runCli(["--max-line-bytes", "200", "--rejects", plain, log]);
    const { code, json } = await runJson<Report>(["--max-line-bytes", "200", "--rejects", zipped, gz]);
    expect(code).toBe(0);
    const envelopes = readEnvelopes(zipped);
    expect(envelopes).toStrictEqual(readEnvelopes(plain).map((e) => ({ ...e, source: gz })));
    expect(json.input.valid + envelopes.length + json.input.blank).toBe(json.input.lines);
  });

  it("--jobs 2 past the parallel threshold (16 MiB): rejects reads on one thread, every envelope in order", async () => {
    // About 17 MiB: valid records, with an invalid line every 997 lines and a blank one every 1009.
    const big: string[] = [];
    let size = 0;
    for (let i = 0; size < 17 * 1024 * 1024; i++) {
      const line =
        i % 997 === 5
          ? `{"bad": ${i}`
          : i % 1009 === 3
            ? ""
            : m1({ request_id: `req-${i}`, function: `fn-${i % 7}`, latency_ms: i % 1500 });
      big.push(line);
      size += line.length + 1;
    }
    const file = join(dir, "big.ndjson");
    writeFileSync(file, `${big.join("\n")}\n`);
    const one = join(dir, "big-1.rejects.ndjson");
    const two = join(dir, "big-2.rejects.ndjson");
    const single = await runJson<Report>(["--jobs", "1", "--rejects", one, file]);
    const parallel = await runJson<Report>(["--jobs", "2", "--rejects", two, file]);
    expect(parallel.code).toBe(0);
    const envelopes = readEnvelopes(two);
    const expectedLines = big.flatMap((l, i) => (l.startsWith('{"bad"') ? [i + 1] : []));
    expect(envelopes.map((e) => e.line)).toEqual(expectedLines);
    expect(envelopes.every((e, i) => e.raw === big[(expectedLines[i] as number) - 1])).toBe(true);
    const { lines: total, valid, blank } = parallel.json.input;
    expect(total).toBe(big.length);
    expect(valid + envelopes.length + blank).toBe(total);
    expect(readFileSync(two, "utf8")).toBe(readFileSync(one, "utf8"));
    expect(parallel.stdout).toBe(single.stdout);
  });

  it("a rejects path in a missing folder: exit 2 before reading, one line, nothing on stdout", async () => {
    const path = join(dir, "no-such-folder", "rejects.ndjson");
    const { code, stdout, stderr } = await runCli(["--rejects", path, log]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`attribute: cannot write ${path}: its folder does not exist\n`);
    expect(existsSync(join(dir, "no-such-folder"))).toBe(false);
  });

  it("a missing input: exit 2, and the envelopes of the inputs read are still written", async () => {
    const rejects = join(dir, "partial.rejects.ndjson");
    const missing = join(dir, "missing.ndjson");
    const { code } = await runCli(["--rejects", rejects, log, missing]);
    expect(code).toBe(2);
    // Without --max-line-bytes the 300-byte line 5 is short enough, and is not JSON.
    expect(readEnvelopes(rejects).map((e) => e.line)).toEqual([2, 4, 5, 6, 9, 10]);
  });
});
