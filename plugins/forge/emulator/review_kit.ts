/**
 * Which reviews count, as Forgejo v11 decides: a review is `official` when
 * posted (models/issues/review.go SubmitReview → IsOfficialReviewer), goes
 * `stale` when the pull's head moves past its commit (services/pull/pull.go
 * ValidatePullRequest), and only official, undismissed approvals count toward
 * `required_approvals` (models/issues/pull.go GetGrantedApprovalsCount).
 */
import type { Forge } from "./forge.ts";
import { onWhitelist, protectionFor } from "./protection.ts";
import { canWrite } from "./route_kit.ts";
import type {
  IssueRecord,
  ProtectionRecord,
  RepoRecord,
  ReviewRecord,
  UserRecord,
} from "./state.ts";

/**
 * preparePullReviewType (routers/api/v1/repo/pull_review.go): the event is
 * matched exactly, anything else is a PENDING review; one's own pull cannot
 * be approved or rejected; only an approval needs no body, and a comment
 * needs a body or inline comments.
 */
export function reviewTypeOf(
  event: string,
  body: string,
  hasComments: boolean,
  ownPull: boolean,
): { state: string } | { error: string } {
  const hasBody = body.trim() !== "";
  switch (event) {
    case "APPROVED":
      return ownPull ? { error: "approve your own pull is not allowed" } : { state: event };
    case "REQUEST_CHANGES":
      if (ownPull) return { error: "reject your own pull is not allowed" };
      break;
    case "COMMENT":
      return hasBody || hasComments
        ? { state: event }
        : { error: "review event COMMENT requires a body or a comment" };
  }
  if (!hasBody) return { error: `review event ${event} requires a body` };
  return { state: event === "REQUEST_CHANGES" ? event : "PENDING" };
}

/** Only an approval or a rejection can be official (SubmitReview). */
export function isVerdict(state: string): boolean {
  return state === "APPROVED" || state === "REQUEST_CHANGES";
}

/**
 * IsOfficialReviewer (models/issues/review.go): without a rule on the base
 * branch, write access; with one, IsUserOfficialReviewer
 * (models/git/protected_branch.go): the approvals whitelist when
 * `enable_approvals_whitelist` (teams are not modelled), else write access.
 */
export function isOfficialReviewer(
  forge: Forge,
  repo: RepoRecord,
  pull: IssueRecord,
  user: UserRecord,
): boolean {
  const rule = protectionFor(repo, pull.pull!.base);
  if (rule?.fields.enable_approvals_whitelist !== true) return canWrite(forge.access(repo, user));
  return onWhitelist(rule, "approvals_whitelist_username", user);
}

/**
 * A new approval or rejection clears `official` on the reviewer's earlier
 * reviews of the pull: only the latest verdict counts (SubmitReview's UPDATE).
 */
export function clearEarlierOfficial(forge: Forge, pull: IssueRecord, login: string): void {
  for (const review of forge.state.data.reviews) {
    if (review.issueId === pull.id && review.user.toLowerCase() === login.toLowerCase()) {
      review.official = false;
    }
  }
}

/**
 * `stale` as Forgejo keeps it: set when submitted (a verdict on a commit
 * other than the head), and after the head moves every review is stale but
 * those on the new head (MarkReviewsAsStale, MarkReviewsAsNotStale). The
 * emulator reads this lazily from the head now; Forgejo also compares the
 * diffs (checkIfPRContentChanged), which the emulator does not.
 */
export function isStale(review: ReviewRecord, headNow: string | null): boolean {
  if (headNow && review.head && headNow !== review.head) return review.commitId !== headNow;
  return review.stale === true;
}

/**
 * GetGrantedApprovalsCount and MergeBlockedByRejectedReview
 * (models/issues/pull.go): official, undismissed APPROVED reviews (not stale
 * ones with `ignore_stale_approvals`), and any official, undismissed
 * REQUEST_CHANGES.
 */
export function reviewTally(
  forge: Forge,
  rule: ProtectionRecord,
  pull: IssueRecord,
  headNow: string | null,
): { approvals: number; rejected: boolean } {
  const counted = forge.state.data.reviews.filter((r) =>
    r.issueId === pull.id && r.official === true && r.dismissed !== true
  );
  const ignoreStale = rule.fields.ignore_stale_approvals === true;
  return {
    approvals:
      counted.filter((r) => r.state === "APPROVED" && !(ignoreStale && isStale(r, headNow))).length,
    rejected: counted.some((r) => r.state === "REQUEST_CHANGES"),
  };
}

/** convert.ToPullReview (services/convert/pull_review.go). */
export function reviewJson(
  forge: Forge,
  review: ReviewRecord,
  pullUrl: string,
  headNow: string | null,
) {
  return {
    id: review.id,
    user: forge.actorJson(review.user),
    team: null,
    state: review.state,
    body: review.body,
    commit_id: review.commitId,
    stale: isStale(review, headNow),
    official: review.official === true,
    dismissed: review.dismissed === true,
    comments_count: 0,
    submitted_at: review.submitted,
    updated_at: review.submitted,
    html_url: `${pullUrl}#issuecomment-${review.id}`,
    pull_request_url: pullUrl,
  };
}
