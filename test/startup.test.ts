import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The packages a module loads at start-up: those reached from it by static imports (not `import type`,
 * not `import()` and not `createRequire`, which load when first needed), following src/ modules.
 */
function packagesLoadedFrom(entry: string): Set<string> {
  return loadedFrom(entry).packages;
}

/** The src/ modules and the packages a module loads at start-up (see packagesLoadedFrom). */
function loadedFrom(entry: string): { modules: Set<string>; packages: Set<string> } {
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
  return { modules: new Set([...seen].map((file) => resolve(file))), packages };
}

describe("start-up loads no heavy module before it is needed (issue 3: a one-line input in < 150 ms)", () => {
  it("zod (~50 ms to load) is not reached by static imports from the CLI's entry", () => {
    const packages = packagesLoadedFrom(join("src", "cli.ts"));
    expect(packages.has("commander")).toBe(true);
    expect([...packages]).not.toContain("zod");
  });

  it("a report loads no other command: check, explain, rules and diff load when they run", () => {
    const { modules } = loadedFrom(join("src", "cli.ts"));
    expect(modules.has(resolve("src", "commands", "report-command.ts"))).toBe(true);
    for (const other of [
      ["commands", "check-command.ts"],
      ["commands", "explain-command.ts"],
      ["commands", "rules.ts"],
      ["diff", "render-diff.ts"],
    ]) {
      expect(modules.has(resolve("src", ...other)), other.join("/")).toBe(false);
    }
  });

  it("the modules that use zod load it on demand (the config file's schema, diff, the record schema)", () => {
    expect(packagesLoadedFrom(join("src", "config", "parse-config.ts")).has("zod")).toBe(true);
    expect(packagesLoadedFrom(join("src", "diff", "diff-reports.ts")).has("zod")).toBe(true);
    expect(readFileSync(join("src", "m1", "validate-record.ts"), "utf8")).toContain('require("zod")');
  });
});
