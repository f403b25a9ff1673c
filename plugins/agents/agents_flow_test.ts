/**
 * The agents' poll cycles against the Forgejo emulator, in process, with a
 * fake agent that edits the worktree: a backlog issue becomes a branch, a PR
 * that closes it, an approval by review-bot, a merge by dev-bot and a closed
 * issue — all read back through the forge API.
 */
import { REVIEW_ATTEMPTS } from "./review_cycle.ts";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { agentsKit, fakeAgent, openPr, outcome, SLUG } from "./_agents_kit.ts";

Deno.test("backlog issue → claim → fix/issue-n with the change → PR 'Closes #n' → approved → merged → closed", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Add a greeting", ["backlog"], "Say hello in hello.txt");
    const agent = fakeAgent();
    const dev = await kit.run(["agents", "poll", "dev", "--once"], { runner: agent });
    assert.equal(dev.code, 0, dev.stderr + dev.stdout);
    assert.match(dev.stdout, new RegExp(`dev: #${n}: claimed`));
    assert.equal(agent.calls.length, 1);
    const call = agent.calls[0]!;
    assert.equal(call.role, "dev");
    assert.equal(call.issue, n);
    assert.match(call.prompt, /Add a greeting/);
    assert.match(call.prompt, /Say hello in hello\.txt/);
    assert.equal(call.env.FORGE_USER, "dev-bot");
    assert.equal(call.env.FORGE_REVIEW_TOKEN, undefined, "no other identity's token");

    const pulls = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pulls.length, 1);
    const pr = pulls[0];
    assert.equal(pr.head.ref, `fix/issue-${n}`);
    assert.equal(pr.user.login, "dev-bot");
    assert.equal(pr.title, "Add a greeting");
    assert.match(pr.body, new RegExp(`^Closes #${n}$`, "m"));
    assert.equal(await kit.git("show", `fix/issue-${n}:issue-${n}.txt`), "change 1");
    assert.equal(
      await kit.git("log", "-1", "--format=%an %s", pr.head.sha),
      "dev-bot Add a greeting (#1)",
    );
    const issue = await kit.get(`/repos/${SLUG}/issues/${n}`);
    assert.deepEqual(issue.assignees.map((a: { login: string }) => a.login), ["dev-bot"]);
    assert.deepEqual(issue.labels.map((l: { name: string }) => l.name), ["in-progress"]);
    // No token in the clone's remote or config.
    const config = await readFile(
      join(kit.h.root, "state", "work", "app", "dev-bot", "clone.git", "config"),
      "utf8",
    );
    const token = (await readFile(join(kit.h.root, ".env"), "utf8")).match(
      /^FORGE_TOKEN=(.+)$/m,
    )![1]!;
    assert.ok(!config.includes(token));
    assert.match(
      config,
      new RegExp(`url = ${kit.h.emulator.url.replace(/\/$/, "")}/acme/app.git\n`),
    );
    assert.doesNotMatch(config, /extraheader|credential/i);

    kit.h.clock.advance(5);
    const review = await kit.run(["agents", "poll", "review"], { runner: agent });
    assert.equal(review.code, 0, review.stderr + review.stdout);
    assert.match(review.stdout, new RegExp(`review: PR #${pr.number}: APPROVED`));
    const reviews = await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    assert.deepEqual(
      reviews.map((r: { user: { login: string }; state: string; commit_id: string }) => [
        r.user.login,
        r.state,
        r.commit_id,
      ]),
      [["review-bot", "APPROVED", pr.head.sha]],
    );
    assert.doesNotMatch(reviews[0].body, /VERDICT/);

    // A second review cycle finds nothing new to review (no agent run).
    const again = await kit.run(["agents", "poll", "review"], { runner: agent });
    assert.equal(again.code, 0);
    assert.equal(agent.calls.length, 2);

    const merge = await kit.run(["agents", "poll", "dev"], { runner: agent });
    assert.equal(merge.code, 0, merge.stderr + merge.stdout);
    assert.match(merge.stdout, new RegExp(`PR #${pr.number}: merged`));
    const merged = await kit.get(`/repos/${SLUG}/pulls/${pr.number}`);
    assert.equal(merged.merged, true);
    assert.equal((await kit.get(`/repos/${SLUG}/issues/${n}`)).state, "closed");
    assert.equal(await kit.git("show", `main:issue-${n}.txt`), "change 1");
    assert.equal(agent.calls.length, 2, "the merge cycle ran no agent");
  } finally {
    await kit.dispose();
  }
});

Deno.test("a review run that keeps failing: retried, then one COMMENT on that head ends the retries", async () => {
  const kit = await agentsKit();
  try {
    const { pr } = await openPr(kit, "Task");
    let runs = 0;
    const failing = fakeAgent(() => {
      runs++;
      return outcome({ success: false, detail: "error_max_turns" });
    });
    const reviews = () => kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    for (let i = 1; i < REVIEW_ATTEMPTS; i++) {
      assert.equal((await kit.run(["agents", "poll", "review"], { runner: failing })).code, 0);
      assert.deepEqual(await reviews(), [], `after ${i} failed runs`);
    }
    const last = await kit.run(["agents", "poll", "review"], { runner: failing });
    assert.match(
      last.stdout,
      new RegExp(`gave up on ${pr.head.sha} after ${REVIEW_ATTEMPTS} runs`),
    );
    const [comment] = await reviews();
    assert.equal(comment.state, "COMMENT");
    assert.equal(comment.commit_id, pr.head.sha);
    assert.match(comment.body, /could not review commit .*error_max_turns/);
    assert.equal((await kit.run(["agents", "poll", "review"], { runner: failing })).code, 0);
    assert.equal(runs, REVIEW_ATTEMPTS, "no run after giving up on the head");
  } finally {
    await kit.dispose();
  }
});

Deno.test("a bare 'VERDICT: REQUEST_CHANGES' answer still posts a REQUEST_CHANGES review (the forge needs a body)", async () => {
  const kit = await agentsKit();
  try {
    const { pr } = await openPr(kit, "Task");
    const terse = fakeAgent(() => outcome({ resultText: "VERDICT: REQUEST_CHANGES" }));
    const run = await kit.run(["agents", "poll", "review"], { runner: terse });
    assert.equal(run.code, 0, run.stdout);
    const [review] = await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    assert.equal(review.state, "REQUEST_CHANGES");
    assert.match(review.body, /asked for changes/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("an unclear review answer is posted as a COMMENT; a failed review run posts nothing", async () => {
  const kit = await agentsKit();
  try {
    const { pr } = await openPr(kit, "Task");
    const failing = fakeAgent(() => outcome({ success: false, detail: "error_max_turns" }));
    const failed = await kit.run(["agents", "poll", "review"], { runner: failing });
    assert.equal(failed.code, 0);
    assert.match(failed.stdout, /agent failed \(error_max_turns\)/);
    assert.deepEqual(await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`), []);
    const unclear = fakeAgent(() => outcome({ resultText: "I am not sure about this." }));
    assert.equal((await kit.run(["agents", "poll", "review"], { runner: unclear })).code, 0);
    const reviews = await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    assert.deepEqual(reviews.map((r: { state: string }) => r.state), ["COMMENT"]);
    assert.equal(reviews[0].body, "I am not sure about this.");
  } finally {
    await kit.dispose();
  }
});
