/**
 * Fidelity: what each list endpoint answers when there is nothing to list.
 * Forgejo v11's handlers build most lists with make(…, 0) and answer `[]`;
 * a few build them with a nil slice or `var` and answer `null` — each case
 * names the handler it was read from.
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  adminCall,
  call,
  newIssue,
  newRepo,
  newUser,
} from "../../../tests/helpers/emulator_api.ts";

const R = "alice/lists";

/** Path (under /api/v1) → the exact body, and the handler it was read from. */
const EMPTY_LISTS: ReadonlyArray<[string, string, string]> = [
  [`/repos/${R}/labels`, "[]", "repo/label.go ListLabels: convert.ToLabelList, make"],
  [
    `/repos/${R}/issues?state=closed`,
    "[]",
    "repo/issue.go ListIssues: convert.ToAPIIssueList, make",
  ],
  [`/repos/${R}/issues/1/labels`, "[]", "repo/issue_label.go ListIssueLabels: ToLabelList"],
  [`/repos/${R}/issues/1/comments`, "[]", "repo/issue_comment.go ListIssueComments: make"],
  [
    `/repos/${R}/issues/1/timeline`,
    "null",
    "repo/issue_comment.go ListIssueCommentsAndTimeline: var apiComments, &apiComments",
  ],
  [`/repos/${R}/pulls?state=closed`, "[]", "repo/pull.go ListPullRequests: make"],
  [`/repos/${R}/pulls/2/reviews`, "[]", "convert/pull_review.go ToPullReviewList: make"],
  [`/repos/${R}/push_mirrors`, "[]", "repo/mirror.go ListPushMirrors: make"],
  [`/repos/${R}/collaborators`, "[]", "repo/collaborators.go ListCollaborators: make"],
  [`/repos/${R}/tags`, "[]", "repo/tag.go ListTags: make"],
  [`/repos/${R}/branch_protections`, "[]", "repo/branch.go ListBranchProtections: make"],
  [`/repos/${R}/branches?page=9`, "[]", "repo/branch.go ListBranches: make when not empty"],
  ["/repos/alice/bare/branches", "null", "repo/branch.go ListBranches: var, an empty repo"],
  [`/repos/${R}/statuses/${"0".repeat(40)}`, "[]", "repo/status.go getCommitStatuses: make"],
  ["/users/alice/tokens", "[]", "user/app.go ListAccessTokens: make"],
];

Deno.test("forgejo fidelity: empty lists answer [] or null as each handler does", async () => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    await newRepo(em, "alice", "lists");
    await newRepo(em, "alice", "bare", { auto_init: false });
    await newIssue(em, R, "nothing happened here");
    await adminCall(em, "POST", `/repos/${R}/branches`, { new_branch_name: "topic" });
    await adminCall(em, "POST", `/repos/${R}/pulls`, { head: "topic", base: "main", title: "p" });
    // Issue 1 and pull 2 exist but have no labels, comments, events or reviews.
    for (const [path, body, source] of EMPTY_LISTS) {
      const auth = path.startsWith("/users/") ? alice.auth : adminAuth(em);
      const reply = await call(em, "GET", path, { auth });
      assert.equal(reply.status, 200, `${path}: ${reply.text}`);
      assert.equal(reply.text, `${body}\n`, `${path} (${source})`);
    }
  } finally {
    await em.dispose();
  }
});
