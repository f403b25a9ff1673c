/**
 * Run the Claude CLI once, safely (SPEC §7): stdin closed, its own process
 * group, a hard timeout, an idle watchdog once the result line is out, a stop
 * request honoured, and success decided by the final `result` event — never
 * by the exit code. Whatever ends the run, the whole process group is
 * signalled, so nothing it started (a Bash tool's `sleep`) is left behind.
 * Shared by the agents' poll loop and the chat server.
 */
import { type Clock, systemClock } from "../context.ts";
import { type ChildExit, spawnChild, type SpawnedChild } from "../runtime/mod.ts";
import { readLines } from "./lines.ts";
import { endMarked, RUN_MARKER } from "./stragglers.ts";
import {
  parseStreamLine,
  type ResultEvent,
  resultSucceeded,
  sessionIdOf,
  type StreamEvent,
} from "./stream_json.ts";

export type { ChildExit } from "../runtime/mod.ts";
export { agentEnv, type AuthKeep, authKeepOf } from "./agent_env.ts";
export type { ResultEvent, StreamEvent } from "./stream_json.ts";

export const DEFAULT_TIMEOUT_MS = 7200_000;
export const DEFAULT_IDLE_GRACE_MS = 30_000;
export const DEFAULT_KILL_GRACE_MS = 5_000;
/** How much of the end of stderr a result keeps (for the one-line failure report). */
const STDERR_TAIL_CHARS = 2000;

export interface ClaudeRunOptions {
  /** The CLI ("claude" by default; tests use a fake). */
  command: string;
  /** See claudeArgs(). */
  args: readonly string[];
  cwd: string;
  /** The child's whole environment (see agentEnv()); runClaude adds only the run marker. */
  env: Record<string, string>;
  /** Hard timeout (CLAUDE_TIMEOUT, default 7200 s). */
  timeoutMs: number;
  /** How long to wait after the result line before stopping the CLI (CLAUDE_IDLE_GRACE, 30 s). */
  idleGraceMs: number;
  /** SIGTERM → SIGKILL (default 5 s). */
  killGraceMs?: number;
  /** A stop request (chat's Stop button, the loop's SIGTERM). */
  signal?: AbortSignal;
  /** Each parsed stdout line. Must not throw (a throw stops the run). */
  onEvent?: (event: StreamEvent, line: string) => void;
  /** Every stdout line as printed (garbage included), redacted; for the run log. */
  onLine?: (line: string) => void;
  /** Every stderr line, redacted. */
  onStderrLine?: (line: string) => void;
  /** Applied to every line handed to onLine/onStderrLine and to stderrTail. */
  redact?: (text: string) => string;
  /** Injectable timers (tests need no sleeps); defaults to the system clock. */
  clock?: Clock;
}

export type ClaudeRunReason =
  | "success"
  | "error_result"
  | "no_result"
  | "timeout"
  | "stopped"
  | "spawn_failed";

export interface ClaudeRunResult {
  /** From the final result event (`subtype == "success" && !is_error`), NOT the exit code. */
  success: boolean;
  reason: ClaudeRunReason;
  /** For `--resume` in a later run: the last session id any event carried. */
  sessionId: string | null;
  result: ResultEvent | null;
  exit: ChildExit;
  /** What ended the child, when disinto did: the idle watchdog, the timeout or a stop. */
  killedBy: "idle" | "timeout" | "stopped" | null;
  /** The end of stderr (redacted), or why the spawn failed. */
  stderrTail: string;
  durationMs: number;
  /** Processes of the run that had left its process group and were ended afterwards. */
  stragglers: number;
}

/** Arguments for `claude -p`, in the order the CLI documents them. */
export function claudeArgs(o: {
  prompt: string;
  model?: string | undefined;
  resume?: string | undefined;
  skipPermissions?: boolean | undefined;
  maxTurns?: number | undefined;
  /** More options, before the prompt (e.g. chat's --include-partial-messages). */
  extra?: readonly string[] | undefined;
}): string[] {
  const args = ["-p", "--output-format", "stream-json", "--verbose"];
  if (o.model) args.push("--model", o.model);
  if (o.resume) args.push("--resume", o.resume);
  if (o.maxTurns !== undefined) {
    if (!Number.isInteger(o.maxTurns) || o.maxTurns < 1) {
      throw new RangeError(`maxTurns must be a whole number >= 1, got ${o.maxTurns}`);
    }
    args.push("--max-turns", String(o.maxTurns));
  }
  if (o.skipPermissions) args.push("--dangerously-skip-permissions");
  args.push(...(o.extra ?? []));
  // The prompt last, after `--`: as an argument of its own, a prompt starting
  // with `-` would be read as an option (`--settings={hooks…}` runs a command).
  args.push("--", o.prompt);
  return args;
}

function checkDuration(name: string, ms: number, allowZero = false): void {
  if (!Number.isFinite(ms) || ms < 0 || (!allowZero && ms === 0)) {
    throw new RangeError(`${name} must be a number of milliseconds > 0, got ${ms}`);
  }
}

/** Run the CLI to its end (or until stopped); never rejects for a failing child. */
export async function runClaude(options: ClaudeRunOptions): Promise<ClaudeRunResult> {
  checkDuration("timeoutMs", options.timeoutMs);
  checkDuration("idleGraceMs", options.idleGraceMs, true);
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  checkDuration("killGraceMs", killGraceMs, true);
  const clock = options.clock ?? systemClock;
  const redact = options.redact ?? ((text: string) => text);
  const startedAt = clock.now();
  const outcome = (
    fields: Pick<ClaudeRunResult, "reason" | "exit" | "stderrTail"> & Partial<ClaudeRunResult>,
  ): ClaudeRunResult => ({
    success: false,
    sessionId: null,
    result: null,
    killedBy: null,
    durationMs: clock.now() - startedAt,
    stragglers: 0,
    ...fields,
  });
  const noExit: ChildExit = { code: null, signal: null };
  if (options.signal?.aborted) return outcome({ reason: "stopped", exit: noExit, stderrTail: "" });

  // Every descendant inherits the marker, even one that leaves the group (stragglers.ts).
  const runId = crypto.randomUUID();
  let child: SpawnedChild;
  try {
    child = spawnChild(options.command, options.args, {
      env: { ...options.env, [RUN_MARKER]: runId },
      cwd: options.cwd,
      processGroup: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return outcome({
      reason: "spawn_failed",
      exit: noExit,
      stderrTail: redact(`Cannot run "${options.command}": ${message}`),
    });
  }
  const watch = new Watchdog(child, clock, killGraceMs, runId);
  let sessionId: string | null = null;
  let result: ResultEvent | null = null;
  let stderrTail = "";
  const onStdout = (line: string) => {
    options.onLine?.(redact(line));
    const event = parseStreamLine(line);
    if (event === null) return;
    sessionId = sessionIdOf(event) ?? sessionId;
    if (event.type === "result") {
      result = event;
      watch.after(options.idleGraceMs, "idle");
    }
    options.onEvent?.(event, line);
  };
  const onStderr = (line: string) => {
    const clean = redact(line);
    options.onStderrLine?.(clean);
    stderrTail = (stderrTail + clean + "\n").slice(-STDERR_TAIL_CHARS);
  };
  const onStop = () => watch.terminate("stopped");
  options.signal?.addEventListener("abort", onStop, { once: true });
  watch.after(options.timeoutMs, "timeout");
  let exit: ChildExit;
  let stragglers = 0;
  try {
    const streams = Promise.all([
      readLines(child.stdout, onStdout, watch.abandonStreams),
      readLines(child.stderr, onStderr, watch.abandonStreams),
    ]);
    // A callback that throws stops the reading: end the child now rather than
    // let it block on a full pipe until the timeout; the error is rethrown below.
    streams.catch(() => child.killGroup("SIGKILL"));
    exit = await child.exited;
    // The leader is gone; end whatever it left running in its group, then
    // read the pipes to their end (bounded: a process that left the group
    // may hold them open for ever).
    watch.endGroup();
    await streams;
  } finally {
    options.signal?.removeEventListener("abort", onStop);
    stragglers = await watch.dispose();
  }
  const final = result as ResultEvent | null;
  const killedBy = watch.reason;
  const succeeded = final !== null && resultSucceeded(final);
  const reason: ClaudeRunReason = final !== null
    ? (succeeded ? "success" : "error_result")
    : killedBy === "stopped" || killedBy === "timeout"
    ? killedBy
    : "no_result";
  return outcome({
    success: succeeded,
    reason,
    sessionId,
    result: final,
    exit,
    killedBy,
    stderrTail,
    stragglers,
  });
}

/**
 * The timers around one child: each `after(ms, reason)` ends the group when it
 * fires (SIGTERM, then SIGKILL `killGraceMs` later); `dispose` cancels them all
 * and makes sure the group is dead.
 */
class Watchdog {
  reason: "idle" | "timeout" | "stopped" | null = null;
  readonly #timers = new AbortController();
  readonly #streams = new AbortController();
  readonly #pending: Promise<void>[] = [];
  #ended = false;

  constructor(
    private readonly child: SpawnedChild,
    private readonly clock: Clock,
    private readonly killGraceMs: number,
    private readonly runId: string,
  ) {}

  /** Aborted when the pipes are to be abandoned rather than read to their end. */
  get abandonStreams(): AbortSignal {
    return this.#streams.signal;
  }

  after(ms: number, reason: "idle" | "timeout"): void {
    this.#schedule(ms, () => this.terminate(reason));
  }

  /** SIGTERM the group now and SIGKILL it after the grace; the first reason is kept. */
  terminate(reason: "idle" | "timeout" | "stopped"): void {
    if (this.reason !== null || this.#ended) return;
    this.reason = reason;
    this.child.killGroup("SIGTERM");
    this.#schedule(this.killGraceMs, () => this.child.killGroup("SIGKILL"));
  }

  /** After the leader's exit: signal what is left of the group, and stop waiting for the pipes. */
  endGroup(): void {
    this.#ended = true;
    this.child.killGroup("SIGTERM");
    this.#schedule(this.killGraceMs, () => {
      this.child.killGroup("SIGKILL");
      this.#schedule(this.killGraceMs, () => this.#streams.abort());
    });
  }

  /** Cancel the timers, make sure the group is dead, end the stragglers; returns their count. */
  async dispose(): Promise<number> {
    this.child.killGroup("SIGKILL");
    this.#timers.abort();
    this.#streams.abort();
    await Promise.all(this.#pending);
    await this.child.exited;
    return (await endMarked(RUN_MARKER, this.runId, this.killGraceMs)).length;
  }

  #schedule(ms: number, fire: () => void): void {
    const timers = this.#timers.signal;
    if (timers.aborted) return;
    this.#pending.push(
      this.clock.sleep(ms, timers).then(() => {
        if (!timers.aborted) fire();
      }, () => {}),
    );
  }
}
