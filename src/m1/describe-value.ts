/** Describes a JSON value for a violation message: `the string "500"`, `the number 1.5`, `null`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return `the string ${JSON.stringify(clip(value))}`;
  if (typeof value === "number") return `the number ${String(value)}`;
  if (typeof value === "boolean") return `the boolean ${String(value)}`;
  if (Array.isArray(value)) return "an array";
  return "an object";
}

const CLIP = 60;

/** Long values are cut in messages: a reason is one line that a person reads. */
function clip(text: string): string {
  return text.length > CLIP ? `${text.slice(0, CLIP)}…` : text;
}
