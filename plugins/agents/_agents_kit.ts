/**
 * Test kit for the agents plugin: an initialised factory on the Forgejo
 * emulator (harness + `init acme/app`), the CLI run in process with an
 * injected agent runner, a fake agent that edits the worktree like a real
 * one would, and readers of the forge's state through its API.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../core/cli/run.ts";
import { parseEnv } from "../../core/config/env_file.ts";
import { BufferOutput, type Clock, testContext } from "../../core/context.ts";
import type { AgentInvocation, AgentOutcome, AgentRunner } from "../../core/plugin.ts";
import { plugins } from "../mod.ts";
import { ADMIN_PASS, type Harness, harness } from "../../tests/integration/harness.ts";
import type { Json } from "../../tests/helpers/emulator_api.ts";
import { createAgentsPlugin } from "./mod.ts";

export const SLUG = "acme/app";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** The agent runner at the bottom of the chain; null = the real one (CLAUDE_BIN). */
  runner?: AgentRunner | null;
  env?: Record<string, string>;
  signal?: AbortSignal;
  clock?: Clock;
  /** The fetch the command uses (to act between two of its requests). */
  fetch?: typeof fetch;
}

export interface AgentsKit {
  h: Harness;
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** A backlog issue (or other labels) created by the admin; its number. */
  issue(title: string, labels?: string[], body?: string): Promise<number>;
  /** `git <args>` in the emulator's bare repository of acme/app (stdout, trimmed). */
  git(...args: string[]): Promise<string>;
  /** GET through the API as the admin. */
  get(path: string): Promise<Json>;
  dispose(): Promise<void>;
}

export async function agentsKit(): Promise<AgentsKit> {
  const h = await harness();
  const init = await h.run(["init", SLUG, "--yes"]);
  if (init.code !== 0) {
    await h.dispose();
    throw new Error(`init failed: ${init.stderr}${init.stdout}`);
  }
  const kit: AgentsKit = {
    h,
    async run(argv, options = {}) {
      const runner = options.runner === undefined ? fakeAgent() : options.runner;
      const list = runner === null
        ? plugins
        : plugins.map((plugin) =>
          plugin.name === "agents" ? createAgentsPlugin({ baseRunner: () => runner }) : plugin
        );
      const context = testContext({
        argv: ["--root", h.root, ...argv],
        env: {
          FORGE_URL: h.emulator.url,
          FORGE_ADMIN_PASS: ADMIN_PASS,
          PATH: "/usr/bin:/bin",
          HOME: h.root,
          GIT_CONFIG_NOSYSTEM: "1",
          ...options.env,
        },
        cwd: h.root,
        clock: options.clock ?? h.clock,
        stdout: new BufferOutput(),
        stderr: new BufferOutput(),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      const code = await runCli(context, list);
      return { code, stdout: context.stdout.text, stderr: context.stderr.text };
    },
    issue: (title, labels = ["backlog"], body = "") => h.addIssue(SLUG, title, labels, body),
    get: (path) => h.adminApi("GET", path),
    git: (...args) =>
      new Promise((resolve, reject) => {
        const dir = h.emulator.forge.git.repoPath("acme", "app");
        execFile("git", ["--git-dir", dir, ...args], (error, stdout) =>
          error ? reject(error) : resolve(String(stdout).trim()));
      }),
    dispose: () => h.dispose(),
  };
  return kit;
}

export function outcome(partial: Partial<AgentOutcome> = {}): AgentOutcome {
  const success = partial.success ?? true;
  return {
    success,
    reason: success ? "success" : "error_result",
    sessionId: "session-1",
    costUsd: 0.01,
    turns: 3,
    durationMs: 1000,
    logPath: null,
    resultText: success ? "Done." : null,
    detail: success ? "success" : "the agent reported an error",
    ...partial,
  };
}

export type FakeAgent = AgentRunner & { calls: AgentInvocation[] };

/**
 * An agent that behaves like Claude in a worktree: the dev role writes a
 * file (named after the issue) and leaves it uncommitted; the review role
 * answers with a verdict. `act` overrides what one call does.
 */
export function fakeAgent(
  act?: (invocation: AgentInvocation, call: number) => Promise<AgentOutcome> | AgentOutcome,
): FakeAgent {
  const calls: AgentInvocation[] = [];
  const runner = async (invocation: AgentInvocation) => {
    calls.push(invocation);
    if (act) return await act(invocation, calls.length);
    if (invocation.role === "review") {
      return outcome({ resultText: "Looks right; tests pass.\nVERDICT: APPROVE" });
    }
    await editWorktree(invocation, `change ${calls.length}`);
    return outcome();
  };
  return Object.assign(runner, { calls });
}

/** What a dev agent does: a file change in the worktree, left uncommitted. */
export async function editWorktree(invocation: AgentInvocation, text: string): Promise<void> {
  await writeFile(join(invocation.workdir, `issue-${invocation.issue}.txt`), `${text}\n`);
}

/** A failing `ci/test` status, posted by the admin on the PR's current head. */
export async function failCi(kit: AgentsKit, pr: number, description?: string): Promise<void> {
  const head = (await kit.get(`/repos/${SLUG}/pulls/${pr}`)).head.sha;
  await kit.h.adminApi("POST", `/repos/${SLUG}/statuses/${head}`, {
    state: "failure",
    context: "ci/test",
    ...(description === undefined ? {} : { description }),
  });
}

/**
 * `hire-an-agent dev-qwen dev --local-model <url>`; the env that runs the
 * agents CLI as dev-qwen (its user and the token the hire wrote to .env).
 */
export async function hireLocalDev(
  kit: AgentsKit,
  modelUrl: string,
): Promise<{ FORGE_USER: string; FORGE_TOKEN: string }> {
  const hire = await kit.run(["hire-an-agent", "dev-qwen", "dev", "--local-model", modelUrl]);
  assert.equal(hire.code, 0, hire.stderr + hire.stdout);
  const env = parseEnv(await readFile(join(kit.h.root, ".env"), "utf8"));
  const token = env.get("FORGE_TOKEN_DEV_QWEN");
  assert.ok(token, "hire-an-agent wrote FORGE_TOKEN_DEV_QWEN");
  return { FORGE_USER: "dev-qwen", FORGE_TOKEN: token };
}

/** What a person does after a block: the issue's labels replaced by `backlog` alone. */
export async function putBackInBacklog(kit: AgentsKit, issue: number): Promise<void> {
  const backlog = kit.h.labels(SLUG).find((label) => label.name === "backlog");
  assert.ok(backlog, "acme/app has a backlog label");
  await kit.h.adminApi("PUT", `/repos/${SLUG}/issues/${issue}/labels`, { labels: [backlog.id] });
}

/** A backlog issue worked by one dev cycle (the kit's agent): its number and the PR it opened. */
export async function openPr(
  kit: AgentsKit,
  title = "Make it faster",
): Promise<{ n: number; pr: Json }> {
  const n = await kit.issue(title);
  const dev = await kit.run(["agents", "poll", "dev"]);
  assert.equal(dev.code, 0, dev.stderr + dev.stdout);
  const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
  assert.equal(pr.head.ref, `fix/issue-${n}`);
  return { n, pr };
}
