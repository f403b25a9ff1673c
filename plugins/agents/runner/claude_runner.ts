/**
 * The base agent runner: the Claude CLI in the worktree (core runClaude),
 * with only the auth variables it uses, secrets redacted from its run log
 * under `state/agent-runs/`, and an outcome the poll loop can act on.
 * Settings come from the invocation's environment (CLAUDE_BIN,
 * CLAUDE_TIMEOUT, CLAUDE_IDLE_GRACE, CLAUDE_MODEL); the config overrides them.
 */
import { agentEnv, authKeepOf } from "../../../core/agent/agent_env.ts";
import {
  claudeArgs,
  type ClaudeRunResult,
  runClaude,
  type StreamEvent,
} from "../../../core/agent/claude_run.ts";
import { basename, join } from "node:path";
import { openRunLog, RUN_LOG_DIR, summarize } from "../../../core/agent/run_log.ts";
import { agentRunSettings } from "../../../core/agent/run_settings.ts";
import { type Clock, systemClock } from "../../../core/context.ts";
import type { AgentOutcome, AgentRunner, AgentRunReason } from "../../../core/plugin.ts";
import { Redactor } from "../../../core/redact.ts";
import { handOffPrompt } from "./long_prompt.ts";

export interface ClaudeRunnerConfig {
  /** The CLI; default CLAUDE_BIN, then `claude`. */
  command?: string;
  timeoutMs?: number;
  idleGraceMs?: number;
  killGraceMs?: number;
  /** `--dangerously-skip-permissions` (a batch agent has nobody to ask). Default true. */
  skipPermissions?: boolean;
  clock?: Clock;
  /** Each event as it arrives (progress display); not redacted. */
  onEvent?: (event: StreamEvent) => void;
}

export function claudeRunner(config: ClaudeRunnerConfig = {}): AgentRunner {
  const clock = config.clock ?? systemClock;
  return async (invocation) => {
    const settings = agentRunSettings(invocation.env);
    const redactor = new Redactor();
    redactor.addFromEnv(invocation.env);
    const redact = (text: string) => redactor.redact(text);
    const model = invocation.model ?? (invocation.env.CLAUDE_MODEL || undefined);
    const log = openRunLog(invocation.root, {
      role: invocation.role,
      project: invocation.project.name,
      issue: invocation.issue,
      cwd: invocation.workdir,
      model,
      resume: invocation.resume,
    }, new Date(clock.now()));
    const handoff = await handOffPrompt(
      invocation.prompt,
      join(invocation.root, RUN_LOG_DIR),
      basename(log.path, ".ndjson"),
    );
    let run: ClaudeRunResult;
    try {
      run = await runClaude({
        command: config.command ?? settings.command,
        args: claudeArgs({
          prompt: handoff.prompt,
          model,
          resume: invocation.resume,
          skipPermissions: config.skipPermissions ?? true,
        }),
        cwd: invocation.workdir,
        env: agentEnv(invocation.env, authKeepOf(invocation.env)),
        timeoutMs: config.timeoutMs ?? settings.timeoutMs,
        idleGraceMs: config.idleGraceMs ?? settings.idleGraceMs,
        killGraceMs: config.killGraceMs ?? settings.killGraceMs,
        signal: invocation.signal,
        clock,
        redact,
        onLine: log.stdout,
        onStderrLine: log.stderr,
        ...(config.onEvent ? { onEvent: config.onEvent } : {}),
      });
    } catch (error) {
      log.abort(redact(error instanceof Error ? error.message : String(error)));
      throw error;
    } finally {
      await handoff.dispose();
    }
    log.finish(summarize(run));
    return outcomeOf(run, log.path, redact);
  };
}

/** A run's outcome for the poll loop, with one line saying what happened. */
export function outcomeOf(
  run: ClaudeRunResult,
  logPath: string | null,
  redact: (text: string) => string,
): AgentOutcome {
  const cost = run.result?.total_cost_usd ?? null;
  const turns = run.result?.num_turns ?? null;
  const figures = [
    turns === null ? null : `${turns} turn${turns === 1 ? "" : "s"}`,
    cost === null ? null : `$${cost.toFixed(4)}`,
    `${Math.round(run.durationMs / 1000)} s`,
  ].filter(Boolean).join(", ");
  const why = run.success ? "" : `: ${failureText(run)}`;
  return {
    success: run.success,
    reason: run.reason,
    sessionId: run.sessionId,
    costUsd: cost,
    turns,
    durationMs: run.durationMs,
    logPath,
    resultText: run.result?.result === undefined ? null : redact(run.result.result),
    detail: redact(
      `agent ${run.success ? "succeeded" : `failed (${run.reason})`}${why} [${figures}]`,
    ),
  };
}

/** The most telling line of a failure: the result text, stderr's last line, or the exit. */
function failureText(run: ClaudeRunResult): string {
  const pick = (text: string | undefined) =>
    text?.split("\n").map((line) => line.trim()).filter(Boolean).at(-1)?.slice(0, 300);
  if (run.reason === "timeout") return "the hard timeout (CLAUDE_TIMEOUT) ended it";
  if (run.reason === "stopped") return "stopped on request";
  if (run.result?.subtype && run.result.subtype !== "success") return run.result.subtype;
  const exit = run.exit.signal ?? `exit code ${run.exit.code}`;
  return pick(run.result?.result) ?? pick(run.stderrTail) ?? exit;
}

/** The outcome of a run that never started (a lock not granted, a stop while waiting). */
export function outcomeWithoutRun(reason: AgentRunReason, detail: string): AgentOutcome {
  return {
    success: false,
    reason,
    sessionId: null,
    costUsd: null,
    turns: null,
    durationMs: 0,
    logPath: null,
    resultText: null,
    detail,
  };
}
