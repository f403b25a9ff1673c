/**
 * What a pull request's reviews mean to the agents, as pure decisions:
 * whether it is approved, whether changes were asked for on the current head
 * (no push since), and whether a reviewer already reviewed the current head.
 * A user's verdict is their latest APPROVED / REQUEST_CHANGES review that
 * was not dismissed; COMMENT and PENDING reviews are no verdict (Forgejo
 * counts approvals the same way: models/issues/review.go).
 */
import { closedIssue } from "./pr_body.ts";

export interface ReviewFacts {
  id: number;
  state: string;
  user?: { login: string } | null | undefined;
  body?: string | null | undefined;
  commit_id?: string | undefined;
  dismissed?: boolean | undefined;
}

const VERDICTS = new Set(["APPROVED", "REQUEST_CHANGES"]);
/** Forge logins compare case-insensitively. */
export const sameLogin = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** Each reviewer's current verdict (other than `author`'s), by login, in review order. */
export function currentVerdicts<R extends ReviewFacts>(
  reviews: readonly R[],
  author: string,
): Map<string, R> {
  const latest = new Map<string, R>();
  for (const review of [...reviews].sort((a, b) => a.id - b.id)) {
    const login = review.user?.login;
    if (!login || sameLogin(login, author) || review.dismissed) continue;
    if (VERDICTS.has(review.state)) latest.set(login.toLowerCase(), review);
  }
  return latest;
}

export interface Approval<R> {
  /** Someone approved and nobody's current verdict asks for changes. */
  approved: boolean;
  /** The newest current REQUEST_CHANGES review, if any. */
  changesRequested: R | null;
}

export function approvalOf<R extends ReviewFacts>(
  reviews: readonly R[],
  author: string,
): Approval<R> {
  const verdicts = [...currentVerdicts(reviews, author).values()];
  const changes = verdicts.filter((review) => review.state === "REQUEST_CHANGES");
  return {
    approved: changes.length === 0 && verdicts.some((review) => review.state === "APPROVED"),
    changesRequested: changes.sort((a, b) => b.id - a.id)[0] ?? null,
  };
}

/**
 * Approved for the commit that would be merged: nobody's current verdict
 * asks for changes and an approval was given on `headSha` itself. An
 * approval of an earlier head does not cover commits pushed since (a CI fix
 * the reviewer never saw); the forge counts it unless the branch protection
 * dismisses stale approvals, so the merge pass must check.
 */
export function approvedAt<R extends ReviewFacts>(
  reviews: readonly R[],
  author: string,
  headSha: string | undefined,
): boolean {
  const verdicts = [...currentVerdicts(reviews, author).values()];
  return headSha !== undefined && !verdicts.some((review) => review.state === "REQUEST_CHANGES") &&
    verdicts.some((review) => review.state === "APPROVED" && review.commit_id === headSha);
}

/**
 * The review asking for changes that the author has not answered with a push:
 * it was given on the current head commit. After a push the head moves on and
 * the author waits for the reviewer's next verdict instead.
 */
export function unansweredChangeRequest<R extends ReviewFacts>(
  reviews: readonly R[],
  author: string,
  headSha: string | undefined,
): R | null {
  const request = approvalOf(reviews, author).changesRequested;
  if (!request || !headSha) return null;
  return request.commit_id === headSha ? request : null;
}

/** Whether `reviewer` already reviewed `headSha` (any submitted state, not dismissed). */
export function reviewedHead(
  reviews: readonly ReviewFacts[],
  reviewer: string,
  headSha: string | undefined,
): boolean {
  return reviews.some((review) =>
    sameLogin(review.user?.login, reviewer) && review.state !== "PENDING" && !review.dismissed &&
    headSha !== undefined && review.commit_id === headSha
  );
}

/**
 * The issue a PR works on: the one its body closes (`Closes #n`, read as
 * pullBody writes it and Forgejo reads it), else `fix/issue-<n>`.
 */
export function issueOfPull(
  pull: { body?: string | null | undefined; head: { ref: string } },
): number | null {
  const closing = closedIssue(pull.body ?? "");
  if (closing !== null) return closing;
  const branch = /^fix\/issue-(\d+)$/.exec(pull.head.ref);
  return branch ? Number(branch[1]) : null;
}
