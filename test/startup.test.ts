import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The packages a module loads at start-up: those reached from it by static imports (not `import type`,
 * not `import()` and not `createRequire`, which load when first needed), following src/ modules.
 */
function packagesLoadedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+"([^"]+)";/gms)) {
      const specifier = match[1] as string;
      if (specifier.startsWith(".")) visit(resolve(dirname(file), specifier.replace(/\.js$/, ".ts")));
      else if (!specifier.startsWith("node:")) packages.add(specifier.split("/")[0] as string);
    }
  };
  visit(entry);
  return packages;
}

describe("start-up loads no heavy module before it is needed (issue 3: a one-line input in < 150 ms)", () => {
  it("zod (~50 ms to load) is not reached by static imports from the CLI's entry", () => {
    const packages = packagesLoadedFrom(join("src", "cli.ts"));
    expect(packages.has("commander")).toBe(true);
    expect([...packages]).not.toContain("zod");
  });

  it("the modules that use zod load it on demand (the config file's schema, diff, the record schema)", () => {
    expect(packagesLoadedFrom(join("src", "config", "parse-config.ts")).has("zod")).toBe(true);
    expect(packagesLoadedFrom(join("src", "diff", "diff-reports.ts")).has("zod")).toBe(true);
    expect(readFileSync(join("src", "m1", "validate-record.ts"), "utf8")).toContain('require("zod")');
  });
});
