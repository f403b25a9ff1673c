/**
 * The dev cycle's merge pass against the emulator: an approval counts only
 * for the head commit it was given on. A CI fix pushed after the approval is
 * not merged until the reviewer has seen it.
 */
import assert from "node:assert/strict";
import {
  agentsKit,
  editWorktree,
  failCi,
  fakeAgent,
  openPr,
  outcome,
  SLUG,
} from "./_agents_kit.ts";

Deno.test("an approval of an earlier head does not merge a CI fix the reviewer never saw", async () => {
  const kit = await agentsKit();
  try {
    const { n, pr } = await openPr(kit);
    const approve = await kit.run(["agents", "poll", "review"]);
    assert.match(approve.stdout, /APPROVED/);
    // CI fails on the approved head: not merged; the agent pushes a fix.
    await failCi(kit, pr.number, "1 test failed");
    const dev = fakeAgent(async (invocation) => {
      await editWorktree(invocation, "ci fixed");
      return outcome();
    });
    const fix = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.match(fix.stdout, /ci fix 1 pushed/);
    const head = (await kit.get(`/repos/${SLUG}/pulls/${pr.number}`)).head.sha;
    assert.notEqual(head, pr.head.sha);

    // The new head has no status (green) and only the old approval: wait for review.
    const wait = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(wait.code, 0, wait.stderr + wait.stdout);
    assert.doesNotMatch(wait.stdout, /merged/);
    assert.match(wait.stdout, /waits for review or CI/);
    assert.equal((await kit.get(`/repos/${SLUG}/pulls/${pr.number}`)).merged, false);

    // Reviewed on the new head: merged, issue closed.
    assert.match((await kit.run(["agents", "poll", "review"])).stdout, /APPROVED/);
    const merge = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.match(merge.stdout, /PR #\d+: merged/);
    assert.equal((await kit.get(`/repos/${SLUG}/issues/${n}`)).state, "closed");
    assert.equal(dev.calls.length, 1);
  } finally {
    await kit.dispose();
  }
});

Deno.test("the agent's summary naming another issue after 'fixes' does not make the PR close it", async () => {
  const kit = await agentsKit();
  try {
    const other = await kit.issue("Unrelated", ["tech-debt"]);
    const n = await kit.issue("Make it faster");
    const dev = fakeAgent(async (invocation) => {
      await editWorktree(invocation, "faster");
      return outcome({ resultText: `Made it faster. This also fixes #${other}.` });
    });
    assert.equal((await kit.run(["agents", "poll", "dev"], { runner: dev })).code, 0);
    const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(
      pr.body,
      `Closes #${n}\n\nMade it faster. This also fixes issue #${other}.\n`,
    );
  } finally {
    await kit.dispose();
  }
});

Deno.test("a push between the checks and the merge: the merge names the checked head and is refused", async () => {
  const kit = await agentsKit();
  try {
    const { pr } = await openPr(kit);
    assert.match((await kit.run(["agents", "poll", "review"])).stdout, /APPROVED/);
    // Someone pushes to the PR's branch just as the merge request leaves.
    let pushed = false;
    const racing: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (!pushed && url.endsWith(`/pulls/${pr.number}/merge`) && init?.method === "POST") {
        pushed = true;
        await kit.h.adminApi("POST", `/repos/${SLUG}/contents/late.txt`, {
          content: btoa("unreviewed\n"),
          branch: pr.head.ref,
          message: "a late push",
        });
      }
      return await fetch(input, init);
    };
    const run = await kit.run(["agents", "poll", "dev"], { fetch: racing });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.ok(pushed, "the merge was attempted");
    assert.match(
      run.stdout,
      new RegExp(`PR #${pr.number}: not merged yet \\(409 head out of date\\)`),
    );
    assert.equal((await kit.get(`/repos/${SLUG}/pulls/${pr.number}`)).merged, false);
  } finally {
    await kit.dispose();
  }
});

Deno.test("the merge pass closes the issue and takes its in-progress label off", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Make it faster");
    assert.equal((await kit.run(["agents", "poll", "dev"])).code, 0);
    assert.deepEqual(kit.h.labelNames(SLUG, n), ["in-progress"]);
    assert.match((await kit.run(["agents", "poll", "review"])).stdout, /APPROVED/);
    const merge = await kit.run(["agents", "poll", "dev"]);
    assert.match(merge.stdout, /PR #\d+: merged/);
    const issue = await kit.get(`/repos/${SLUG}/issues/${n}`);
    assert.equal(issue.state, "closed");
    assert.deepEqual(issue.labels, []);
    // Closed and unlabelled: the next cycle has nothing to do.
    const idle = await kit.run(["agents", "poll", "dev"]);
    assert.match(idle.stdout, /dev: cycle done: idle/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("a merge deletes the branch: a reopened issue starts afresh from the primary branch", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Make it faster");
    assert.equal((await kit.run(["agents", "poll", "dev"])).code, 0);
    assert.match((await kit.run(["agents", "poll", "review"])).stdout, /APPROVED/);
    assert.match((await kit.run(["agents", "poll", "dev"])).stdout, /PR #\d+: merged/);
    const branches = (await kit.get(`/repos/${SLUG}/branches`)).map((b: { name: string }) =>
      b.name
    );
    assert.deepEqual(branches, ["main"]);

    // A person reopens the issue and puts it back in the backlog.
    const backlog = kit.h.labels(SLUG).find((label) => label.name === "backlog")!;
    await kit.h.adminApi("PATCH", `/repos/${SLUG}/issues/${n}`, { state: "open", assignees: [] });
    await kit.h.adminApi("POST", `/repos/${SLUG}/issues/${n}/labels`, { labels: [backlog.id] });
    const dev = fakeAgent(async (invocation) => {
      await editWorktree(invocation, "second take");
      return outcome();
    });
    const again = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pr.head.ref, `fix/issue-${n}`);
    // One new commit on top of the primary branch's head (the merge), nothing of the old branch.
    assert.equal(await kit.git("rev-parse", `${pr.head.sha}^`), await kit.git("rev-parse", "main"));
    assert.equal(await kit.git("rev-list", "--count", `main..${pr.head.sha}`), "1");
  } finally {
    await kit.dispose();
  }
});
