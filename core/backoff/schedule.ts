/**
 * Retry schedules as data (SPEC §5.2). A schedule says how many attempts and
 * how long to wait after attempt n; tests pin the exact sequences.
 */

export interface Schedule {
  /** Shown in progress lines, e.g. "branch indexing". */
  name: string;
  /** Total attempts, the first one included. */
  attempts: number;
  /** Milliseconds to wait after failed attempt `attempt` (1-based), before the next. */
  delayMs(attempt: number, random: () => number): number;
  /** Per-attempt timeout in ms, when the attempt is a request. */
  attemptTimeoutMs?: number;
}

/** Branch indexing: 10 attempts, sleeping min(2 × attempt, 10) s between them (70 s in all). */
export const BRANCH_INDEXING: Schedule = {
  name: "branch indexing",
  attempts: 10,
  delayMs: (attempt) => Math.min(2 * attempt, 10) * 1000,
};

/** Forge readiness: 60 attempts one second apart, each request allowed 3 s. */
export const FORGE_READINESS: Schedule = {
  name: "forge readiness",
  attempts: 60,
  delayMs: () => 1000,
  attemptTimeoutMs: 3000,
};

export interface ExponentialOptions {
  name: string;
  attempts: number;
  baseMs: number;
  capMs: number;
  /** 0 = no jitter, 1 = full jitter (a random delay between 0 and the computed one). */
  jitter: number;
}

/** Exponential backoff with a cap and jitter: base × 2^(n-1), capped, then jittered. */
export function exponential(options: ExponentialOptions): Schedule {
  if (options.jitter < 0 || options.jitter > 1) {
    throw new RangeError(`jitter must be between 0 and 1, got ${options.jitter}`);
  }
  return {
    name: options.name,
    attempts: options.attempts,
    delayMs(attempt, random) {
      const raw = Math.min(options.capMs, options.baseMs * 2 ** (attempt - 1));
      return Math.round(raw * (1 - options.jitter * random()));
    },
  };
}

/** HTTP retries: 4 attempts, 250 ms doubling to at most 4 s, half jitter. */
export const HTTP_RETRY: Schedule = exponential({
  name: "HTTP retry",
  attempts: 4,
  baseMs: 250,
  capMs: 4000,
  jitter: 0.5,
});

/** The waits a schedule makes between its attempts (attempts − 1 values). */
export function delays(schedule: Schedule, random: () => number = Math.random): number[] {
  return Array.from({ length: schedule.attempts - 1 }, (_, i) => schedule.delayMs(i + 1, random));
}
