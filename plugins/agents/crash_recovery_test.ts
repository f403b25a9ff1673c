/**
 * What a killed poller leaves behind, against the emulator: a branch pushed
 * by a run that died before opening its PR gets the PR on the next cycle
 * without paying for the agent again.
 */
import assert from "node:assert/strict";
import { type AgentsKit, agentsKit, fakeAgent, SLUG } from "./_agents_kit.ts";

/** A dev cycle that dies at its `POST /pulls`: the forge is gone from then on. */
async function crashBeforePull(kit: AgentsKit): Promise<number> {
  const n = await kit.issue("Make it faster");
  let dead = false;
  const dying: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.endsWith(`/repos/${SLUG}/pulls`) && init?.method === "POST") dead = true;
    return dead ? Promise.reject(new TypeError("connection refused")) : fetch(input, init);
  };
  const crash = await kit.run(["agents", "poll", "dev"], { fetch: dying });
  assert.equal(crash.code, 1, crash.stderr + crash.stdout);
  assert.ok(dead, "the cycle reached the PR");
  // The state a kill between the push and the PR leaves: claimed, pushed, no PR.
  const issue = await kit.get(`/repos/${SLUG}/issues/${n}`);
  assert.deepEqual(issue.labels.map((l: { name: string }) => l.name), ["in-progress"]);
  assert.deepEqual(issue.assignees.map((a: { login: string }) => a.login), ["dev-bot"]);
  assert.notEqual(await kit.git("rev-parse", `refs/heads/fix/issue-${n}`), "");
  assert.deepEqual(await kit.get(`/repos/${SLUG}/pulls?state=all`), []);
  return n;
}

Deno.test("a poller killed between its push and its PR: the next cycle opens the PR, no agent run", async () => {
  const kit = await agentsKit();
  try {
    const n = await crashBeforePull(kit);
    const agent = fakeAgent();
    const next = await kit.run(["agents", "poll", "dev"], { runner: agent });
    assert.equal(next.code, 0, next.stderr + next.stdout);
    assert.equal(agent.calls.length, 0);
    assert.match(next.stdout, new RegExp(`#${n}: PR #\\d+ opened from the pushed branch`));
    const pulls = await kit.get(`/repos/${SLUG}/pulls?state=open`);
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0].head.ref, `fix/issue-${n}`);
    assert.equal(pulls[0].user.login, "dev-bot");
    assert.equal(pulls[0].body, `Closes #${n}\n\n- Make it faster (#${n})\n`);
    assert.equal(await kit.git("show", `${pulls[0].head.sha}:issue-${n}.txt`), "change 1");
  } finally {
    await kit.dispose();
  }
});

Deno.test("a pushed branch with someone else's commit on it is worked on again, not opened as is", async () => {
  const kit = await agentsKit();
  try {
    const n = await crashBeforePull(kit);
    await kit.h.adminApi("POST", `/repos/${SLUG}/contents/theirs.txt`, {
      content: btoa("not the bot's\n"),
      branch: `fix/issue-${n}`,
      message: "a commit by someone else",
    });
    const agent = fakeAgent();
    const next = await kit.run(["agents", "poll", "dev"], { runner: agent });
    assert.equal(next.code, 0, next.stderr + next.stdout);
    assert.equal(agent.calls.length, 1);
    assert.match(next.stdout, /without a PR; working on it/);
    assert.equal((await kit.get(`/repos/${SLUG}/pulls?state=open`)).length, 1);
  } finally {
    await kit.dispose();
  }
});
