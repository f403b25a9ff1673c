import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeLogin } from "./claude_login.ts";

const LOGIN = JSON.stringify({ claudeAiOauth: { accessToken: "a-secret-value", expiresAt: 1 } });

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-claude-"));
  try {
    await work(dir);
  } finally {
    await rm(dir, { recursive: true });
  }
}

Deno.test("the login is read from .credentials.json, the dot file Claude writes (regression 10)", async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, ".credentials.json"), LOGIN, { mode: 0o600 });
    assert.deepEqual(await claudeLogin(dir), {
      loggedIn: true,
      file: join(dir, ".credentials.json"),
    });
  });
});

Deno.test("a credentials.json without the dot is not Claude's login", async () => {
  await withDir(async (dir) => {
    await writeFile(join(dir, "credentials.json"), LOGIN);
    const login = await claudeLogin(dir);
    assert.equal(login.loggedIn, false);
    assert.equal(login.file, join(dir, ".credentials.json"));
  });
});

Deno.test("an empty, broken or token-less file is no login, with the reason", async () => {
  await withDir(async (dir) => {
    const file = join(dir, ".credentials.json");
    for (
      const [text, reason] of [
        ["{", "not JSON"],
        ["null", "no claudeAiOauth login in it"],
        ['{"claudeAiOauth":{"accessToken":""}}', "no claudeAiOauth login in it"],
      ]
    ) {
      await writeFile(file, text!);
      assert.deepEqual(await claudeLogin(dir), { loggedIn: false, file, reason });
    }
  });
  assert.equal((await claudeLogin("/nonexistent/claude")).loggedIn, false);
});
