/**
 * One dev poll cycle (SPEC §7), in this order, one agent run at most:
 *
 * 1. merge pass: my open PRs that are approved on their current head
 *    commit (review_state.ts) and green
 *    (combined commit status success, or no status at all) are merged with
 *    style "merge" (the branch deleted); the issue is closed unless the merge closed it already,
 *    and its `in-progress` label removed;
 * 2. my own in-progress issue: a REQUEST_CHANGES review given on the PR's
 *    head (no push since) → the agent fixes it; failed CI → the agent fixes
 *    it; either at most 3 attempts per PR, then the issue is blocked; no PR
 *    yet → a branch pushed by a run that died before its PR gets the PR (no
 *    agent run), else the work is done again from the branch;
 * 3. stale sweep (IssueLifecycle.sweep), only when some in-progress issue
 *    has no assignee and no open PR (else nothing can be stale);
 * 4. the backlog: the first ready issue (devQueue order, dependencies
 *    closed) is claimed and implemented.
 *
 * Failure policy (SPEC §6.2): an agent run that fails gives the issue back
 * (release: `backlog` again, for any agent); the third failure on the same
 * issue, or a run that changes nothing, blocks it (a person should look). An
 * issue is never left claimed without a PR: any error between the claim and
 * the PR releases it.
 *
 * Request budget: the open issues and the open PRs are each listed once and
 * serve every decision, so an idle cycle costs whoami + 2 lists = 3 requests.
 */
import * as api from "../../core/forgejo/mod.ts";
import { oneLine } from "../../core/errors.ts";
import { incrementCounter, readCounter, resetCounter } from "../../core/lock/counter.ts";
import { devQueue } from "../forge/lifecycle/mod.ts";
import { branchOf, doIssueWork, openPushedWork, type Task, type WorkResult } from "./dev_work.ts";
import {
  approvedAt,
  issueOfPull,
  sameLogin as same,
  unansweredChangeRequest,
} from "./review_state.ts";
import type { RoleContext } from "./role_context.ts";

export const MAX_FIX_ATTEMPTS = 3;
export const MAX_AGENT_FAILURES = 3;

const labelsOf = (issue: api.Issue) => issue.labels.map((label) => label.name);
const attemptKey = (ctx: RoleContext, pr: number, kind: string) => `${ctx.slug}#${pr}:${kind}`;

async function resetFixAttempts(ctx: RoleContext, pr: number): Promise<void> {
  for (const kind of ["ci", "review"]) {
    await resetCounter(ctx.countersFile, attemptKey(ctx, pr, kind));
  }
}

export type DevOutcome =
  | "idle"
  | "waiting"
  | "merged"
  | "implemented"
  | "fixed"
  | "released"
  | "blocked";

export async function devCycle(ctx: RoleContext): Promise<DevOutcome> {
  const issues = await api.listIssues(ctx.http, ctx.slug, { state: "open" });
  const pulls = await api.listPulls(ctx.http, ctx.slug, { state: "open" });
  const mine = pulls.filter((pull) => same(pull.user?.login, ctx.me));
  const { closed: merged, reviews } = await mergePass(ctx, mine);
  if (ctx.stop.aborted) return merged.size > 0 ? "merged" : "idle";
  const open = issues.filter((issue) => !merged.has(issue.number));
  const queue = devQueue(
    open.map((issue) => ({
      ...issue,
      labels: labelsOf(issue),
      assignees: (issue.assignees ?? []).map((a) => a.login),
    })),
    ctx.me,
  );
  const byNumber = new Map(open.map((issue) => [issue.number, issue]));
  if (queue.resume !== null) {
    const pull = mine.find((p) => p.head.ref === branchOf(queue.resume!)) ?? null;
    return await resume(ctx, byNumber.get(queue.resume)!, pull, pull && reviews.get(pull.number));
  }
  const branches = new Set(pulls.map((pull) => pull.head.ref));
  const staleCandidate = open.some((issue) =>
    labelsOf(issue).includes("in-progress") && (issue.assignees ?? []).length === 0 &&
    !branches.has(branchOf(issue.number))
  );
  if (staleCandidate) {
    for (const result of await ctx.lifecycle.sweep()) {
      if (result.relabelled) ctx.log(`dev: #${result.issue}: blocked as stale (${result.reason})`);
    }
  }
  for (const n of queue.backlog) {
    if (ctx.stop.aborted) break;
    // Another agent's PR from the issue's branch is still open: its work, left to it
    // (claiming would push onto that PR, which this agent never finds as its own).
    const theirs = pulls.find((p) => p.head.ref === branchOf(n) && !same(p.user?.login, ctx.me));
    if (theirs) {
      ctx.log(`dev: #${n}: PR #${theirs.number} of ${theirs.user?.login} is open; left to it`);
      continue;
    }
    const issue = byNumber.get(n)!;
    const ready = await ctx.lifecycle.ready(issue);
    if (!ready.ready) continue;
    const claim = await ctx.lifecycle.claim(n);
    if (!claim.claimed) {
      ctx.log(`dev: #${n}: not claimed (${claim.reason})`);
      continue;
    }
    ctx.log(`dev: #${n}: claimed`);
    return await implement(ctx, issue);
  }
  return merged.size > 0 ? "merged" : "idle";
}

/** Merge my approved, green PRs; returns the issues they closed and the reviews read. */
async function mergePass(
  ctx: RoleContext,
  mine: readonly api.Pull[],
): Promise<{ closed: Set<number>; reviews: Map<number, api.Review[]> }> {
  const closed = new Set<number>();
  const read = new Map<number, api.Review[]>();
  for (const pull of mine) {
    if (ctx.stop.aborted) break;
    const reviews = await api.listReviews(ctx.http, ctx.slug, pull.number);
    read.set(pull.number, reviews);
    if (!approvedAt(reviews, ctx.me, pull.head.sha)) continue;
    const status = await api.combinedStatus(ctx.http, ctx.slug, pull.head.sha ?? pull.head.ref);
    if (api.ciVerdict(status) !== "green") continue;
    // Only the head that was approved and checked: a push since is the forge's 409.
    const result = await api.mergePull(ctx.http, ctx.slug, pull.number, {
      style: "merge",
      headCommitId: pull.head.sha,
      // A reopened issue then starts from the primary branch, not from its merged branch.
      deleteBranch: true,
    });
    if (!result.merged) {
      ctx.log(`dev: PR #${pull.number}: not merged yet (${result.status} ${result.reason})`);
      continue;
    }
    ctx.log(`dev: PR #${pull.number}: merged`);
    await resetFixAttempts(ctx, pull.number);
    const n = issueOfPull(pull);
    if (n === null) continue;
    closed.add(n);
    // Forgejo closes `Closes #n` itself on a merge into the default branch; not always.
    const issue = await api.getIssue(ctx.http, ctx.slug, n);
    if (issue?.state === "open") await ctx.lifecycle.close(n);
    // A closed issue keeps its labels; `in-progress` on it would read as work going on.
    const label = issue?.labels.find((l) => l.name === "in-progress");
    if (label) await api.removeIssueLabel(ctx.http, ctx.slug, n, label.id);
    ctx.log(`dev: #${n}: closed`);
  }
  return { closed, reviews: read };
}

/** Claimed a backlog issue: implement it, or give it back by the failure policy. */
async function implement(ctx: RoleContext, issue: api.Issue): Promise<DevOutcome> {
  let result: WorkResult;
  try {
    result = await doIssueWork(ctx, issue, { kind: "implement" }, null);
  } catch (error) {
    result = { ok: false, reason: oneLine(error), nothingChanged: false };
  }
  if (result.ok) {
    await resetCounter(ctx.countersFile, `${ctx.slug}#issue-${issue.number}:agent`);
    ctx.log(`dev: #${issue.number}: PR #${result.pull} open`);
    return "implemented";
  }
  if ("busy" in result) return busy(ctx, issue.number, result.busy);
  return await giveBack(ctx, issue.number, result.reason, result.nothingChanged);
}

function busy(ctx: RoleContext, n: number, holder: number): DevOutcome {
  ctx.log(`dev: #${n}: pid ${holder} works on it; left alone`);
  return "waiting";
}

async function giveBack(
  ctx: RoleContext,
  n: number,
  reason: string,
  nothingChanged: boolean,
): Promise<DevOutcome> {
  if (ctx.stop.aborted && !nothingChanged) {
    // Stopped (SIGTERM reached the agent): not the issue's fault, so not counted.
    await ctx.lifecycle.release(n, "Released: the poller was stopped");
    ctx.log(`dev: #${n}: released (stopped)`);
    return "released";
  }
  const failures = nothingChanged
    ? MAX_AGENT_FAILURES
    : await incrementCounter(ctx.countersFile, `${ctx.slug}#issue-${n}:agent`);
  const why = ctx.redact(reason);
  if (failures >= MAX_AGENT_FAILURES) {
    await ctx.lifecycle.block(
      n,
      nothingChanged ? why : `the agent failed ${failures} times (last: ${why})`,
    );
    await resetCounter(ctx.countersFile, `${ctx.slug}#issue-${n}:agent`);
    ctx.log(`dev: #${n}: blocked (${why})`);
    return "blocked";
  }
  await ctx.lifecycle.release(n, `Released: the agent failed (${why})`);
  ctx.log(`dev: #${n}: released (${why})`);
  return "released";
}

/** My in-progress issue: answer a review, fix CI, or redo the work when no PR exists. */
async function resume(
  ctx: RoleContext,
  issue: api.Issue,
  pull: api.Pull | null,
  known: api.Review[] | null | undefined,
): Promise<DevOutcome> {
  if (pull === null) {
    const pushed = await openPushedWork(ctx, issue);
    if (pushed?.ok) {
      await resetCounter(ctx.countersFile, `${ctx.slug}#issue-${issue.number}:agent`);
      ctx.log(`dev: #${issue.number}: PR #${pushed.pull} opened from the pushed branch`);
      return "implemented";
    }
    if (pushed && "busy" in pushed) return busy(ctx, issue.number, pushed.busy);
    ctx.log(`dev: #${issue.number}: mine and in progress without a PR; working on it`);
    return await implement(ctx, issue);
  }
  const reviews = known ?? await api.listReviews(ctx.http, ctx.slug, pull.number);
  const request = unansweredChangeRequest(reviews, ctx.me, pull.head.sha);
  if (request) {
    const review = `${request.body ?? ""}`.trim() || "(the review has no text)";
    return await fix(ctx, issue, pull, "review", { kind: "review-fix", review });
  }
  const status = await api.combinedStatus(ctx.http, ctx.slug, pull.head.sha ?? pull.head.ref);
  if (api.ciVerdict(status) === "failed") {
    const failures = (status?.statuses ?? [])
      .filter((s) => s.status !== "success" && s.status !== "pending")
      .map((s) =>
        `- ${s.context ?? "ci"}: ${s.status} ${s.description ?? ""} ${s.target_url ?? ""}`
      )
      .join("\n");
    return await fix(ctx, issue, pull, "ci", { kind: "ci-fix", failures, attempt: 0 });
  }
  ctx.log(`dev: #${issue.number}: PR #${pull.number} waits for review or CI`);
  return "waiting";
}

async function fix(
  ctx: RoleContext,
  issue: api.Issue,
  pull: api.Pull,
  kind: "ci" | "review",
  task: Task,
): Promise<DevOutcome> {
  const key = attemptKey(ctx, pull.number, kind);
  const done = await readCounter(ctx.countersFile, key);
  if (done >= MAX_FIX_ATTEMPTS) {
    const what = kind === "ci" ? "CI still fails" : "changes are still requested";
    await ctx.lifecycle.block(
      issue.number,
      `${what} on PR #${pull.number} after ${done} fix attempts`,
    );
    // A person who puts the issue back in the backlog gives it new attempts.
    await resetFixAttempts(ctx, pull.number);
    ctx.log(`dev: #${issue.number}: blocked after ${done} ${kind} fix attempts`);
    return "blocked";
  }
  const attempt = done + 1;
  const numbered = task.kind === "ci-fix" ? { ...task, attempt } : task;
  let result: WorkResult;
  try {
    result = await doIssueWork(ctx, issue, numbered, pull.number);
  } catch (error) {
    result = { ok: false, reason: oneLine(error), nothingChanged: false };
  }
  if (!result.ok && "busy" in result) return busy(ctx, issue.number, result.busy);
  // An attempt cut short by SIGTERM is not counted.
  if (result.ok || !ctx.stop.aborted) await incrementCounter(ctx.countersFile, key);
  ctx.log(
    result.ok
      ? `dev: #${issue.number}: ${kind} fix ${attempt} pushed to PR #${pull.number}`
      : `dev: #${issue.number}: ${kind} fix ${attempt} failed (${ctx.redact(result.reason)})`,
  );
  return result.ok ? "fixed" : "waiting";
}
