#!/usr/bin/env node
// The .gz ceiling in Node: gunzip the file with node:zlib and count newlines, nothing else.
// Whatever attribute does on a .gz input cannot be faster than this in one thread.
//
//   node bench/peers/gunzip-floor.mjs FILE.gz
import fs from "node:fs";
import zlib from "node:zlib";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: node bench/peers/gunzip-floor.mjs FILE.gz\n");
  process.exit(2);
}

let newlines = 0;
let bytes = 0;
let last = 10;
const gunzip = zlib.createGunzip({ chunkSize: 1 << 20 });
fs.createReadStream(file, { highWaterMark: 1 << 20 })
  .on("error", fail)
  .pipe(gunzip)
  .on("error", fail);
gunzip.on("data", (chunk) => {
  bytes += chunk.length;
  for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++;
  last = chunk[chunk.length - 1];
});
gunzip.on("end", () => {
  const lines = newlines + (bytes > 0 && last !== 10 ? 1 : 0);
  process.stdout.write(JSON.stringify({ tool: "gunzip-floor", lines, bytes }) + "\n");
});

function fail(err) {
  process.stderr.write(`gunzip-floor: ${err.message}\n`);
  process.exit(1);
}
