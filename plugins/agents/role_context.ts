/**
 * Everything one poll cycle of one role needs, built once per cycle: the
 * forge client acting as the role's identity, the issue lifecycle, the git
 * workspace, the formula renderer and the agent runner chain.
 */
import { join } from "node:path";
import process from "node:process";
import type { Project } from "../../core/config/project.ts";
import { oneLine, RuntimeFailure } from "../../core/errors.ts";
import * as api from "../../core/forgejo/mod.ts";
import { ForgejoHttp } from "../../core/forgejo/mod.ts";
import {
  findFormulaSource,
  loadFormula,
  projectVariables,
  renderFormula,
} from "../../core/formula/mod.ts";
import { pidLockHolder } from "../../core/lock/pid_lock.ts";
import type { AgentOutcome, AgentRunner } from "../../core/plugin.ts";
import { SECRET_NAME } from "../../core/redact.ts";
import { IssueLifecycle } from "../forge/lifecycle/mod.ts";
import { GitWorkspace } from "./git_workspace.ts";
import { type Role, roleIdentity, type Setting, workRoot } from "./settings.ts";

export interface RoleContext {
  role: Role;
  root: string;
  project: Project;
  slug: string;
  http: ForgejoHttp;
  /** The login the role acts as. */
  me: string;
  lifecycle: IssueLifecycle;
  workspace: GitWorkspace;
  /** Attempt counters (CI and review fixes per PR, agent failures per issue). */
  countersFile: string;
  /** The PID lock held while working on issue `n` (stale detection reads it). */
  issueLockFile(n: number): string;
  /** The role's formula rendered with the given variables (only declared ones are passed). */
  prompt(formula: string, vars: Record<string, string>, repoRoot: string): Promise<string>;
  /** Each issue's last Claude session (sessions.ts). */
  sessionsFile: string;
  /**
   * Run the agent chain; `issue` is the issue or PR worked on (it names the
   * run log); `resume` continues an earlier session.
   */
  runAgent(workdir: string, prompt: string, issue: number, resume?: string): Promise<AgentOutcome>;
  /** Aborted by SIGTERM/SIGINT: checked between steps. */
  stop: AbortSignal;
  now(): number;
  log(line: string): void;
  redact(text: string): string;
}

export interface RoleContextInput {
  role: Role;
  root: string;
  project: Project;
  forgeUrl: string;
  setting: Setting;
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): number;
  stop: AbortSignal;
  runner: AgentRunner;
  log(line: string): void;
  redact(text: string): string;
}

/** Keys of the process environment an agent may see (no other identity's secrets). */
function agentBaseEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (SECRET_NAME.test(key) && !/^(ANTHROPIC|CLAUDE)_/.test(key)) continue;
    out[key] = value;
  }
  return out;
}

export async function openRoleContext(input: RoleContextInput): Promise<RoleContext> {
  const { role, root, project } = input;
  const { token } = roleIdentity(role, input.setting);
  // Forge requests are not tied to the stop signal: a step that has started
  // (a release after a failed run) must be able to finish after SIGTERM.
  const http = new ForgejoHttp(input.forgeUrl, { kind: "token", token }, {
    fetch: input.fetch,
    sleep: input.sleep,
    now: input.now,
    // A forge that does not answer: one line per attempt, not seconds of silence.
    onRetry: (method, path, { attempt, attempts, delayMs, error }) =>
      input.log(
        `${role}: forge ${method} ${path}: ${input.redact(oneLine(error))}; ` +
          `attempt ${attempt + 1}/${attempts} in ${(delayMs / 1000).toFixed(1)} s`,
      ),
  });
  const me = await api.whoami(http, http.credentials);
  if (!me.ok) throw new RuntimeFailure(`The forge rejects the ${role} token (${me.reason})`);
  // A local-model agent must act as itself, never under another identity's token.
  const user = input.setting("FORGE_USER");
  if (user && user.toLowerCase() !== me.login.toLowerCase()) {
    throw new RuntimeFailure(
      `The ${role} token belongs to "${me.login}", not to FORGE_USER "${user}"`,
    );
  }
  const issueLockFile = (n: number) =>
    join(root, "state", "agents", `${project.name}-issue-${n}.pid`);
  const lifecycle = new IssueLifecycle(http, project.repo, {
    me: me.login,
    now: input.now,
    lockHeld: async (n) => (await pidLockHolder(issueLockFile(n))) !== null,
  });
  const workspace = new GitWorkspace({
    dir: join(workRoot(root, input.setting), project.name, me.login),
    remoteUrl: `${input.forgeUrl.replace(/\/+$/, "")}/${project.repo}.git`,
    login: me.login,
    token,
    env: input.env,
  });
  const agentEnv = {
    ...agentBaseEnv(input.env),
    FORGE_URL: input.forgeUrl,
    FORGE_TOKEN: token,
    FORGE_USER: me.login,
  };
  return {
    role,
    root,
    project,
    slug: project.repo,
    http,
    me: me.login,
    lifecycle,
    workspace,
    countersFile: join(root, "state", "agents", `${project.name}-attempts.json`),
    sessionsFile: join(root, "state", "agents", `${project.name}-sessions.json`),
    issueLockFile,
    async prompt(name, vars, repoRoot) {
      const source = await findFormulaSource(root, name, repoRoot);
      const { formula } = loadFormula(source);
      const declared = Object.fromEntries(
        Object.entries(vars).filter(([key]) => Object.hasOwn(formula.vars, key)),
      );
      return await renderFormula(formula, source.file, {
        vars: declared,
        projectVars: projectVariables(project),
        repoRoot,
      });
    },
    runAgent: (workdir, prompt, issue, resume) =>
      input.runner({
        role,
        project,
        root,
        issue,
        workdir,
        prompt,
        resume,
        env: { ...agentEnv },
        signal: input.stop,
        progress: (line) => input.log(`${role}: ${line}`),
      }),
    stop: input.stop,
    now: input.now,
    log: input.log,
    redact: input.redact,
  };
}

/** This process's PID (for the PID locks). */
export const PID = process.pid;
