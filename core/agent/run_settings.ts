/**
 * The agent runner's settings from the environment (SPEC §7, §11.1), each
 * checked: a bad value is bad input naming the variable and what is expected.
 */
import { BadInputError } from "../errors.ts";
import { DEFAULT_IDLE_GRACE_MS, DEFAULT_KILL_GRACE_MS, DEFAULT_TIMEOUT_MS } from "./claude_run.ts";

export const DEFAULT_LOCK_TIMEOUT_S = 600;

export interface AgentRunSettings {
  /** The CLI: CLAUDE_BIN (the compose file mounts it there), default `claude` on PATH. */
  command: string;
  /** CLAUDE_TIMEOUT seconds, default 7200. */
  timeoutMs: number;
  /** CLAUDE_IDLE_GRACE seconds, default 30. */
  idleGraceMs: number;
  killGraceMs: number;
  /** CLAUDE_LOCK_TIMEOUT seconds, default 600. */
  lockTimeoutSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function seconds(env: Env, name: string, fallback: number, allowZero: boolean): number {
  const value = env[name];
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new BadInputError(
      `${name}: "${value}" is not a duration; expected seconds ${allowZero ? ">= 0" : "> 0"}`,
    );
  }
  return n;
}

export function agentRunSettings(env: Env): AgentRunSettings {
  return {
    command: env.CLAUDE_BIN || "claude",
    timeoutMs: seconds(env, "CLAUDE_TIMEOUT", DEFAULT_TIMEOUT_MS / 1000, false) * 1000,
    idleGraceMs: seconds(env, "CLAUDE_IDLE_GRACE", DEFAULT_IDLE_GRACE_MS / 1000, true) * 1000,
    killGraceMs: DEFAULT_KILL_GRACE_MS,
    lockTimeoutSeconds: seconds(env, "CLAUDE_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT_S, true),
  };
}
