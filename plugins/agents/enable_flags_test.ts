import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { activeFlags, flagFile, roleEnabled } from "./enable_flags.ts";

Deno.test("no flags: every role runs; some flags: only the flagged roles run", async () => {
  const root = await mkdtemp(join(tmpdir(), "disinto-flags-"));
  try {
    assert.equal(await roleEnabled(root, "dev"), true, "no state/ at all");
    await mkdir(join(root, "state"));
    await writeFile(join(root, "state/.env-lock"), "");
    assert.equal(await roleEnabled(root, "dev"), true);
    await writeFile(flagFile(root, "review"), "");
    assert.deepEqual([...await activeFlags(root)], ["review"]);
    assert.equal(await roleEnabled(root, "dev"), false);
    assert.equal(await roleEnabled(root, "review"), true);
    await writeFile(flagFile(root, "dev"), "");
    assert.equal(await roleEnabled(root, "dev"), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
