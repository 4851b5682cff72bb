// Processes and sockets for test/e2e/nginx.test.ts: finding nginx, free ports, starting and stopping
// children, and plain HTTP requests to 127.0.0.1. Nothing here reaches beyond the loopback interface.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import { delimiter, join } from "node:path";

/** Where Debian and source builds put nginx, besides PATH (sbin is often not on a user's PATH). */
const SBIN = ["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin", "/sbin"];

/** The nginx binary: $NGINX, or the first `nginx` on PATH or in an sbin directory; null when there is none. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.PATH ?? "").split(delimiter).filter((dir) => dir !== ""), ...SBIN];
  const candidates = [...(env.NGINX ? [env.NGINX] : []), ...dirs.map((dir) => join(dir, "nginx"))];
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there: try the next
    }
  }
  return null;
}

/** nginx's version as [major, minor, patch], from `nginx -v` (which prints to stderr). */
export function nginxVersion(bin: string): [number, number, number] {
  const result = spawnSync(bin, ["-v"], { encoding: "utf8" });
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(`${result.stderr}${result.stdout}`);
  if (match === null) throw new Error(`cannot read the version of ${bin}: ${result.stderr}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

export function versionAtLeast(version: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < minimum.length; i++) {
    const a = version[i] ?? 0;
    const b = minimum[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

/** A port on 127.0.0.1 that was free a moment ago (the OS picks it; nothing listens there after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The `log_format` block of docs/presets.md, between its markers, as users copy it. */
export function documentedLogFormat(docsPath: string): string {
  const docs = readFileSync(docsPath, "utf8");
  const section =
    /<!-- nginx-log-format:begin -->\s*```nginx\n([\s\S]*?)```\s*<!-- nginx-log-format:end -->/.exec(docs);
  if (section?.[1] === undefined) throw new Error(`${docsPath}: no nginx log_format between its markers`);
  return section[1];
}

/** Fills `{{NAME}}` placeholders; a placeholder without a value is an error, not an empty string. */
export function fillTemplate(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}}`);
    return String(value);
  });
}

/** A child process and what it wrote to stderr so far (for the message when it fails). */
export interface Child {
  readonly process: ChildProcess;
  readonly stderr: () => string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
}

export function startChild(command: string, args: readonly string[]): Child {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (error) => resolve(error.message));
  });
  return { process: child, stderr: () => stderr, exited };
}

/** Starts upstream.mjs and waits for the `{"port": N}` line it prints once it listens. */
export async function startUpstream(script: string): Promise<{ child: Child; port: number }> {
  const child = startChild(process.execPath, [script]);
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.process.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const newline = out.indexOf("\n");
      if (newline >= 0) resolve((JSON.parse(out.slice(0, newline)) as { port: number }).port);
    });
    void child.exited.then((code) => reject(new Error(`upstream.mjs exited (${code}): ${child.stderr()}`)));
  });
  return { child, port };
}

/** Resolves once something accepts connections on 127.0.0.1:port; rejects if `child` exits first. */
export async function waitForPort(port: number, child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void child.exited.then((code) => (exitedWith = code));
  while (Date.now() < deadline) {
    if (exitedWith !== undefined)
      throw new Error(`exited (${exitedWith}) before listening: ${child.stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms: ${child.stderr()}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the client saw: the status nginx answered, or that the client gave up first. */
export type Outcome = number | "abandoned";

/**
 * One GET to 127.0.0.1:port, on its own connection, reading the whole answer. With `giveUpAfterMs`, the
 * client closes the connection at that time if no answer has come (a client that stops waiting).
 */
export function get(port: number, path: string, giveUpAfterMs?: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    let gaveUp = false;
    let timer: NodeJS.Timeout | undefined;
    const request = http.get({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      clearTimeout(timer);
      response.resume();
      response.once("end", () => resolve(response.statusCode ?? 0));
      response.once("error", reject);
    });
    request.once("error", (error) => (gaveUp ? resolve("abandoned") : reject(error)));
    if (giveUpAfterMs !== undefined) {
      timer = setTimeout(() => {
        gaveUp = true;
        request.destroy();
        resolve("abandoned");
      }, giveUpAfterMs);
    }
  });
}

/** Sends `signal` and waits for the exit; SIGKILL after `timeoutMs`, and then an error. */
export async function stop(
  child: Child,
  signal: NodeJS.Signals,
  timeoutMs: number,
): Promise<number | string> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return child.exited;
  child.process.kill(signal);
  const result = await Promise.race([child.exited, sleep(timeoutMs).then(() => "timed out" as const)]);
  if (result !== "timed out") return result;
  child.process.kill("SIGKILL");
  await child.exited;
  throw new Error(`pid ${child.process.pid} did not stop within ${timeoutMs} ms of ${signal}`);
}

/** The pids whose parent is `parent` (Linux /proc); empty where /proc is not available. */
export function childPids(parent: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the parent pid is the second field after it.
      const after = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(after[1]) === parent) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
