import { readFile } from "node:fs/promises";
import { describeFsError } from "./input/describe-fs-error.js";
import { InputError } from "./input-error.js";

/**
 * Reads a file and parses it as JSON (never evaluated: a configuration or report is data only).
 * Returns undefined for a missing file when `missingOk`; every other failure is an InputError naming
 * the file, since the CLI prints it as one line and exits 2.
 */
export async function readJsonFile(path: string, options: { readonly missingOk: boolean }): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ENOENT" && options.missingOk) return undefined;
    throw new InputError(`cannot read ${path}: ${describeFsError(error)}`);
  }
  return parseJsonText(text, path);
}

/** JSON.parse with a message that names the file; a leading BOM (as some editors write) is ignored. */
export function parseJsonText(text: string, name: string): unknown {
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InputError(`${name}: not valid JSON: ${detail}`);
  }
}
