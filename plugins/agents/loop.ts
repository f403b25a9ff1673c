/**
 * The poll loop of `disinto agents run` (SPEC §7): for each enabled role one
 * poll cycle, then sleep POLL_INTERVAL seconds; again until stopped. The
 * stop signal (SIGTERM/SIGINT) is honoured between steps: a cycle that has
 * started finishes its step, the sleep is cut short, and the loop returns 0.
 * A failing cycle is logged as one line and the loop goes on (a forge that is
 * down for a minute must not crash-loop the container); with `once`, any
 * failure makes the exit code 1.
 */
import { oneLine } from "../../core/errors.ts";

export interface LoopOptions<R extends string> {
  roles: readonly R[];
  intervalMs: number;
  once: boolean;
  signal: AbortSignal;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  enabled(role: R): Promise<boolean>;
  cycle(role: R): Promise<void>;
  log(line: string): void;
}

export async function runLoop<R extends string>(options: LoopOptions<R>): Promise<number> {
  const { signal, log } = options;
  let failed = false;
  for (;;) {
    for (const role of options.roles) {
      if (signal.aborted) break;
      if (!(await options.enabled(role))) {
        log(`${role}: paused (no state/.${role}-active flag while others exist)`);
        continue;
      }
      try {
        await options.cycle(role);
      } catch (error) {
        failed = true;
        log(`${role}: cycle failed: ${oneLine(error)}`);
      }
    }
    if (options.once || signal.aborted) break;
    try {
      await options.sleep(options.intervalMs, signal);
    } catch {
      if (!signal.aborted) throw new Error("The poll loop's sleep failed");
    }
    if (signal.aborted) break;
  }
  if (signal.aborted) log("stopping: signal received, current step finished");
  return options.once && failed ? 1 : 0;
}
