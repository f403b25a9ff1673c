/**
 * One piece of dev work on issue #n, in a fresh worktree on `fix/issue-<n>`:
 * render the `dev` formula (plus what to fix, for a review or CI fix), run
 * the agent, commit what it left uncommitted as the bot, push, and open the
 * pull request (`Closes #n`) when there is none. While it runs, the poller
 * holds a PID lock for the issue, so stale detection leaves the issue alone.
 */
import * as api from "../../core/forgejo/mod.ts";
import { ForgejoError } from "../../core/forgejo/mod.ts";
import { acquirePidLock } from "../../core/lock/pid_lock.ts";
import type { AgentOutcome } from "../../core/plugin.ts";
import { pullBody } from "./pr_body.ts";
import { sameLogin } from "./review_state.ts";
import { PID, type RoleContext } from "./role_context.ts";
import { keepSession, sessionFor } from "./sessions.ts";

export type Task =
  | { kind: "implement" }
  | { kind: "review-fix"; review: string }
  | { kind: "ci-fix"; failures: string; attempt: number };

export type WorkResult =
  | { ok: true; pull: number; pushed: boolean }
  | { ok: false; reason: string; nothingChanged: boolean }
  /** Another process of this container works on the issue: leave it alone. */
  | { ok: false; busy: number };

export const branchOf = (n: number) => `fix/issue-${n}`;

/** What the agent is told on top of the formula, for a fix. */
function taskNote(task: Task, pull: number | null): string {
  if (task.kind === "review-fix") {
    return `\n## This run: answer the review of pull request #${pull}\n\n` +
      `The reviewer asked for changes. Address every point, commit, and stop:\n\n${task.review}\n`;
  }
  if (task.kind === "ci-fix") {
    return `\n## This run: fix CI of pull request #${pull} (attempt ${task.attempt} of 3)\n\n` +
      `These checks failed on the pull request's head commit:\n\n${task.failures}\n`;
  }
  return "";
}

export async function doIssueWork(
  ctx: RoleContext,
  issue: api.Issue,
  task: Task,
  pull: number | null,
): Promise<WorkResult> {
  const n = issue.number;
  const branch = branchOf(n);
  const lock = await acquirePidLock(ctx.issueLockFile(n), { pid: PID });
  if (!lock.acquired) {
    return { ok: false, busy: lock.holder };
  }
  const ws = ctx.workspace;
  try {
    await ws.fetch();
    const onRemote = await ws.hasRemoteBranch(branch);
    const path = await ws.worktree(
      `issue-${n}`,
      onRemote ? branch : ctx.project.primary_branch,
      branch,
    );
    try {
      const before = await ws.head(path);
      const vars = { issue: String(n), title: issue.title, body: issue.body ?? "" };
      const prompt = (await ctx.prompt("dev", vars, path)) + taskNote(task, pull);
      ctx.log(`dev: #${n}: running the agent (${task.kind})`);
      const outcome = await runDevAgent(ctx, path, prompt, n, task);
      if (!outcome.success) {
        return { ok: false, reason: outcome.detail || outcome.reason, nothingChanged: false };
      }
      await ws.commitAll(path, `${issue.title.slice(0, 60)} (#${n})\n\nRefs #${n}`);
      const moved = (await ws.head(path)) !== before;
      const ahead = await ws.commitsAhead(path, ctx.project.primary_branch);
      if (ahead === 0 || (task.kind !== "implement" && !moved)) {
        return {
          ok: false,
          reason: "the agent finished without changing anything",
          nothingChanged: true,
        };
      }
      if (moved || !onRemote) await ws.push(path, branch);
      const number = pull ?? await openPull(ctx, issue, outcome.resultText ?? "");
      return { ok: true, pull: number, pushed: moved || !onRemote };
    } finally {
      await ws.remove(path);
    }
  } finally {
    await lock.release();
  }
}

/**
 * A run killed between its push and its PR left `fix/issue-<n>` on the forge
 * ahead of the primary branch, with commits by me only: open the PR from it
 * rather than pay for the agent run again. Null when there is no such branch
 * (someone else's commit on it, or nothing ahead): the work is done again.
 */
export async function openPushedWork(
  ctx: RoleContext,
  issue: api.Issue,
): Promise<WorkResult | null> {
  const n = issue.number;
  const lock = await acquirePidLock(ctx.issueLockFile(n), { pid: PID });
  if (!lock.acquired) return { ok: false, busy: lock.holder };
  try {
    await ctx.workspace.fetch();
    const branch = branchOf(n);
    if (!(await ctx.workspace.hasRemoteBranch(branch))) return null;
    const commits = await ctx.workspace.commitsOn(branch, ctx.project.primary_branch);
    if (commits.length === 0 || commits.some((c) => !sameLogin(c.author, ctx.me))) return null;
    const summary = commits.map((c) => `- ${c.subject}`).reverse().join("\n");
    return { ok: true, pull: await openPull(ctx, issue, summary), pushed: false };
  } finally {
    await lock.release();
  }
}

/**
 * The dev agent on issue `n`: a fix resumes the session that wrote the code
 * (the worktree path is the same, so Claude finds it); a session Claude no
 * longer has (it fails before any turn) is replaced by a fresh one. The new
 * session is kept for the next fix.
 */
async function runDevAgent(
  ctx: RoleContext,
  path: string,
  prompt: string,
  n: number,
  task: Task,
): Promise<AgentOutcome> {
  const key = `${ctx.slug}#issue-${n}`;
  const kept = task.kind === "implement" ? undefined : await sessionFor(ctx.sessionsFile, key);
  let outcome = await ctx.runAgent(path, prompt, n, kept);
  if (kept && !outcome.success && outcome.turns === 0 && !ctx.stop.aborted) {
    ctx.log(`dev: #${n}: session ${kept} could not be resumed; starting a new one`);
    outcome = await ctx.runAgent(path, prompt, n);
  }
  if (outcome.sessionId) await keepSession(ctx.sessionsFile, key, outcome.sessionId);
  return outcome;
}

/** Open the PR for the issue's branch; an open one from a run that died before is reused. */
async function openPull(ctx: RoleContext, issue: api.Issue, answer: string): Promise<number> {
  const summary = ctx.redact(answer.trim()).slice(0, 4000);
  try {
    const pull = await api.createPull(ctx.http, ctx.slug, {
      head: branchOf(issue.number),
      base: ctx.project.primary_branch,
      title: issue.title,
      body: pullBody(issue.number, summary),
    });
    return pull.number;
  } catch (error) {
    if (!(error instanceof ForgejoError && error.status === 409)) throw error;
    const open = await api.listPulls(ctx.http, ctx.slug, { state: "open" });
    const existing = open.find((p) => p.head.ref === branchOf(issue.number));
    if (!existing) throw error;
    return existing.number;
  }
}
