// Log content is hostile (issue 2: "Control characters and escape sequences from the logs never reach the
// terminal raw"; Markdown cells escape `|`, newlines and HTML). These tests pin what escapeControls and
// escapeMarkdown turn each dangerous character into, and that ordinary text passes through untouched.
import { describe, expect, it } from "vitest";
import { escapeControls, escapeMarkdown } from "../../src/report/escape-text.js";

/** Every character a terminal or a bidi-aware viewer acts on instead of showing. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe("escapeControls", () => {
  it.each([
    ["ESC", "\u001b", "\\x1b"],
    ["BEL", "\u0007", "\\x07"],
    ["NUL", "\u0000", "\\x00"],
    ["DEL", "\u007f", "\\x7f"],
    ["newline", "\n", "\\x0a"],
    ["carriage return", "\r", "\\x0d"],
    ["tab", "\t", "\\x09"],
    ["C1 NEL (U+0085)", "\u0085", "\\x85"],
    ["C1 CSI (U+009B)", "\u009b", "\\x9b"],
    ["bidi override RLO (U+202E)", "\u202e", "\\u202e"],
    ["bidi isolate LRI (U+2066)", "\u2066", "\\u2066"],
    ["bidi isolate RLI (U+2067)", "\u2067", "\\u2067"],
    ["bidi isolate FSI (U+2068)", "\u2068", "\\u2068"],
    ["bidi isolate PDI (U+2069)", "\u2069", "\\u2069"],
    ["line separator (U+2028)", "\u2028", "\\u2028"],
    ["paragraph separator (U+2029)", "\u2029", "\\u2029"],
  ])("turns %s into a visible escape", (_name, raw, shown) => {
    expect(escapeControls(`a${raw}b`)).toBe(`a${shown}b`);
  });

  it("escapes whole terminal sequences: a hyperlink (OSC 8), clear screen (CSI 2J), a title change", () => {
    const hyperlink = "\u001b]8;;http://x\u0007link\u001b]8;;\u0007";
    expect(escapeControls(hyperlink)).toBe("\\x1b]8;;http://x\\x07link\\x1b]8;;\\x07");
    expect(escapeControls("\u001b[2J")).toBe("\\x1b[2J");
    expect(escapeControls("\u001b]0;pwned\u0007")).toBe("\\x1b]0;pwned\\x07");
    // C1 CSI is a one-byte ESC [ on terminals that honour 8-bit controls.
    expect(escapeControls("\u009b31mred")).toBe("\\x9b31mred");
  });

  it("leaves no unsafe character in its output, whatever the input", () => {
    let all = "";
    for (let c = 0; c <= 0x9f; c++) all += String.fromCharCode(c);
    all += "\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
    const escaped = escapeControls(all);
    expect(escaped).not.toMatch(UNSAFE);
    // Printable ASCII survives in place.
    expect(escaped).toContain(" !\"#$%&'()*+,-./0123456789");
  });

  it.each([
    ["plain ASCII", "checkout-api v2 (eu-west-1)"],
    ["accents", "café crème, naïve, Ærøskøbing, Ñandú"],
    ["CJK", "決済サービス 支付 결제"],
    ["emoji, including ZWJ sequences and flags", "🔥 💳 👩‍💻 🇫🇷"],
    ["right-to-left script without controls", "שלום مرحبا"],
    ["empty", ""],
  ])("leaves %s untouched", (_name, text) => {
    expect(escapeControls(text)).toBe(text);
  });

  it("is stable when called twice in a row (the global regex keeps no state between calls)", () => {
    expect(escapeControls("x\u001by")).toBe("x\\x1by");
    expect(escapeControls("x\u001by")).toBe("x\\x1by");
    expect(escapeControls("plain")).toBe("plain");
    expect(escapeControls("\u001b")).toBe("\\x1b");
  });
});

describe("escapeMarkdown", () => {
  it.each([
    ["pipe (would split the cell)", "a|b", "a\\|b"],
    ["less-than (HTML)", "a<b", "a&lt;b"],
    ["greater-than (HTML)", "a>b", "a&gt;b"],
    ["ampersand (entities)", "a&amp;b", "a&amp;amp;b"],
    ["backtick (code span)", "a`b", "a\\`b"],
    ["asterisk (emphasis)", "a*b*", "a\\*b\\*"],
    ["underscore (emphasis)", "__proto__", "\\_\\_proto\\_\\_"],
    ["square brackets (links)", "[x](y)", "\\[x\\]\\(y\\)"],
    ["backslash (an escape of its own)", "a\\|b", "a\\\\\\|b"],
  ])("escapes %s", (_name, raw, shown) => {
    expect(escapeMarkdown(raw)).toBe(shown);
  });

  it("neutralises HTML, so no tag or comment from the logs reaches the page", () => {
    const escaped = escapeMarkdown('<img src=x onerror="alert(1)"><!-- x --><details open>');
    expect(escaped).not.toMatch(/[<>]/);
    expect(escaped).toContain("&lt;img");
    expect(escaped).toContain("&lt;details open&gt;");
  });

  it("stops bare https:// and www. links from being linked", () => {
    const https = escapeMarkdown("see https://evil.example/login");
    expect(https).not.toContain("https://");
    expect(https).toContain("https\\://");
    const www = escapeMarkdown("go to www.evil.example now");
    expect(www).not.toMatch(/www\./i);
    expect(www).toContain("www\\.");
    expect(escapeMarkdown("WWW.EVIL.EXAMPLE")).not.toMatch(/www\./i);
    expect(escapeMarkdown("http://x")).not.toContain("http://");
  });

  it("keeps a value starting with :: from starting a line (a GitHub Actions workflow command)", () => {
    for (const value of ["::error::pwned", "::set-output name=x::y", "::add-mask::secret"]) {
      const escaped = escapeMarkdown(value);
      expect(escaped.startsWith("::")).toBe(false);
      expect(escaped.split("\n").every((line) => !line.startsWith("::"))).toBe(true);
    }
  });

  it("keeps a newline in a value from starting a new line at all", () => {
    for (const value of ["a\n::error::x", "a\r\n## heading", "a\u2028b", "cell\n| forged | row |"]) {
      const escaped = escapeMarkdown(value);
      expect(escaped).not.toMatch(/[\n\r\u2028\u2029]/);
    }
    expect(escapeMarkdown("a\nb")).toBe("a\\\\x0ab");
  });

  it("escapes control characters too: a Markdown report pasted in a terminal stays safe", () => {
    const escaped = escapeMarkdown("\u001b[2J\u202eevil\u0007");
    expect(escaped).not.toMatch(UNSAFE);
    expect(escaped).not.toContain("\u001b");
  });

  it("leaves letters, digits, accents, CJK and emoji as they are", () => {
    for (const text of ["checkout", "café crème", "決済サービス", "🔥 💳 👩‍💻", "req-0042 v1.2.3"]) {
      expect(escapeMarkdown(text)).toBe(text);
    }
  });
});
