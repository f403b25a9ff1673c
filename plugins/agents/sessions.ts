/**
 * The Claude session of each issue's last dev run (SPEC §7: "the session id
 * is kept so a later cycle can resume"): a review or CI fix resumes the
 * conversation that wrote the code instead of starting cold. A small JSON
 * map per project, updated under an exclusive flock and written atomically.
 */
import { readFile } from "node:fs/promises";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import { withLock } from "../../core/lock/flock_lock.ts";

type Sessions = Record<string, string>;

async function readSessions(file: string): Promise<Sessions> {
  try {
    const data: unknown = JSON.parse(await readFile(file, "utf8"));
    return data && typeof data === "object" && !Array.isArray(data) ? data as Sessions : {};
  } catch {
    return {};
  }
}

/** The session kept for `key` (e.g. `acme/app#issue-4`), if any. */
export async function sessionFor(file: string, key: string): Promise<string | undefined> {
  const id = (await readSessions(file))[key];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Keep `id` for `key`. */
export function keepSession(file: string, key: string, id: string): Promise<void> {
  return withLock(`${file}.lock`, { timeoutSeconds: 30 }, async () => {
    const sessions = await readSessions(file);
    if (sessions[key] === id) return;
    sessions[key] = id;
    await writeFileAtomic(file, JSON.stringify(sessions, null, 2) + "\n");
  });
}
