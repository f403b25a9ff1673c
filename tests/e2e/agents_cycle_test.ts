/**
 * The factory's reason for being, on the compiled binary with every part
 * real: `forge emulate` as the forge, `model emulate` as the model server and
 * the real `claude` CLI as the agent. A backlog issue becomes a branch with
 * the model's change to the README and a PR that says "Closes #1" (`agents
 * poll dev --once`), review-bot approves it (`agents poll review --once`), and
 * the next dev cycle merges it and the issue is closed — each checked through
 * the forge's API. No secret of the factory appears in any output or run log.
 */
import assert from "node:assert/strict";
import { agentsFactory } from "../helpers/agents_e2e.ts";
import { quickstartScript } from "../helpers/model_emulator.ts";

/** What the quickstart's script has the dev agent write. */
const README = "# app\n\nHello from the factory!\n";

Deno.test("agents on the binary: backlog issue → PR by dev-bot → approved by review-bot → merged, issue closed", async () => {
  const factory = await agentsFactory();
  try {
    const model = await factory.model(quickstartScript);
    await factory.poll("dev", model);
    const pulls = await factory.asDev("/pulls?state=open");
    assert.equal(pulls.length, 1, JSON.stringify(pulls));
    const pull = pulls[0];
    assert.equal(pull.head.ref, "fix/issue-1");
    assert.equal(pull.user.login, "dev-bot");
    assert.match(pull.body, /Closes #1\b/);
    assert.equal(await factory.fileOnBranch("fix/issue-1", "README.md"), README);
    const claimed = await factory.asDev("/issues/1");
    assert.deepEqual(claimed.assignees.map((a: { login: string }) => a.login), ["dev-bot"]);

    await factory.poll("review", model);
    const reviews = await factory.asDev(`/pulls/${pull.number}/reviews`);
    const verdicts = reviews.map((r: { user: { login: string }; state: string }) =>
      `${r.user.login}:${r.state}`
    );
    assert.deepEqual(verdicts, ["review-bot:APPROVED"]);

    await factory.poll("dev", model);
    assert.equal((await factory.asDev(`/pulls/${pull.number}`)).merged, true);
    assert.equal((await factory.asDev("/issues/1")).state, "closed");
    assert.equal(await factory.fileOnBranch("main", "README.md"), README);
    await factory.assertNoSecretShown();
  } finally {
    await factory.dispose();
  }
});
