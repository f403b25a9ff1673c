/**
 * A local-model dev agent merges its own approved PR: hired with
 * `hire-an-agent dev-qwen dev --local-model`, then `init` re-run puts it in
 * the primary branch's merge whitelist beside dev-bot. The emulator counts
 * only official approvals, as Forgejo v11 does: review-bot reads the project
 * repo only, so its approval counts because init names it in the approvals
 * whitelist.
 */
import assert from "node:assert/strict";
import { startModelServer } from "../agents_llama/_emulator_checks.ts";
import { agentsKit, fakeAgent, hireLocalDev, SLUG } from "./_agents_kit.ts";

Deno.test("a local-model dev agent's approved PR is merged by the agent after init re-runs", async () => {
  const kit = await agentsKit();
  const model = await startModelServer();
  try {
    const qwen = await hireLocalDev(kit, model.url);

    const n = await kit.issue("Add a greeting", ["backlog"], "Say hello in hello.txt");
    const agent = fakeAgent();
    const dev = await kit.run(["agents", "poll", "dev", "--once"], { runner: agent, env: qwen });
    assert.equal(dev.code, 0, dev.stderr + dev.stdout);
    const [pr] = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pr.user.login, "dev-qwen");

    kit.h.clock.advance(5);
    const review = await kit.run(["agents", "poll", "review"], { runner: agent });
    assert.equal(review.code, 0, review.stderr + review.stdout);
    const reviews = await kit.get(`/repos/${SLUG}/pulls/${pr.number}/reviews`);
    assert.deepEqual(
      reviews.map((r: { user: { login: string }; state: string; official: boolean }) => [
        r.user.login,
        r.state,
        r.official,
      ]),
      [["review-bot", "APPROVED", true]],
    );

    // Before init learns of the agent, the forge refuses its merge.
    const refused = await kit.run(["agents", "poll", "dev"], { runner: agent, env: qwen });
    assert.match(refused.stdout, /not merged yet \(405 User not allowed to merge PR\)/);

    const init = await kit.run(["init", SLUG, "--yes"]);
    assert.equal(init.code, 0, init.stderr + init.stdout);
    assert.match(init.stdout, /^updated\s+protection acme\/app:main$/m);
    const rule = await kit.get(`/repos/${SLUG}/branch_protections/main`);
    assert.deepEqual(rule.merge_whitelist_usernames, ["dev-bot", "dev-qwen"]);
    assert.deepEqual(rule.approvals_whitelist_username, ["review-bot"]);
    const again = await kit.run(["init", SLUG, "--yes"]);
    assert.match(again.stdout, /^unchanged\s+protection acme\/app:main$/m);

    const merge = await kit.run(["agents", "poll", "dev"], { runner: agent, env: qwen });
    assert.equal(merge.code, 0, merge.stderr + merge.stdout);
    assert.match(merge.stdout, new RegExp(`PR #${pr.number}: merged`));
    const merged = await kit.get(`/repos/${SLUG}/pulls/${pr.number}`);
    assert.equal(merged.merged, true);
    assert.equal(merged.merged_by.login, "dev-qwen");
    assert.equal((await kit.get(`/repos/${SLUG}/issues/${n}`)).state, "closed");
  } finally {
    await model.shutdown();
    await kit.dispose();
  }
});
