/** Merging a pull request for real, with branch protection's merge checks (scope: repository). */
import type { Forge } from "./forge.ts";
import type { MergeStyle } from "./git_store.ts";
import { onWhitelist, protectionFor } from "./protection.ts";
import { pullHead, pullOf } from "./pull_kit.ts";
import { reviewTally } from "./review_kit.ts";
import { apiError, notFound, statusOnly } from "./respond.ts";
import { type ApiApp, bodyOf, canAdmin, repoAccess } from "./route_kit.ts";
import type { IssueRecord, RepoRecord, UserRecord } from "./state.ts";

const STYLES = new Set([
  "merge",
  "rebase",
  "rebase-merge",
  "squash",
  "fast-forward-only",
  "manually-merged",
]);

export function registerMergeRoutes(app: ApiApp, forge: Forge): void {
  const { git } = forge;

  app.get("/repos/:owner/:repo/pulls/:index/merge", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, forge, found.ok.repo);
    if (pull instanceof Response) return pull;
    return pull.pull!.merged ? statusOnly(204) : notFound(forge.rootUrl);
  });

  app.post("/repos/:owner/:repo/pulls/:index/merge", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const pull = pullOf(c, forge, repo);
    if (pull instanceof Response) return pull;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const style = String(body.ok.do ?? "");
    if (!STYLES.has(style)) return apiError(forge.rootUrl, 422, "[Do]: In");
    const info = pull.pull!;
    if (info.merged) return apiError(forge.rootUrl, 405, "");
    if (pull.state === "closed") return notFound(forge.rootUrl);
    if (forge.now() < info.mergeableAt) {
      return apiError(forge.rootUrl, 405, "Please try again later");
    }
    const me = found.ok.caller!.user;
    const head = await pullHead(forge, repo, pull);
    const blocked = mergeBlocked(
      forge,
      repo,
      pull,
      me,
      body.ok.force_merge === true && canAdmin(found.ok.level),
      head,
    );
    if (blocked) return apiError(forge.rootUrl, 405, blocked);
    // services/pull/merge.go: a head_commit_id that is not the PR's head is ErrSHADoesNotMatch,
    // which routers/api/v1/repo/pull.go MergePullRequest answers 409 "head out of date".
    const expected = String(body.ok.head_commit_id ?? "");
    if (expected !== "" && expected !== head) {
      return apiError(forge.rootUrl, 409, "head out of date");
    }
    if (style === "manually-merged") {
      markMerged(forge, pull, me.login, String(body.ok.mergecommitid ?? ""));
      forge.onChange();
      return new Response(null, { status: 200 });
    }
    const allowedKey = {
      merge: "allow_merge_commits",
      rebase: "allow_rebase",
      "rebase-merge": "allow_rebase_explicit",
      squash: "allow_squash_merge",
      "fast-forward-only": "allow_fast_forward_only_merge",
    }[style]!;
    if (repo.settings[allowedKey] === false) {
      return apiError(
        forge.rootUrl,
        405,
        `${style} is not allowed an allowed merge style for this repository`,
      );
    }
    const title = String(
      body.ok.mergetitlefield || `Merge pull request '${pull.title}' (#${pull.number})`,
    );
    const extra = String(body.ok.mergemessagefield ?? "");
    const result = await git.merge(repo.owner, repo.name, info.base, `refs/heads/${info.head}`, {
      style: style as MergeStyle,
      message: extra ? `${title}\n\n${extra}` : title,
      author: { name: me.login, email: forge.placeholderEmail(me.login) },
    });
    if (!result.merged) {
      return result.reason === "conflict"
        ? apiError(forge.rootUrl, 409, "Merge conflict")
        : apiError(
          forge.rootUrl,
          405,
          result.reason === "not-fast-forward"
            ? "not allowed to merge [reason: The head branch is behind the base branch]"
            : "Please try again later",
        );
    }
    markMerged(forge, pull, me.login, result.sha);
    if (body.ok.delete_branch_after_merge === true && info.head !== repo.defaultBranch) {
      await git.deleteBranch(repo.owner, repo.name, info.head);
    }
    forge.onChange();
    return new Response(null, { status: 200 });
  });
}

function markMerged(forge: Forge, pull: IssueRecord, actor: string, sha: string): void {
  const info = pull.pull!;
  info.merged = true;
  info.mergedAt = forge.iso();
  info.mergedBy = actor;
  info.mergeCommitSha = sha || null;
  pull.state = "closed";
  pull.closed = info.mergedAt;
  forge.addEvent(pull, "merge_pull", actor);
  forge.addEvent(pull, "close", actor);
}

/** The branch protection reason that stops a merge, or null. */
function mergeBlocked(
  forge: Forge,
  repo: RepoRecord,
  pull: IssueRecord,
  me: UserRecord,
  force: boolean,
  headNow: string | null,
): string | null {
  // CheckPullBranchProtections: GetFirstMatchProtectedBranchRule on the base branch.
  const rule = protectionFor(repo, pull.pull!.base);
  if (!rule || force) return null;
  const f = rule.fields;
  if (f.enable_merge_whitelist === true && !onWhitelist(rule, "merge_whitelist_usernames", me)) {
    return "User not allowed to merge PR";
  }
  // CheckPullBranchProtections (services/pull/merge.go): HasEnoughApprovals,
  // then MergeBlockedByRejectedReview; only official reviews count (review_kit.ts).
  const tally = reviewTally(forge, rule, pull, headNow);
  if (tally.approvals < Number(f.required_approvals ?? 0)) {
    return "not allowed to merge [reason: Does not have enough approvals]";
  }
  if (f.block_on_rejected_reviews === true && tally.rejected) {
    return "not allowed to merge [reason: There are requested changes]";
  }
  return null;
}
