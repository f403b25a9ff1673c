/**
 * A clock whose sleeps end only when the test fires them, so the watchdog's
 * timers (timeout, idle grace, kill grace) are driven step by step, with no
 * real waiting. Sleeps are told apart by their duration.
 */
import type { Clock } from "../../context.ts";

interface Sleeper {
  ms: number;
  resolve(): void;
}

export class ManualClock implements Clock {
  time = 0;
  #sleepers: Sleeper[] = [];
  #watchers: (() => void)[] = [];

  now = (): number => this.time;

  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = {
        ms,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
      for (const wake of this.#watchers.splice(0)) wake();
    });

  /** The durations of the sleeps now pending. */
  pending(): number[] {
    return this.#sleepers.map((s) => s.ms);
  }

  /** Resolves once a sleep of `ms` is pending. */
  async sleeping(ms: number): Promise<void> {
    while (!this.#sleepers.some((s) => s.ms === ms)) {
      await new Promise<void>((wake) => this.#watchers.push(wake));
    }
  }

  /** Let `ms` pass: end every pending sleep of exactly that duration. */
  fire(ms: number): void {
    this.time += ms;
    const due = this.#sleepers.filter((s) => s.ms === ms);
    if (due.length === 0) throw new Error(`No sleep of ${ms} ms is pending (${this.pending()})`);
    this.#sleepers = this.#sleepers.filter((s) => s.ms !== ms);
    for (const s of due) s.resolve();
  }
}
