// The upstream of test/e2e/nginx.test.ts: node:http on 127.0.0.1, one known fault per path. It prints
// {"port": N} on its first line of stdout once it listens, and exits on SIGTERM.
import http from "node:http";
import { clearTimeout, setTimeout } from "node:timers";

const SLOW_MS = 2000;
const BODY = "x".repeat(4000);

const server = http.createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (path.startsWith("/vendor-error")) {
    res.writeHead(503, { "content-type": "text/plain" }).end("vendor down\n");
    return;
  }
  if (path.startsWith("/vendor-timeout") || path.startsWith("/client-abandons")) {
    // Slower than nginx's proxy_read_timeout (1 s), or than the client's patience (300 ms).
    const timer = setTimeout(() => res.end("late\n"), SLOW_MS);
    res.on("close", () => clearTimeout(timer));
    return;
  }
  if (path.startsWith("/slow-delivery")) {
    res.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length }).end(BODY);
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" }).end("ok\n");
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});

process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
