/**
 * Log content is hostile: a function name can hold an escape sequence that rewrites the terminal, a
 * bidirectional override that reverses what a person reads, or a newline that forges a report line.
 * Every string from the input passes through here before a human-readable renderer shows it.
 */

// C0 controls, DEL, C1 controls; bidi marks, embeddings, overrides and isolates; line/paragraph separators.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Replaces every control or bidi character with a visible escape (`\x1b`, `\u202e`). */
export function escapeControls(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * A Markdown table cell that renders as the text it holds: controls escaped, `|` and `\` escaped,
 * HTML and Markdown syntax neutralised, so log content cannot add markup, links or workflow commands.
 */
export function escapeMarkdown(text: string): string {
  return (
    escapeControls(text)
      .replace(/[\\`*_[\]()<>#!|~&@]/g, (c) => {
        if (c === "<") return "&lt;";
        if (c === ">") return "&gt;";
        if (c === "&") return "&amp;";
        // An escaped `@` mentions nobody.
        return `\\${c}`;
      })
      // Bare links are linked by GitHub: an escaped colon or dot stops that.
      .replace(/:\/\//g, "\\://")
      .replace(/(www)\./gi, "$1\\.")
      // A line starting with `::` is a GitHub Actions workflow command: never let a value start with one.
      .replace(/^:/, "\\:")
  );
}
