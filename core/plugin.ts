/**
 * The plugin contract. A plugin is a plain typed object: a name, the commands
 * it adds, the settings it reads from the project TOML, and hooks that other
 * parts of disinto call. Core never imports a plugin; the static list in
 * plugins/mod.ts hands them to the command runner.
 */
import type { Command } from "@commander-js/extra-typings";
import type { z } from "zod";
import type { Context } from "./context.ts";
import type { ComposeContribution, ComposeDocument } from "./compose/model.ts";
import type { Project } from "./config/project.ts";
import type { Redactor } from "./redact.ts";
import type { ClaudeRunReason } from "./agent/claude_run.ts";

/** The global flags of the command line (SPEC §3). */
export interface GlobalOptions {
  root?: string | undefined;
  project?: string | undefined;
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  color: boolean;
}

/** What a plugin's command action gets from the runner. */
export interface CommandHost {
  readonly context: Context;
  readonly redactor: Redactor;
  /** The global flags as given (or defaulted). */
  globals(): GlobalOptions;
  /** The factory root: --root, then DISINTO_ROOT, then the current directory. */
  root(): string;
  /**
   * Run a command's work: its return value becomes the exit code; a thrown
   * BadInputError exits 2 and anything else exits 1, each as one line.
   */
  run(action: () => Promise<number> | number): Promise<void>;
  /** The plugin list the program was built from (for hooks that reduce over plugins). */
  plugins?(): readonly Plugin[];
}

/** A plugin's part of the project TOML: one top-level table, validated with zod. */
export interface PluginSettings {
  /** The top-level key, e.g. "mirrors" for `[mirrors]`. */
  table: string;
  description: string;
  schema: z.ZodType;
}

export interface Plugin {
  /** Lower-case, dash-separated; matches its folder (dashes become underscores). */
  readonly name: string;
  readonly description: string;
  readonly settings?: readonly PluginSettings[];
  /** Adds the plugin's commands to the program. Runs once per invocation, in registry order. */
  commands?(program: Command, host: CommandHost): void;
  readonly hooks?: Hooks;
}

/** Input of the compose hook: the project(s) being generated for and the document so far. */
export interface ComposeHookInput {
  root: string;
  projects: readonly Project[];
  env: Readonly<Record<string, string | undefined>>;
  /** The document built so far by plugins earlier in the registry (read only). */
  document: Readonly<ComposeDocument>;
}

/** One step of `disinto init`, contributed by a plugin. */
export interface InitStep {
  /** Shown in the summary, e.g. "labels". */
  name: string;
  /** Does the work (or, with dryRun, only describes it) and says what happened. */
  run(input: InitStepInput): Promise<StepOutcome>;
}

export interface InitStepInput {
  project: Project;
  root: string;
  dryRun: boolean;
  context: Context;
}

export type StepStatus = "created" | "updated" | "unchanged" | "failed" | "skipped";

export interface StepOutcome {
  status: StepStatus;
  detail?: string;
}

/** Input of the status hook: one project. */
export interface StatusHookInput {
  project: Project;
  root: string;
  context: Context;
}

/**
 * Runs one agent invocation (the CLI in a worktree, SPEC §7) and says how it
 * went; a failing agent is an outcome, not a throw.
 */
export type AgentRunner = (invocation: AgentInvocation) => Promise<AgentOutcome>;

export interface AgentInvocation {
  role: string;
  project: Project;
  /** The factory root: run logs go to `<root>/state/agent-runs/`, backend locks to `state/locks/`. */
  root: string;
  /** The issue or PR worked on (names the run log). */
  issue?: number | undefined;
  workdir: string;
  prompt: string;
  /** The environment the agent is started from (auth variables it does not use are removed). */
  env: Record<string, string>;
  /** Model for `--model`; default the env's CLAUDE_MODEL. */
  model?: string | undefined;
  /** A session id to `--resume` (from an earlier outcome). */
  resume?: string | undefined;
  signal: AbortSignal;
  /** Progress lines (e.g. waiting for the backend lock). */
  progress?: ((line: string) => void) | undefined;
}

/** Why an agent run ended; "lock_timeout": the backend lock was not free in time (no run). */
export type AgentRunReason = ClaudeRunReason | "lock_timeout";

export interface AgentOutcome {
  /** From the CLI's final result event (subtype success, not is_error), not its exit code. */
  success: boolean;
  reason: AgentRunReason;
  /** Keep it to resume the session in a later cycle. */
  sessionId: string | null;
  costUsd: number | null;
  turns: number | null;
  durationMs: number;
  /** The NDJSON run log, when the run started. */
  logPath: string | null;
  /** The final result text, if any. */
  resultText: string | null;
  /** One line saying what happened, for the loop's log or an issue comment (redacted). */
  detail: string;
}

/**
 * The hooks a plugin may implement. Each says when it runs, what it may
 * change and how several plugins combine.
 */
export interface Hooks {
  /**
   * When: `compose generate`, once per generation, in registry order.
   * May change: nothing; it returns services and volumes to add.
   * Combine: reduce — each plugin sees the document built by those before it;
   * contributions are merged in order and a service name given twice is an error.
   */
  composeServices?(input: ComposeHookInput): ComposeContribution | Promise<ComposeContribution>;

  /**
   * When: `disinto init`, after the forge's own steps, for each project.
   * May change: the forge and files in the factory root, through the steps.
   * Combine: in order — the step lists are concatenated and run one after another.
   */
  initSteps?(input: InitStepInput): InitStep[];

  /**
   * When: `disinto status`, once per project.
   * May change: nothing (read only).
   * Combine: in order — each plugin's fields appear under its own name.
   */
  status?(input: StatusHookInput): Promise<Record<string, unknown>>;

  /**
   * When: every agent invocation by the `agents` poll loop.
   * May change: how the invocation runs (locks, environment, timeouts).
   * Combine: wrap — the first plugin in the registry is the outermost wrapper.
   */
  wrapAgentRun?(next: AgentRunner): AgentRunner;
}
