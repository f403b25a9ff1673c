/**
 * SPEC §14 regression 14: another agent's in-progress issue must not hold this
 * agent's backlog back. The pure queue, then IssueLifecycle.next() against the
 * emulator.
 */
import assert from "node:assert/strict";
import { basicAuth } from "../../../core/forgejo/auth.ts";
import { ForgejoHttp } from "../../../core/forgejo/http.ts";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  newIssue,
  newLabel,
  newRepo,
  newUser,
} from "../../../tests/helpers/emulator_api.ts";
import { IssueLifecycle } from "./lifecycle.ts";
import { devQueue, type IssueFacts } from "./next_issue.ts";

const issue = (number: number, labels: string[], assignees: string[] = []): IssueFacts => ({
  number,
  labels,
  assignees,
});

Deno.test("another agent's in-progress issue does not hold my backlog back", () => {
  const queue = devQueue([issue(1, ["in-progress"], ["dev-a"]), issue(2, ["backlog"])], "dev-b");
  assert.deepEqual(queue, { resume: null, backlog: [2] });
});

Deno.test("my own in-progress issue comes first; then priority, then oldest", () => {
  const issues = [
    issue(3, ["backlog"]),
    issue(4, ["backlog", "priority"]),
    issue(5, ["in-progress"], ["Dev-B"]),
    issue(2, ["backlog"]),
  ];
  assert.deepEqual(devQueue(issues, "dev-b"), { resume: 5, backlog: [4, 2, 3] });
});

Deno.test("issues of other agents, non-dev issues and pull requests are skipped", () => {
  const issues = [
    issue(1, ["backlog"], ["dev-a"]),
    issue(2, ["backlog", "bug-report"]),
    issue(3, ["backlog", "prediction/unreviewed"]),
    { ...issue(4, ["backlog"]), pull_request: {} },
    issue(5, ["backlog"], ["dev-b"]),
    issue(6, ["in-progress"]),
  ];
  assert.deepEqual(devQueue(issues, "dev-b"), { resume: null, backlog: [5] });
});

Deno.test("IssueLifecycle.next on the emulator: dev-b claims the backlog while dev-a works", async () => {
  const em = await startEmulator();
  try {
    await newUser(em, "dev-a");
    await newUser(em, "dev-b");
    const repo = `${em.admin.user}/app`;
    await newRepo(em, em.admin.user, "app");
    for (const user of ["dev-a", "dev-b"]) {
      const put = await call(em, "PUT", `/repos/${repo}/collaborators/${user}`, {
        auth: adminAuth(em),
        body: { permission: "write" },
      });
      assert.equal(put.status, 204);
    }
    const backlog = await newLabel(em, repo, "backlog");
    const inProgress = await newLabel(em, repo, "in-progress");
    const busy = await newIssue(em, repo, "dev-a's work", {
      labels: [inProgress],
      assignees: ["dev-a"],
    });
    const waiting = await newIssue(em, repo, "queued", { labels: [backlog] });

    const http = new ForgejoHttp(em.url, basicAuth(em.admin.user, em.admin.pass), {
      fetch: (input, init) => fetch(input, init),
    });
    const next = (me: string) => new IssueLifecycle(http, repo, { me, now: () => 0 }).next();
    assert.deepEqual(await next("dev-b"), { action: "claim", issue: waiting });
    assert.deepEqual(await next("dev-a"), { action: "resume", issue: busy });
  } finally {
    await em.dispose();
  }
});
