/**
 * The locks under `<root>/state/` that writers of the factory's shared files
 * take: `env` guards `.env`; `config` guards `projects/*.toml` and
 * `docker-compose.yml` together (the compose file is generated from every
 * project TOML). A writer takes the lock, re-reads the file, applies its change
 * and writes, so two commands at once (init and hire-an-agent) never lose each
 * other's edits. The locks are not re-entrant: take each once, `env` never
 * inside `config`.
 */
import { join } from "node:path";
import { withLock } from "../lock/flock_lock.ts";

export type StateLock = "env" | "config";

/** How long a writer waits for another before giving up (exit 1). */
const WAIT_SECONDS = 30;

export function stateLockPath(root: string, lock: StateLock): string {
  return join(root, "state", `${lock}.lock`);
}

/** Run `work` holding the `lock` of the factory at `root`. */
export function withStateLock<T>(
  root: string,
  lock: StateLock,
  work: () => Promise<T>,
): Promise<T> {
  return withLock(stateLockPath(root, lock), { timeoutSeconds: WAIT_SECONDS }, work);
}
