/**
 * A small JSON object in a file, changed under an exclusive flock (the file's
 * `.lock` sibling) and written atomically, so writers in other processes never
 * lose each other's updates. An absent or unreadable file reads as `{}`.
 * Counters (counter.ts) and the agents' Claude sessions are kept this way.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { withLock } from "./flock_lock.ts";

export type JsonRecord = Record<string, unknown>;

/** The record in the file at `path` (`{}` when absent or not a JSON object). */
export async function readJsonRecord(path: string): Promise<JsonRecord> {
  try {
    const data: unknown = JSON.parse(await readFile(path, "utf8"));
    return data && typeof data === "object" && !Array.isArray(data) ? data as JsonRecord : {};
  } catch {
    return {};
  }
}

/**
 * Read, change and write the record under the lock. `change` edits the record
 * in place and returns a result; returning `unchanged: true` skips the write.
 */
export function updateJsonRecord<T>(
  path: string,
  change: (record: JsonRecord) => { result: T; unchanged?: boolean },
  options: { timeoutSeconds?: number } = {},
): Promise<T> {
  return withLock(`${path}.lock`, { timeoutSeconds: options.timeoutSeconds ?? 30 }, async () => {
    const record = await readJsonRecord(path);
    const { result, unchanged } = change(record);
    if (!unchanged) await writeFileAtomic(path, JSON.stringify(record, null, 2) + "\n");
    return result;
  });
}
