/**
 * Small JSON counters updated under an exclusive flock and written atomically
 * (e.g. CI-fix attempts per pull request), safe across processes.
 */
import { readJsonRecord, updateJsonRecord } from "./json_record.ts";

const countOf = (value: unknown) => (typeof value === "number" ? value : 0);

/** Add `by` (default 1) to counter `key` in the file at `path`; returns the new value. */
export function incrementCounter(
  path: string,
  key: string,
  by = 1,
  options: { timeoutSeconds?: number } = {},
): Promise<number> {
  return updateJsonRecord(path, (counters) => {
    const next = countOf(counters[key]) + by;
    counters[key] = next;
    return { result: next };
  }, options);
}

/** Read counter `key` (0 when absent). */
export async function readCounter(path: string, key: string): Promise<number> {
  return countOf((await readJsonRecord(path))[key]);
}

/** Remove counter `key` (e.g. when its pull request is merged). */
export function resetCounter(path: string, key: string): Promise<void> {
  return updateJsonRecord(path, (counters) => {
    if (!(key in counters)) return { result: undefined, unchanged: true };
    delete counters[key];
    return { result: undefined };
  });
}
