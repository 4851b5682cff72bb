#!/usr/bin/env node
// The Node floor: the cheapest honest way to read every line of an NDJSON file and JSON.parse it.
//
//   node bench/peers/json-parse-floor.mjs FILE
//
// A synchronous fs.readSync loop into one reused 1 MiB buffer; each complete-line region is decoded at
// most 64 KiB at a time (larger strings land in a slower V8 space, see PERF-NOTES.md), split with
// indexOf, and each non-blank line goes to JSON.parse. No validation, no grouping: whatever attribute
// does on top of this is the price of its semantics. Prints a JSON summary on stdout.
import fs from "node:fs";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node bench/peers/json-parse-floor.mjs FILE\n");
  process.exit(2);
}

const READ = 1 << 20; // bytes read per readSync
const DECODE = 1 << 16; // at most this many bytes decoded into one string (unless a line is longer)
let buf = Buffer.allocUnsafe(READ);
const fd = fs.openSync(file, "r");

let lines = 0;
let parsed = 0;
let objects = 0;
let failed = 0;
let blank = 0;
let bytes = 0;

function handleLine(line) {
  lines++;
  if (line.length === 0 || line.trim().length === 0) {
    blank++;
    return;
  }
  try {
    const v = JSON.parse(line);
    parsed++;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) objects++;
  } catch {
    failed++;
  }
}

/** Decodes buf[start, end) (which ends just after a newline) in pieces of ≤ 64 KiB that end at newlines. */
function handleRegion(start, end) {
  let p = start;
  while (p < end) {
    let e = Math.min(p + DECODE, end);
    if (e < end) {
      const nl = buf.lastIndexOf(10, e - 1);
      e = nl >= p ? nl + 1 : buf.indexOf(10, e) + 1; // a line longer than 64 KiB is decoded whole
    }
    const s = buf.toString("utf8", p, e);
    let from = 0;
    for (;;) {
      const nl = s.indexOf("\n", from);
      if (nl < 0) break;
      handleLine(s.slice(from, nl));
      from = nl + 1;
    }
    p = e;
  }
}

let filled = 0; // bytes of buf holding data (an unfinished line carried over, then the new read)
for (;;) {
  if (filled === buf.length) {
    // One line longer than the buffer: grow it (the floor does not cap line length).
    const bigger = Buffer.allocUnsafe(buf.length * 2);
    buf.copy(bigger, 0, 0, filled);
    buf = bigger;
  }
  const n = fs.readSync(fd, buf, filled, buf.length - filled, null);
  if (n === 0) break;
  bytes += n;
  const end = filled + n;
  const lastNl = buf.lastIndexOf(10, end - 1);
  if (lastNl < 0) {
    filled = end;
    continue;
  }
  handleRegion(0, lastNl + 1);
  filled = end - (lastNl + 1);
  if (filled > 0) buf.copy(buf, 0, lastNl + 1, end);
}
if (filled > 0) handleLine(buf.toString("utf8", 0, filled)); // a final unterminated line
fs.closeSync(fd);

process.stdout.write(
  JSON.stringify({ tool: "json-parse-floor", lines, blank, parsed, objects, failed, bytes }) + "\n",
);
