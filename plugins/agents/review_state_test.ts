import assert from "node:assert/strict";
import {
  approvalOf,
  approvedAt,
  issueOfPull,
  reviewedHead,
  type ReviewFacts,
  unansweredChangeRequest,
} from "./review_state.ts";

const r = (id: number, login: string, state: string, commit_id = "h1", dismissed = false) =>
  ({ id, user: { login }, state, commit_id, dismissed }) satisfies ReviewFacts;

Deno.test("approvalOf: each reviewer's latest verdict counts; the author's and dismissed ones do not", () => {
  assert.deepEqual(approvalOf([], "dev-bot"), { approved: false, changesRequested: null });
  assert.equal(approvalOf([r(1, "review-bot", "APPROVED")], "dev-bot").approved, true);
  // A later COMMENT does not take an approval back.
  assert.equal(
    approvalOf([r(1, "review-bot", "APPROVED"), r(2, "review-bot", "COMMENT")], "dev-bot")
      .approved,
    true,
  );
  const changed = approvalOf(
    [r(1, "review-bot", "APPROVED"), r(2, "alice", "REQUEST_CHANGES")],
    "dev-bot",
  );
  assert.equal(changed.approved, false);
  assert.equal(changed.changesRequested?.id, 2);
  // Changes requested, then approved by the same reviewer: approved.
  assert.equal(
    approvalOf([r(1, "review-bot", "REQUEST_CHANGES"), r(2, "Review-Bot", "APPROVED")], "dev-bot")
      .approved,
    true,
  );
  assert.equal(approvalOf([r(1, "dev-bot", "APPROVED")], "DEV-BOT").approved, false);
  assert.equal(approvalOf([r(1, "review-bot", "APPROVED", "h1", true)], "dev-bot").approved, false);
});

Deno.test("unansweredChangeRequest: only a request on the current head (no push since)", () => {
  const reviews = [r(1, "review-bot", "REQUEST_CHANGES", "h1")];
  assert.equal(unansweredChangeRequest(reviews, "dev-bot", "h1")?.id, 1);
  assert.equal(unansweredChangeRequest(reviews, "dev-bot", "h2"), null);
  assert.equal(unansweredChangeRequest(reviews, "dev-bot", undefined), null);
});

Deno.test("reviewedHead: a review of mine on the head commit, of any submitted state", () => {
  assert.equal(reviewedHead([r(1, "review-bot", "COMMENT", "h1")], "review-bot", "h1"), true);
  assert.equal(reviewedHead([r(1, "review-bot", "APPROVED", "h1")], "review-bot", "h2"), false);
  assert.equal(reviewedHead([r(1, "alice", "APPROVED", "h1")], "review-bot", "h1"), false);
  assert.equal(reviewedHead([r(1, "review-bot", "PENDING", "h1")], "review-bot", "h1"), false);
});

Deno.test("issueOfPull: Closes #n in the body, else the fix/issue-<n> branch", () => {
  assert.equal(issueOfPull({ body: "x\nCloses #12\n", head: { ref: "feature" } }), 12);
  assert.equal(issueOfPull({ body: "fixes #3", head: { ref: "fix/issue-4" } }), 3);
  assert.equal(issueOfPull({ body: null, head: { ref: "fix/issue-4" } }), 4);
  assert.equal(issueOfPull({ body: "see #5", head: { ref: "feature" } }), null);
});

Deno.test("approvedAt: only an approval given on the current head commit counts", () => {
  const approved = [r(1, "review-bot", "APPROVED", "h1")];
  assert.equal(approvedAt(approved, "dev-bot", "h1"), true);
  assert.equal(approvedAt(approved, "dev-bot", "h2"), false, "pushed since the approval");
  assert.equal(approvedAt(approved, "dev-bot", undefined), false);
  // Changes asked on an older head still hold the merge back.
  const mixed = [r(1, "alice", "REQUEST_CHANGES", "h1"), r(2, "review-bot", "APPROVED", "h2")];
  assert.equal(approvedAt(mixed, "dev-bot", "h2"), false);
});
