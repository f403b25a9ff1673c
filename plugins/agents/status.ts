/**
 * The agents' part of `disinto status` (the `status` hook): which pollers of
 * the project are running (their live PID locks) and how the project's last
 * agent run ended, read from its run log under state/agent-runs/.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { RUN_LOG_DIR } from "../../core/agent/run_log.ts";
import { pidLockHolder } from "../../core/lock/pid_lock.ts";
import type { StatusHookInput } from "../../core/plugin.ts";

/** Run logs looked at, newest first, to find the project's last run. */
const LOGS_SCANNED = 50;

interface LastRun {
  role: string;
  issue: number | null;
  success: boolean;
  reason: string;
  cost_usd: number | null;
  turns: number | null;
  ended_at: string;
  log: string;
}

export async function agentsStatus(input: StatusHookInput): Promise<Record<string, unknown>> {
  return {
    pollers: await livePollers(input.root, input.project.name),
    last_run: await lastRun(input.root, input.project.name),
  };
}

async function livePollers(root: string, project: string): Promise<string[]> {
  const dir = join(root, "state", "agents");
  const names = await readdir(dir).catch(() => [] as string[]);
  const mine = names.filter((name) =>
    name === `poller-${project}.pid` ||
    (name.startsWith(`poller-${project}-`) && name.endsWith(".pid"))
  ).sort();
  const live: string[] = [];
  for (const name of mine) {
    const pid = await pidLockHolder(join(dir, name));
    const who = name.slice(`poller-${project}`.length, -".pid".length).replace(/^-/, "");
    if (pid !== null) live.push(`${who || "shared"} (pid ${pid})`);
  }
  return live;
}

async function lastRun(root: string, project: string): Promise<LastRun | null> {
  const dir = join(root, RUN_LOG_DIR);
  const names = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.endsWith(".ndjson"))
    .sort()
    .reverse()
    .slice(0, LOGS_SCANNED);
  for (const name of names) {
    const path = join(dir, name);
    const lines = (await readFile(path, "utf8").catch(() => "")).trimEnd().split("\n");
    const header = parse(lines[0]);
    const summary = parse(lines.at(-1));
    if (header?.type !== "disinto_run" || header.project !== project) continue;
    if (summary?.type !== "disinto_summary") continue; // still running
    return {
      role: String(header.role),
      issue: typeof header.issue === "number" ? header.issue : null,
      success: summary.success === true,
      reason: String(summary.reason),
      cost_usd: typeof summary.total_cost_usd === "number" ? summary.total_cost_usd : null,
      turns: typeof summary.num_turns === "number" ? summary.num_turns : null,
      ended_at: (await stat(path)).mtime.toISOString(),
      log: join(RUN_LOG_DIR, name),
    };
  }
  return null;
}

function parse(line: string | undefined): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line ?? "");
    return value && typeof value === "object" ? value as Record<string, unknown> : null;
  } catch {
    return null;
  }
}
