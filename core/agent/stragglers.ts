/**
 * Processes a run left behind outside its process group. The real CLI starts
 * each Bash tool command in a session of its own, so a background job of the
 * agent (`server &`) escapes the group kill and is re-parented to init. What
 * every descendant keeps is its environment: the run puts a marker variable
 * in it, and afterwards every process still carrying the marker is ended (as
 * Jenkins' ProcessTreeKiller does with BUILD_ID). Linux /proc; elsewhere none
 * are found.
 */
import { readdirSync, readFileSync } from "node:fs";
import process from "node:process";

/** The variable that marks a run's processes; its value is the run's id. */
export const RUN_MARKER = "DISINTO_AGENT_RUN";

/** Live (not zombie) processes, other than this one, whose environment holds `name=value`. */
export function processesMarked(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const needle = `${name}=${value}`;
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1").split("\0");
      if (environ.includes(needle) && !isZombie(entry)) found.push(Number(entry));
    } catch {
      // Gone meanwhile, or another user's process: not ours.
    }
  }
  return found;
}

function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

function signal(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Already gone.
    }
  }
}

/**
 * End every process marked `name=value`: SIGTERM, then SIGKILL to whatever is
 * left after `graceMs` (polled every 20 ms, so it returns as soon as all are
 * gone). Returns the pids it found.
 */
export async function endMarked(name: string, value: string, graceMs: number): Promise<number[]> {
  const found = processesMarked(name, value);
  if (found.length === 0) return found;
  signal(found, "SIGTERM");
  const deadline = Date.now() + graceMs;
  let left = processesMarked(name, value);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = processesMarked(name, value);
  }
  signal(left, "SIGKILL");
  return found;
}
