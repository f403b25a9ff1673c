/**
 * The backend lock around every agent run (SPEC §7, §11.1): the shared OAuth
 * login's `session.lock`, or one lock per local model server, taken with
 * flock (core/lock) and waited for up to CLAUDE_LOCK_TIMEOUT seconds with a
 * progress line now and then. A run that needs no lock (an API key against
 * Anthropic) passes straight through; chat never comes here.
 */
import { backendLockFor } from "../../../core/agent/backend_lock.ts";
import { agentRunSettings } from "../../../core/agent/run_settings.ts";
import { type Clock, systemClock } from "../../../core/context.ts";
import { acquireLock, LockTimeoutError } from "../../../core/lock/mod.ts";
import type { AgentRunner } from "../../../core/plugin.ts";
import type { FlockHandle } from "../../../core/runtime/mod.ts";
import { outcomeWithoutRun } from "./claude_runner.ts";

export interface LockWrapperOptions {
  clock?: Clock;
  /** How often a waiting run says it is still waiting. Default 30 s. */
  progressEveryMs?: number;
}

export function lockWrapper(options: LockWrapperOptions = {}): (next: AgentRunner) => AgentRunner {
  const clock = options.clock ?? systemClock;
  const every = options.progressEveryMs ?? 30_000;
  return (next) => async (invocation) => {
    const lock = backendLockFor(invocation.env, invocation.root);
    if (lock.kind === "none") return await next(invocation);
    const timeout = agentRunSettings(invocation.env).lockTimeoutSeconds;
    const say = invocation.progress ?? (() => {});
    let handle = await tryOnce(lock.path);
    if (handle === null) {
      say(
        `waiting for the ${lock.kind} lock ${lock.path} (another run holds it; up to ${timeout} s)`,
      );
      const startedAt = clock.now();
      const waiting = new AbortController();
      const ticker = (async () => {
        for (;;) {
          await clock.sleep(every, waiting.signal);
          say(`still waiting for ${lock.path} (${Math.round((clock.now() - startedAt) / 1000)} s)`);
        }
      })().catch(() => {});
      try {
        handle = await acquireLock(lock.path, {
          timeoutSeconds: timeout,
          signal: invocation.signal,
        });
      } catch (error) {
        if (error instanceof LockTimeoutError) {
          return outcomeWithoutRun(
            "lock_timeout",
            `agent not run: the ${lock.kind} lock ${lock.path} was not free within ${timeout} s (CLAUDE_LOCK_TIMEOUT)`,
          );
        }
        if (invocation.signal.aborted) {
          return outcomeWithoutRun(
            "stopped",
            `agent not run: stopped while waiting for ${lock.path}`,
          );
        }
        throw error;
      } finally {
        waiting.abort();
        await ticker;
      }
    }
    try {
      return await next(invocation);
    } finally {
      handle.release();
    }
  };
}

/** The lock if it is free right now, else null. */
async function tryOnce(path: string): Promise<FlockHandle | null> {
  try {
    return await acquireLock(path, { timeoutSeconds: 0 });
  } catch (error) {
    if (error instanceof LockTimeoutError) return null;
    throw error;
  }
}

/** The `wrapAgentRun` hook with the default settings. */
export const backendLockWrapper: (next: AgentRunner) => AgentRunner = lockWrapper();
