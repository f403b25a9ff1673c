/**
 * A review that asks for changes, answered on the compiled binary by the real
 * claude CLI resuming the session that wrote the code. The model emulator is
 * stateless: the turn it answers is the number of assistant turns the request
 * already holds, so only a resumed session (which sends the first run's
 * history) reaches the turn that makes the requested change; a fresh session
 * would write the first version again and push nothing.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { agentsFactory } from "../helpers/agents_e2e.ts";

const DEV = `
[[conversations]]
match = "You are a dev agent"
final_text = "Renamed."
# run 1 (implement): write the file, then a text turn that ends the run
[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Write"
input = { file_path = "{{cwd}}/README.md", content = "# app\\n\\nHello, factroy!\\n" }
[[conversations.turns]]
text = "Added the greeting."
# run 2 (the review fix, resumed): correct the typo the reviewer found
[[conversations.turns]]
[[conversations.turns.tool_use]]
name = "Edit"
input = { file_path = "{{cwd}}/README.md", old_string = "factroy", new_string = "factory" }
`;
const review = (verdict: string) => `
[[conversations]]
match = "You are a review agent"
[[conversations.turns]]
text = "${verdict === "APPROVE" ? "Spelled right now." : "Typo: factroy."}\\nVERDICT: ${verdict}"
`;

Deno.test("agents on the binary: changes requested → the fix resumes the Claude session → approved → merged", async () => {
  const factory = await agentsFactory();
  try {
    const scripts = join(factory.root, "..");
    const scriptFiles: Record<string, string> = {
      dev: DEV,
      no: review("REQUEST_CHANGES"),
      yes: review("APPROVE"),
    };
    for (const [name, text] of Object.entries(scriptFiles)) {
      await writeFile(join(scripts, `${name}.toml`), text);
    }
    const dev = await factory.model(join(scripts, "dev.toml"));
    await factory.poll("dev", dev);
    assert.equal(
      await factory.fileOnBranch("fix/issue-1", "README.md"),
      "# app\n\nHello, factroy!\n",
    );

    await factory.poll("review", await factory.model(join(scripts, "no.toml")));
    const [pull] = await factory.asDev("/pulls?state=open");
    const fix = await factory.poll("dev", dev);
    assert.match(fix.stdout, /review fix 1 pushed to PR #\d+/);
    assert.doesNotMatch(fix.stdout, /could not be resumed/);
    assert.equal(
      await factory.fileOnBranch("fix/issue-1", "README.md"),
      "# app\n\nHello, factory!\n",
    );

    await factory.poll("review", await factory.model(join(scripts, "yes.toml")));
    const reviews = await factory.asDev(`/pulls/${pull.number}/reviews`);
    assert.deepEqual(reviews.map((r: { state: string }) => r.state), [
      "REQUEST_CHANGES",
      "APPROVED",
    ]);
    await factory.poll("dev", dev);
    assert.equal((await factory.asDev(`/pulls/${pull.number}`)).merged, true);
    assert.equal((await factory.asDev("/issues/1")).state, "closed");
    await factory.assertNoSecretShown();
  } finally {
    await factory.dispose();
  }
});
