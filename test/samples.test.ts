// The bundled samples are documentation that must stay true: samples/README.md states each sample's
// verdicts, and these tests hold the built CLI (through bin/attribute.js, as a user runs it) and the sample
// generator to them. Run `npm run build` first: the tests spawn the built CLI.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, it, expect } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const samplesDir = join(root, "samples");

/** One `## <file>` section of samples/README.md: the verdicts the README promises for that file. */
interface ExpectedVerdicts {
  readonly file: string;
  readonly overall: string;
  /** Function name -> verdict, for every function the table names. */
  readonly functions: Record<string, string>;
}

/** The part of the JSON report (SPEC.md section 6) these tests read. */
interface Report {
  readonly input: { readonly invalid: number };
  readonly overall: { readonly verdict: string };
  readonly functions: readonly { readonly function: string; readonly verdict: string }[];
}

const OVERALL_ROW = "(overall)";
const SECTION = /^## (\S+)\s*$/;
const TABLE_ROW = /^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$/;

/** Reads every `## <file>` section's `| function | verdict |` table. */
function parseReadme(text: string): ExpectedVerdicts[] {
  const tables = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const line of text.split("\n")) {
    const section = SECTION.exec(line);
    if (section?.[1] !== undefined) {
      current = new Map();
      tables.set(section[1], current);
      continue;
    }
    const row = TABLE_ROW.exec(line);
    if (current === undefined || row?.[1] === undefined || row[2] === undefined) continue;
    const [name, verdict] = [row[1], row[2]];
    // The header and the separator row are part of the shape, not verdicts.
    if (name === "function" || name.startsWith("---")) continue;
    current.set(name, verdict);
  }
  return [...tables].map(([file, rows]) => {
    const overall = rows.get(OVERALL_ROW);
    if (overall === undefined) throw new Error(`samples/README.md: "## ${file}" has no ${OVERALL_ROW} row`);
    rows.delete(OVERALL_ROW);
    return { file, overall, functions: Object.fromEntries(rows) };
  });
}

function runCli(file: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["bin/attribute.js", "--format", "json", `samples/${file}`], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", TZ: "UTC" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI on a sample and checks its report against the README's table. */
function expectVerdicts(file: string, expected: ExpectedVerdicts): void {
  const { status, stdout, stderr } = runCli(file);
  expect(status, stderr).toBe(0);
  const report = JSON.parse(stdout) as Report;
  expect(report.input.invalid).toBe(0);
  expect(report.overall.verdict).toBe(expected.overall);
  // toEqual on the whole mapping checks every function's verdict, and that no unlisted function appears.
  const actual = Object.fromEntries(report.functions.map((f) => [f.function, f.verdict]));
  expect(actual).toEqual(expected.functions);
}

const expectations = parseReadme(readFileSync(join(samplesDir, "README.md"), "utf8"));

function committedSampleFiles(): string[] {
  return readdirSync(samplesDir)
    .filter((name) => name.endsWith(".ndjson") || name.endsWith(".gz"))
    .sort();
}

describe("samples/README.md", () => {
  it("has a verdict table for every .ndjson sample, and only for those", () => {
    const documented = expectations.map((e) => e.file).sort();
    const samples = committedSampleFiles().filter((name) => name.endsWith(".ndjson"));
    expect(samples.length).toBeGreaterThan(0);
    expect(documented).toEqual(samples);
  });

  for (const expected of expectations) {
    it(`${expected.file} gives the verdicts its table states`, () => {
      expectVerdicts(expected.file, expected);
    });
  }

  it("vendor-outage.ndjson.gz gives the same verdicts as vendor-outage.ndjson", () => {
    const plain = expectations.find((e) => e.file === "vendor-outage.ndjson");
    expect(plain).toBeDefined();
    if (plain !== undefined) expectVerdicts("vendor-outage.ndjson.gz", plain);
  });

  it("vendor-outage.ndjson.gz holds exactly the bytes of vendor-outage.ndjson", () => {
    const unzipped = gunzipSync(readFileSync(join(samplesDir, "vendor-outage.ndjson.gz")));
    expect(unzipped.equals(readFileSync(join(samplesDir, "vendor-outage.ndjson")))).toBe(true);
  });
});

describe("scripts/make-samples.mjs", () => {
  it("regenerates exactly the committed samples", () => {
    const outDir = mkdtempSync(join(tmpdir(), "attribute-samples-"));
    try {
      const result = spawnSync(process.execPath, ["scripts/make-samples.mjs", outDir], {
        cwd: root,
        encoding: "utf8",
      });
      expect(result.status, result.stderr).toBe(0);

      const generated = readdirSync(outDir).sort();
      expect(generated).toEqual(committedSampleFiles());
      for (const name of generated) {
        const fresh = readFileSync(join(outDir, name));
        const committed = readFileSync(join(samplesDir, name));
        // gzip bytes may differ between zlib builds (the header names the OS), so compare what they hold.
        const same = name.endsWith(".gz")
          ? gunzipSync(fresh).equals(gunzipSync(committed))
          : fresh.equals(committed);
        expect(same, `${name} differs from a fresh run of the generator`).toBe(true);
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
