/**
 * PID locks: a file holding the holder's PID, for "one poller per project per
 * container". A lock whose PID is no longer alive is stale and taken over.
 * Creation and takeover happen under an flock so two takers cannot both win.
 */
import { readFile, rm } from "node:fs/promises";
import { kill } from "node:process";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { withLock } from "./flock_lock.ts";

export interface PidLockOptions {
  pid: number;
  /** Whether a PID is alive; injectable for tests. Default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

export type PidLockResult =
  | { acquired: true; tookOverFrom?: number; release(): Promise<void> }
  | { acquired: false; holder: number };

export function processIsAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence without touching the process.
    kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readPid(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Take the PID lock at `path` unless a live process holds it. */
export function acquirePidLock(path: string, options: PidLockOptions): Promise<PidLockResult> {
  const isAlive = options.isAlive ?? processIsAlive;
  return withLock(`${path}.guard`, { timeoutSeconds: 10 }, async () => {
    const holder = await readPid(path);
    if (holder !== null && holder !== options.pid && isAlive(holder)) {
      return { acquired: false as const, holder };
    }
    await writeFileAtomic(path, `${options.pid}\n`);
    const release = async () => {
      await withLock(`${path}.guard`, { timeoutSeconds: 10 }, async () => {
        if (await readPid(path) === options.pid) await rm(path, { force: true });
      });
    };
    return holder !== null && holder !== options.pid
      ? { acquired: true as const, tookOverFrom: holder, release }
      : { acquired: true as const, release };
  });
}

/** The PID holding the lock at `path`, if it is alive. */
export async function pidLockHolder(
  path: string,
  isAlive: (pid: number) => boolean = processIsAlive,
): Promise<number | null> {
  const pid = await readPid(path);
  return pid !== null && isAlive(pid) ? pid : null;
}
