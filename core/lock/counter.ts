/**
 * Small JSON counters updated under an exclusive flock and written atomically
 * (e.g. CI-fix attempts per pull request), safe across processes.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { withLock } from "./flock_lock.ts";

export type Counters = Record<string, number>;

async function readCounters(path: string): Promise<Counters> {
  try {
    const data = JSON.parse(await readFile(path, "utf8"));
    return data && typeof data === "object" && !Array.isArray(data) ? data as Counters : {};
  } catch {
    return {};
  }
}

/** Add `by` (default 1) to counter `key` in the file at `path`; returns the new value. */
export function incrementCounter(
  path: string,
  key: string,
  by = 1,
  options: { timeoutSeconds?: number } = {},
): Promise<number> {
  return withLock(`${path}.lock`, { timeoutSeconds: options.timeoutSeconds ?? 30 }, async () => {
    const counters = await readCounters(path);
    const next = (counters[key] ?? 0) + by;
    counters[key] = next;
    await writeFileAtomic(path, JSON.stringify(counters, null, 2) + "\n");
    return next;
  });
}

/** Read counter `key` (0 when absent). */
export async function readCounter(path: string, key: string): Promise<number> {
  return (await readCounters(path))[key] ?? 0;
}

/** Remove counter `key` (e.g. when its pull request is merged). */
export function resetCounter(path: string, key: string): Promise<void> {
  return withLock(`${path}.lock`, { timeoutSeconds: 30 }, async () => {
    const counters = await readCounters(path);
    if (!(key in counters)) return;
    delete counters[key];
    await writeFileAtomic(path, JSON.stringify(counters, null, 2) + "\n");
  });
}
