/**
 * init and hire-an-agent agree that `.env` holds identity secrets
 * (core/config/secret_shadow.ts): init reads and writes them there only, and
 * warns by key when the shell holds a different value (docker compose and
 * disinto would use the shell's).
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseEnv } from "../../core/config/env_file.ts";
import { harness } from "./harness.ts";

const readEnv = async (root: string) => parseEnv(await readFile(join(root, ".env"), "utf8"));

Deno.test("init warns about a shell FORGE_TOKEN that differs from .env, and only then", async () => {
  const h = await harness();
  try {
    assert.equal((await h.run(["init", "acme/app", "--yes"])).code, 0);
    const before = await readEnv(h.root);
    const same = await h.run(["init", "acme/app", "--yes"], {
      FORGE_TOKEN: before.get("FORGE_TOKEN")!,
    });
    assert.equal(same.code, 0, same.stderr);
    assert.doesNotMatch(same.stderr, /differs from \.env/);

    // The shell still holds dev-bot's old token after a rotation.
    const stale = before.get("FORGE_TOKEN")!;
    const rotated = await h.run(["init", "acme/app", "--yes", "--rotate-tokens"], {
      FORGE_TOKEN: stale,
    });
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.notEqual((await readEnv(h.root)).get("FORGE_TOKEN"), stale);
    assert.match(rotated.stderr, /^WARNING: FORGE_TOKEN in the environment differs from \.env/m);
    assert.equal(rotated.stderr.match(/differs from \.env/g)?.length, 1);
    assert.ok(!rotated.stderr.includes(stale) && !rotated.stdout.includes(stale));
  } finally {
    await h.dispose();
  }
});
