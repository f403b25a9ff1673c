/**
 * One review poll cycle (SPEC §7), acting as review-bot (or a local-model
 * agent with the review role): every open PR, oldest first, that is not mine,
 * not a draft, and has no review of mine on its current head commit gets the
 * `review-pr` formula run on a detached checkout of its head; the agent's
 * final answer becomes the review, its verdict read from the
 * `VERDICT: APPROVE|REQUEST_CHANGES` line (verdict.ts; unclear → COMMENT).
 * A failed agent run posts nothing: the PR is tried again next cycle, at most
 * REVIEW_ATTEMPTS times per head commit; then a COMMENT review on that head
 * says why, which ends the retries until the author pushes (each run costs).
 */
import * as api from "../../core/forgejo/mod.ts";
import { incrementCounter } from "../../core/lock/counter.ts";
import { reviewedHead, sameLogin as same } from "./review_state.ts";
import type { RoleContext } from "./role_context.ts";
import { reviewBody, verdictOf } from "./verdict.ts";

/** Failed agent runs on one head commit before review-bot gives up on it. */
export const REVIEW_ATTEMPTS = 3;

export interface ReviewReport {
  reviewed: Array<{ pull: number; event: string }>;
  failed: number[];
}

export async function reviewCycle(ctx: RoleContext): Promise<ReviewReport> {
  const report: ReviewReport = { reviewed: [], failed: [] };
  const pulls = (await api.listPulls(ctx.http, ctx.slug, { state: "open" }))
    .filter((pull) => !same(pull.user?.login, ctx.me) && pull.draft !== true)
    .sort((a, b) => a.number - b.number);
  let fetched = false;
  for (const pull of pulls) {
    if (ctx.stop.aborted) break;
    const reviews = await api.listReviews(ctx.http, ctx.slug, pull.number);
    if (reviewedHead(reviews, ctx.me, pull.head.sha)) continue;
    if (!fetched) await ctx.workspace.fetch();
    fetched = true;
    const path = await ctx.workspace.worktree(`pr-${pull.number}`, pull.head.ref);
    try {
      const head = pull.head.sha ?? await ctx.workspace.head(path);
      const prompt = await ctx.prompt("review-pr", { pr: String(pull.number) }, path);
      ctx.log(`review: PR #${pull.number}: running the agent`);
      const outcome = await ctx.runAgent(path, prompt, pull.number);
      if (!outcome.success) {
        const why = outcome.detail || outcome.reason;
        ctx.log(`review: PR #${pull.number}: agent failed (${ctx.redact(why)})`);
        report.failed.push(pull.number);
        const key = `${ctx.slug}#${pull.number}@${head}:review`;
        if (await incrementCounter(ctx.countersFile, key) >= REVIEW_ATTEMPTS) {
          await api.createReview(ctx.http, ctx.slug, pull.number, {
            event: "COMMENT",
            body: ctx.redact(
              `${ctx.me} could not review commit ${head}: ${REVIEW_ATTEMPTS} agent runs failed ` +
                `(last: ${why}). A new push is reviewed again.`,
            ),
            commit_id: head,
          });
          ctx.log(`review: PR #${pull.number}: gave up on ${head} after ${REVIEW_ATTEMPTS} runs`);
        }
        continue;
      }
      const answer = outcome.resultText ?? "";
      const event = verdictOf(answer);
      await api.createReview(ctx.http, ctx.slug, pull.number, {
        event,
        body: ctx.redact(reviewBody(answer, event)),
        commit_id: head,
      });
      ctx.log(`review: PR #${pull.number}: ${event}`);
      report.reviewed.push({ pull: pull.number, event });
    } finally {
      await ctx.workspace.remove(path);
    }
  }
  return report;
}
