/**
 * `disinto status` reports whether the agents' shared Claude config dir holds
 * a login, found by the `.credentials.json` Claude writes (SPEC §14
 * regression 10), against the emulator.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { harness } from "../../../tests/integration/harness.ts";

const SECRET = "sk-ant-oat-not-a-real-token-0123456789";

Deno.test("status: a Claude login is found in .credentials.json, never in credentials.json", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    const dir = join(h.root, "claude");
    await mkdir(dir);
    const env = { CLAUDE_CONFIG_DIR: dir };
    const login = JSON.stringify({ claudeAiOauth: { accessToken: SECRET } });
    const status = async () => {
      const result = await h.run(["--json", "status"], env);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stdout.includes(SECRET));
      return JSON.parse(result.stdout).claude;
    };

    await writeFile(join(dir, "credentials.json"), login);
    assert.deepEqual(await status(), {
      logged_in: false,
      file: join(dir, ".credentials.json"),
      reason: "no such file",
    });

    await writeFile(join(dir, ".credentials.json"), login, { mode: 0o600 });
    assert.deepEqual(await status(), { logged_in: true, file: join(dir, ".credentials.json") });
    const text = await h.run(["status"], env);
    assert.match(text.stdout, /^ {2}claude: logged in \(.*\/\.credentials\.json\)$/m);
    assert.ok(!text.stdout.includes(SECRET));
  } finally {
    await h.dispose();
  }
});
