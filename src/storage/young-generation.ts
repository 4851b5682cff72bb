import { setFlagsFromString } from "node:v8";

/**
 * The young generation stays at its first size instead of doubling up to 16 MB semi-spaces: a run
 * allocates little per valid line, so this saves 12–15 MiB of peak memory with one thread at no cost
 * in time (docs/performance.md); only invalid lines, whose zod checks make garbage, pay (a file half of
 * them invalid: 3–5% slower). The growth factor is read each time V8 would grow the space, so it
 * can be set in a running process; the maximum size cannot. Worker threads have theirs capped
 * (parallel/worker-pool.ts).
 */
const GROWTH_FACTOR_ONE = "--semi-space-growth-factor=1";

/** Whether this process asked for it (the CLI does; a library user or the test runner does not). */
let kept = false;

/** Keeps this thread's young generation at its first size from now on (the CLI, as it starts). */
export function keepYoungGenerationSmall(): void {
  kept = true;
  setFlagsFromString(GROWTH_FACTOR_ONE);
}

/**
 * Sets the growth factor again after a worker's isolate is made. V8's flags are the process's, and
 * making an isolate raises this one to at least 2 (Node 20's V8 11.3: the main thread's young
 * generation then grew from 2 to 16 MiB during a run with a worker); the worker's first message comes
 * after that. Does nothing unless `keepYoungGenerationSmall` was called. Newer V8 versions hold the
 * factor to at least 2 in their flag definitions, so on a later Node both may do nothing, and cost
 * nothing.
 */
export function keepYoungGenerationSmallAgain(): void {
  if (kept) setFlagsFromString(GROWTH_FACTOR_ONE);
}

/** Whether `keepYoungGenerationSmall` was called: a worker is told, and sets it again itself. */
export function youngGenerationKeptSmall(): boolean {
  return kept;
}
