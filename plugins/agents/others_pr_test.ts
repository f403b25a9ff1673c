/**
 * Two dev agents on one repo (dev-bot and a local-model agent, dev-qwen):
 * an issue put back in the backlog while dev-bot's PR from `fix/issue-<n>`
 * is still open is left to dev-bot. dev-qwen neither pushes to that branch
 * nor re-runs its agent every cycle on a PR it cannot find as its own.
 */
import assert from "node:assert/strict";
import { startModelServer } from "../agents_llama/_emulator_checks.ts";
import {
  agentsKit,
  fakeAgent,
  hireLocalDev,
  openPr,
  putBackInBacklog,
  SLUG,
} from "./_agents_kit.ts";

Deno.test("a backlog issue with dev-bot's PR still open is left to dev-bot, not redone by dev-qwen", async () => {
  const kit = await agentsKit();
  const model = await startModelServer();
  try {
    const qwen = await hireLocalDev(kit, model.url);

    const { n, pr } = await openPr(kit, "Add a greeting");
    assert.equal(pr.user.login, "dev-bot");
    // A person puts the issue back in the backlog (as after a block) with the PR open.
    await putBackInBacklog(kit, n);
    await kit.h.adminApi("PATCH", `/repos/${SLUG}/issues/${n}`, { assignees: [] });
    kit.h.clock.advance(3600); // dev-bot's claim comment has long expired

    const agent = fakeAgent();
    for (let cycle = 1; cycle <= 2; cycle++) {
      const run = await kit.run(["agents", "poll", "dev"], { runner: agent, env: qwen });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`#${n}: PR #${pr.number} of dev-bot is open`));
    }
    assert.equal(agent.calls.length, 0, "dev-qwen ran no agent on dev-bot's work");
    assert.equal((await kit.get(`/repos/${SLUG}/pulls/${pr.number}`)).head.sha, pr.head.sha);
    const issue = await kit.get(`/repos/${SLUG}/issues/${n}`);
    assert.deepEqual(issue.assignees ?? [], []);
  } finally {
    await model.shutdown();
    await kit.dispose();
  }
});
