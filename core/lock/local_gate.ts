/**
 * An in-process readers–writer gate per lock path, taken before the flock.
 *
 * Why: under Deno every pending flock wait occupies a blocking worker thread.
 * With a few dozen waiters in one process the pool is exhausted, the holder's
 * own file operations cannot run, and everyone times out. Queuing same-process
 * waiters here (no threads, FIFO) keeps at most one exclusive OS-level wait
 * per path, whatever the number of callers.
 */

interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

class Gate {
  readers = 0;
  writer = false;
  readonly queue: Waiter[] = [];

  /** Grant waiters from the front of the queue while they are compatible. */
  pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.exclusive ? this.writer || this.readers > 0 : this.writer) return;
      this.queue.shift();
      if (next.exclusive) this.writer = true;
      else this.readers++;
      next.grant();
    }
  }

  get idle(): boolean {
    return !this.writer && this.readers === 0 && this.queue.length === 0;
  }
}

const gates = new Map<string, Gate>();

/**
 * Enter the gate for `path`. Resolves with a leave function, or null when
 * `deadline` (ms since epoch) passes first; rejects when the signal aborts.
 */
export function enterGate(
  path: string,
  exclusive: boolean,
  deadline: number | undefined,
  signal?: AbortSignal,
): Promise<(() => void) | null> {
  let gate = gates.get(path);
  if (!gate) gates.set(path, gate = new Gate());
  const owner = gate;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cleanup = () => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const withdraw = () => {
      const index = owner.queue.indexOf(waiter);
      if (index >= 0) owner.queue.splice(index, 1);
      owner.pump();
      if (owner.idle) gates.delete(path);
    };
    const waiter: Waiter = {
      exclusive,
      grant: () => {
        cleanup();
        let left = false;
        resolve(() => {
          if (left) return;
          left = true;
          if (exclusive) owner.writer = false;
          else owner.readers--;
          owner.pump();
          if (owner.idle) gates.delete(path);
        });
      },
    };
    const onAbort = () => {
      cleanup();
      withdraw();
      reject(signal?.reason ?? new Error("Lock wait aborted"));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    owner.queue.push(waiter);
    owner.pump();
    if (deadline !== undefined && owner.queue.includes(waiter)) {
      timer = setTimeout(() => {
        cleanup();
        withdraw();
        resolve(null);
      }, Math.max(0, deadline - Date.now()));
    }
  });
}
