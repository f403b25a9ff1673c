/**
 * Every agent run's stream kept as NDJSON under `state/agent-runs/`
 * (`<utc-stamp>-<role>-<issue>.ndjson`, mode 0600): a header line, each line
 * the CLI printed (already redacted; a line that is not JSON is wrapped so the
 * file stays NDJSON), its stderr, and a final summary (reason, cost, turns,
 * duration). Written line by line and synchronously: a crash loses nothing
 * that was read, and lines never interleave.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { ClaudeRunResult } from "./claude_run.ts";

export const RUN_LOG_DIR = "state/agent-runs";

export interface RunLogHeader {
  role: string;
  /** The project's name (the status of a project shows its last run). */
  project?: string | undefined;
  /** The issue or PR the run works on, if any. */
  issue?: number | undefined;
  cwd: string;
  model?: string | undefined;
  resume?: string | undefined;
}

/** The summary line's fields (snake_case, like the CLI's own). */
export interface RunSummary {
  type: "disinto_summary";
  success: boolean;
  reason: string;
  session_id: string | null;
  total_cost_usd: number | null;
  num_turns: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  duration_ms: number;
  exit_code: number | null;
  signal: string | null;
  killed_by: string | null;
  /** Processes that had left the run's group and were ended after it. */
  stragglers: number;
  /** Why the runner itself failed (reason "runner_error"). */
  error?: string;
}

export interface RunLog {
  readonly path: string;
  /** A stdout line of the CLI (redacted by the caller). */
  stdout(line: string): void;
  /** A stderr line of the CLI (redacted by the caller). */
  stderr(line: string): void;
  /** Write the summary and close; later writes are ignored. */
  finish(summary: RunSummary): void;
  /** The run threw instead of ending (a bug, a bad option): say so and close. */
  abort(message: string): void;
}

/** `2026-12-03T12:48:02.123Z` → `20261203T124802Z`. */
function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}

function namePart(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "run";
}

/** Create the run's log file (never overwriting one) and write its header line. */
export function openRunLog(root: string, header: RunLogHeader, now: Date): RunLog {
  const dir = join(root, RUN_LOG_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = [stamp(now), namePart(header.role), ...(header.issue ? [header.issue] : [])]
    .join("-");
  let path = "";
  let fd = -1;
  for (let attempt = 1; fd < 0; attempt++) {
    path = join(dir, `${base}${attempt > 1 ? `-${attempt}` : ""}.ndjson`);
    try {
      fd = openSync(path, "wx", 0o600);
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST" || attempt >= 100) throw error;
    }
  }
  let open = true;
  const write = (record: unknown) => {
    if (open) writeSync(fd, `${typeof record === "string" ? record : JSON.stringify(record)}\n`);
  };
  const finish = (summary: RunSummary) => {
    write(summary);
    if (open) closeSync(fd);
    open = false;
  };
  write({ type: "disinto_run", started_at: now.toISOString(), ...header });
  return {
    path,
    stdout: (line) => write(isJsonObject(line) ? line : { type: "disinto_raw", line }),
    stderr: (line) => write({ type: "disinto_stderr", line }),
    finish,
    abort: (message) => finish({ ...NO_RUN, reason: "runner_error", error: message }),
  };
}

const NO_RUN: RunSummary = {
  type: "disinto_summary",
  success: false,
  reason: "",
  session_id: null,
  total_cost_usd: null,
  num_turns: null,
  input_tokens: null,
  output_tokens: null,
  duration_ms: 0,
  exit_code: null,
  signal: null,
  killed_by: null,
  stragglers: 0,
};

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The summary of a finished run. */
export function summarize(run: ClaudeRunResult): RunSummary {
  return {
    type: "disinto_summary",
    success: run.success,
    reason: run.reason,
    session_id: run.sessionId,
    total_cost_usd: run.result?.total_cost_usd ?? null,
    num_turns: run.result?.num_turns ?? null,
    input_tokens: run.result?.usage?.input_tokens ?? null,
    output_tokens: run.result?.usage?.output_tokens ?? null,
    duration_ms: run.durationMs,
    exit_code: run.exit.code,
    signal: run.exit.signal,
    killed_by: run.killedBy,
    stragglers: run.stragglers,
  };
}
