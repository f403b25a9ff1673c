/**
 * One retry/wait helper: runs an attempt until it succeeds, the schedule is
 * exhausted, the error is not retriable, or the signal aborts.
 */
import type { Schedule } from "./schedule.ts";

/** The last failure after every attempt failed; `cause` is the last error. */
export class RetryError extends Error {
  override readonly name = "RetryError";
  constructor(readonly schedule: string, readonly attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${schedule}: gave up after ${attempts} attempt(s): ${reason}`, { cause });
  }
}

export interface RetryOptions {
  schedule: Schedule;
  /** Sleep for `ms`; rejects when the signal aborts. Default: a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Clock for the elapsed time reported to `onRetry`. Default: Date.now. */
  now?: () => number;
  signal?: AbortSignal;
  /** Whether an error is worth another attempt. Default: every error is. */
  retriable?: (error: unknown) => boolean;
  /** A wait the error asks for (e.g. Retry-After), in ms; it replaces the schedule's delay. */
  requestedDelayMs?: (error: unknown) => number | undefined;
  /** Called before each wait, for progress lines. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  attempt: number;
  attempts: number;
  delayMs: number;
  /** Time since the first attempt started, by the injected clock. */
  elapsedMs: number;
  error: unknown;
}

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Run `attempt(n)` (n from 1) following the schedule; returns its first success. */
export async function retry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { schedule } = options;
  if (!Number.isInteger(schedule.attempts) || schedule.attempts < 1) {
    throw new RangeError(`attempts must be a positive integer, got ${schedule.attempts}`);
  }
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const startedAt = now();
  let lastError: unknown;
  for (let n = 1; n <= schedule.attempts; n++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      lastError = error;
      if (options.retriable && !options.retriable(error)) throw error;
      if (n === schedule.attempts) break;
      const delayMs = options.requestedDelayMs?.(error) ?? schedule.delayMs(n, random);
      options.onRetry?.({
        attempt: n,
        attempts: schedule.attempts,
        delayMs,
        elapsedMs: now() - startedAt,
        error,
      });
      await sleep(delayMs, options.signal);
    }
  }
  throw new RetryError(schedule.name, schedule.attempts, lastError);
}
