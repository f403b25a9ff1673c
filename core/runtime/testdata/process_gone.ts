/**
 * Test helper: has a process ended? `kill(pid, 0)` failing says so; a zombie
 * (ended, not yet reaped by an init that may never reap it in a container)
 * counts as ended too, read from /proc/<pid>/stat.
 */
import { readFileSync } from "node:fs";
import process from "node:process";

export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    // "<pid> (<comm>) <state> …": the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return true;
  }
}

/** Poll until every pid has ended, or fail after `deadlineMs`; returns the pids still alive. */
export async function waitGone(pids: readonly number[], deadlineMs = 3000): Promise<number[]> {
  const until = Date.now() + deadlineMs;
  let alive = pids.filter((pid) => !processGone(pid));
  while (alive.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    alive = alive.filter((pid) => !processGone(pid));
  }
  return alive;
}
