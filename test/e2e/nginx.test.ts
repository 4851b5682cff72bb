// End to end with real software that no one here wrote: nginx, started on 127.0.0.1 with the log_format
// of docs/presets.md, in front of test/e2e/nginx/upstream.mjs, which injects one known fault per path.
// The test sends 20 requests per route, stops every process it started (and checks none is left), then
// reads nginx's own access log with the nginx preset and checks that every injected fault gets the
// verdict docs/presets.md promises ("What the end-to-end test proves").
//
// It is skipped only when nginx is not installed; .ci/run installs it with apt-get. $NGINX names a binary
// elsewhere. Once the CLI has --preset, the same log is also read by `node bin/attribute.js --preset nginx`
// (built: npm run build).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Verdict } from "../../src/m1/rules.js";
import type { Validation } from "../../src/m1/validate-record.js";
import { createMapper, type Mapper } from "../../src/presets/index.js";
import { validateMapped } from "../../src/presets/validate-mapped.js";
import { lenient, verdictOf } from "../presets/preset-helpers.js";
import {
  childPids,
  documentedLogFormat,
  fillTemplate,
  findNginx,
  freePort,
  get,
  isAlive,
  nginxVersion,
  sleep,
  startChild,
  startUpstream,
  stop,
  versionAtLeast,
  waitForPort,
  type Child,
  type Outcome,
} from "./nginx/harness.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const here = join(root, "test", "e2e", "nginx");
const REQUESTS_PER_ROUTE = 20;
const CLIENT_PATIENCE_MS = 300;

/** Each route (the location, and the function in the log), what the client sees, and the promised verdict. */
const ROUTES: readonly { route: string; client: Outcome; verdict: Verdict }[] = [
  { route: "ok", client: 200, verdict: "OK" },
  { route: "vendor-error", client: 503, verdict: "VENDOR" },
  { route: "vendor-timeout", client: 504, verdict: "VENDOR" },
  { route: "refused", client: 502, verdict: "VENDOR" },
  { route: "slow-delivery", client: 200, verdict: "APP_BOTTLENECK" },
  { route: "retry", client: 200, verdict: "OK" },
  { route: "proxy-own", client: 503, verdict: "UNKNOWN" },
  { route: "client-abandons", client: "abandoned", verdict: "UNKNOWN" },
  { route: "no-live-upstream", client: 502, verdict: "UNKNOWN" },
];

const nginx = findNginx();
if (nginx === null) {
  console.warn(
    "nginx end-to-end test skipped: nginx is not installed (apt-get install -y nginx-light, or set $NGINX).",
  );
}

/** True when the built CLI lists --preset: the CLI-based check runs only then. */
function cliHasPreset(): boolean {
  const help = spawnSync(process.execPath, [join(root, "bin", "attribute.js"), "--help"], {
    encoding: "utf8",
  });
  return help.status === 0 && help.stdout.includes("--preset");
}

describe.skipIf(nginx === null)(
  "nginx end to end: real nginx, injected faults, the verdicts the docs promise",
  () => {
    let dir = "";
    let accessLog = "";
    let upstream: Child | undefined;
    let server: Child | undefined;
    const outcomes = new Map<string, Outcome[]>();
    let lines: unknown[] = [];
    let leftover: number[] = [];
    let stopped: { nginx: number | string; upstream: number | string; pidFileLeft: boolean } | undefined;

    beforeAll(async () => {
      const bin = nginx as string;
      const version = nginxVersion(bin);
      if (!versionAtLeast(version, [1, 11, 8])) {
        throw new Error(
          `nginx ${version.join(".")} is too old: the documented log_format needs 1.11.8 (escape=json)`,
        );
      }
      dir = mkdtempSync(join(tmpdir(), "attribute-nginx-"));
      // Run as root, nginx's workers switch to an unprivileged user: they must be able to enter the directory.
      chmodSync(dir, 0o755);
      accessLog = join(dir, "access.log");
      const started = await startUpstream(join(here, "upstream.mjs"));
      upstream = started.child;
      const [port, closed] = [await freePort(), await freePort()];
      const config = fillTemplate(readFileSync(join(here, "nginx.conf.template"), "utf8"), {
        DIR: dir,
        PORT: port,
        UPSTREAM: started.port,
        CLOSED: closed,
        LOG_FORMAT: documentedLogFormat(join(root, "docs", "presets.md")),
      });
      const configFile = join(dir, "nginx.conf");
      writeFileSync(configFile, config);
      // -e (1.19.5) sends the errors nginx meets before reading the configuration to the same file.
      const early = versionAtLeast(version, [1, 19, 5]) ? ["-e", join(dir, "error.log")] : [];
      server = startChild(bin, ["-p", dir, "-c", configFile, ...early]);
      await waitForPort(port, server, 10_000);
      const master = server.process.pid as number;
      const workers = childPids(master);

      await Promise.all(
        ROUTES.map(async ({ route }) => {
          const patience = route === "client-abandons" ? CLIENT_PATIENCE_MS : undefined;
          const requests = Array.from({ length: REQUESTS_PER_ROUTE }, () => get(port, `/${route}`, patience));
          outcomes.set(route, await Promise.all(requests));
        }),
      );
      // nginx writes a line when it finishes a request; an abandoned one finishes once nginx sees the close.
      const expected = ROUTES.length * REQUESTS_PER_ROUTE;
      const deadline = Date.now() + 10_000;
      while (readLines(accessLog).length < expected && Date.now() < deadline) await sleep(50);

      stopped = {
        nginx: await stop(server, "SIGQUIT", 10_000),
        upstream: await stop(upstream, "SIGTERM", 10_000),
        pidFileLeft: readLines(join(dir, "nginx.pid")).length > 0,
      };
      leftover = [master, ...workers, started.child.process.pid as number].filter(isAlive);
      lines = readLines(accessLog).map((line) => JSON.parse(line) as unknown);
    }, 60_000);

    afterAll(async () => {
      // Only if a step above failed part-way: the processes this test started, by their pid.
      if (server !== undefined) await stop(server, "SIGKILL", 5_000).catch(() => undefined);
      if (upstream !== undefined) await stop(upstream, "SIGKILL", 5_000).catch(() => undefined);
      if (dir !== "") rmSync(dir, { recursive: true, force: true });
    });

    it("stops everything it started: nginx's master and workers and the upstream exit, nothing is left", () => {
      expect(stopped).toEqual({ nginx: 0, upstream: 0, pidFileLeft: false });
      expect(leftover).toEqual([]);
    });

    it("sent a bounded number of requests, and nginx logged each one", () => {
      for (const { route, client } of ROUTES) {
        expect(outcomes.get(route), route).toEqual(Array.from({ length: REQUESTS_PER_ROUTE }, () => client));
      }
      expect(lines).toHaveLength(ROUTES.length * REQUESTS_PER_ROUTE);
    });

    describe("every injected fault gets the verdict docs/presets.md promises", () => {
      const mapper = createMapper({ preset: "nginx" }) as Mapper;
      const byRoute = (route: string): Validation[] =>
        lines
          .map((line) => validateMapped(line, mapper, lenient))
          .filter((result) => result.ok && result.record.function === route);

      it("every line of nginx's log is a valid M1 record", () => {
        const invalid = lines
          .map((line) => validateMapped(line, mapper, lenient))
          .flatMap((result) => (result.ok ? [] : [result.reason]));
        expect(invalid).toEqual([]);
      });

      it.each(ROUTES.map((r) => [r.route, r.verdict] as const))("%s: %s", (route, verdict) => {
        const results = byRoute(route);
        expect(results).toHaveLength(REQUESTS_PER_ROUTE);
        expect(new Set(results.map((result) => verdictOf(result)))).toEqual(new Set([verdict]));
      });

      it("the evidence behind the verdicts: timeout, refused, no live upstream, client closed, retries", () => {
        const record = (route: string) => {
          const first = byRoute(route)[0];
          if (first === undefined || !first.ok) throw new Error(`no record for ${route}`);
          return first.record;
        };
        expect(record("vendor-timeout")).toMatchObject({
          status: 504,
          upstream_status: "timeout",
          error_code: "UPSTREAM_TIMEOUT",
        });
        expect(record("refused")).toMatchObject({
          status: 502,
          upstream_status: 502,
          error_code: "UPSTREAM_CONNECT_FAILED",
        });
        expect(record("no-live-upstream")).toMatchObject({
          status: 502,
          upstream_status: null,
          error_code: "NO_LIVE_UPSTREAM",
        });
        expect(record("proxy-own")).toMatchObject({
          status: 503,
          upstream_status: null,
          upstream_latency_ms: null,
        });
        expect(record("client-abandons")).toMatchObject({
          status: 499,
          upstream_status: null,
          error_code: "CLIENT_CLOSED_REQUEST",
        });
        const slow = record("slow-delivery");
        expect(slow.latency_ms).toBeGreaterThanOrEqual(1000);
        expect(slow.upstream_latency_ms).toBeLessThanOrEqual(0.2 * slow.latency_ms);
        const attempts = lines.filter(
          (line) => (line as { route?: string; upstream_status?: string }).route === "retry",
        ) as { upstream_status: string }[];
        expect(attempts.some((line) => line.upstream_status === "502, 200")).toBe(true);
      });
    });

    it.skipIf(!cliHasPreset())(
      "attribute --preset nginx on nginx's log gives the same verdict per function",
      () => {
        const run = spawnSync(
          process.execPath,
          [join(root, "bin", "attribute.js"), "--preset", "nginx", "--format", "json", accessLog],
          { encoding: "utf8", env: { PATH: process.env.PATH ?? "", TZ: "UTC", NO_COLOR: "1" } },
        );
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const report = JSON.parse(run.stdout) as {
          input: { lines: number; valid: number; invalid: number };
          functions: { function: string; units: number; verdict: Verdict }[];
        };
        expect(report.input).toMatchObject({ lines: lines.length, valid: lines.length, invalid: 0 });
        const verdicts = Object.fromEntries(report.functions.map((f) => [f.function, [f.verdict, f.units]]));
        expect(verdicts).toEqual(
          Object.fromEntries(ROUTES.map((r) => [r.route, [r.verdict, REQUESTS_PER_ROUTE]])),
        );
      },
    );
  },
);

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
  } catch {
    return [];
  }
}
