/**
 * flock locks with a timeout: exclusive or shared, released by the kernel when
 * the holder dies, so there is no staleness to guess at.
 */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { RuntimeFailure } from "../errors.ts";
import { flock, type FlockHandle } from "../runtime/mod.ts";
import { enterGate } from "./local_gate.ts";

export interface LockOptions {
  /** Shared (many readers) instead of exclusive. Default false. */
  shared?: boolean;
  /** Seconds to wait; undefined waits for ever, 0 tries once. */
  timeoutSeconds?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Expose the locked descriptor (`handle.fd`) for a child to inherit, as flock(1) does. */
  inheritable?: boolean;
}

/** Thrown when a lock is not acquired within its timeout. */
export class LockTimeoutError extends RuntimeFailure {
  constructor(readonly path: string, readonly timeoutSeconds: number) {
    super(`Timed out after ${timeoutSeconds} s waiting for lock "${path}"`);
  }
}

/** Acquire the lock on `path` (its folder and file are created), or throw LockTimeoutError. */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<FlockHandle> {
  const timeout = options.timeoutSeconds;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new RangeError(`Lock timeout must be a number of seconds >= 0, got ${timeout}`);
  }
  await mkdir(dirname(path), { recursive: true });
  const startedAt = Date.now();
  const deadline = timeout === undefined ? undefined : startedAt + timeout * 1000;
  // Same-process callers queue in memory first (see local_gate.ts).
  const leave = await enterGate(resolve(path), !options.shared, deadline, options.signal);
  if (!leave) throw new LockTimeoutError(path, timeout ?? 0);
  let handle: FlockHandle | null;
  try {
    handle = await flock(path, {
      exclusive: !options.shared,
      timeoutMs: deadline === undefined ? undefined : Math.max(0, deadline - Date.now()),
      signal: options.signal,
      inheritable: options.inheritable,
    });
  } catch (error) {
    leave();
    throw error;
  }
  if (!handle) {
    leave();
    throw new LockTimeoutError(path, timeout ?? 0);
  }
  const held = handle;
  return {
    path: held.path,
    exclusive: held.exclusive,
    fd: held.fd,
    release() {
      held.release();
      leave();
    },
  };
}

/** Run `work` holding the lock; the lock is released however `work` ends. */
export async function withLock<T>(
  path: string,
  options: LockOptions,
  work: () => Promise<T> | T,
): Promise<T> {
  const handle = await acquireLock(path, options);
  try {
    return await work();
  } finally {
    handle.release();
  }
}
