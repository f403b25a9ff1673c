/**
 * `disinto release` proposes the release's vault action (SPEC §10: secrets
 * and the ssh mount together) in the project's ops repo: a branch, the file,
 * a pull request. Without an ops repo, in a dry run or on a re-run it is
 * skipped; a forge that refuses it makes the release exit 1 after the tag,
 * mirrors and record are done.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { newRepo } from "../../tests/helpers/emulator_api.ts";
import { fileOnBranch, tagInBare } from "./testdata/emulated_forge.ts";
import { outcomes, readRecord, release, type Setup, setup } from "./testdata/release_setup.ts";
import { parseVaultAction } from "./vault_action.ts";

const OPS = "acme/demo-ops";

/** Name `acme/demo-ops` as the project's ops repo (created on the forge when `create`). */
async function withOpsRepo(s: Setup, create: boolean): Promise<void> {
  if (create) await newRepo(s.forge.emulator, "acme", "demo-ops", { private: true });
  const file = join(s.root, "projects", "demo.toml");
  const text = await readFile(file, "utf8");
  await writeFile(
    file,
    text.replace('repo = "acme/demo"\n', `repo = "acme/demo"\nops_repo = "${OPS}"\n`),
  );
}

Deno.test("release proposes the vault action with secrets and the ssh mount in the ops repo", async () => {
  const s = await setup(1);
  try {
    await withOpsRepo(s, true);
    const result = await release(s, ["v1.5.0"]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(
      result.stdout,
      /^ok {3}vault: proposed vault\/actions\/release-v1\.5\.0\.toml in acme\/demo-ops \(pull request #1\)$/m,
    );
    const pulls = (await s.forge.api(`/repos/${OPS}/pulls?state=open`)).body as {
      number: number;
      head: { ref: string };
      base: { ref: string };
    }[];
    assert.deepEqual(pulls.map((p) => [p.number, p.head.ref, p.base.ref]), [
      [1, "vault/release-v1.5.0", "main"],
    ]);
    const path = "vault/actions/release-v1.5.0.toml";
    const { text } = await fileOnBranch(
      s.forge,
      OPS,
      "vault/release-v1.5.0",
      path,
      join(s.dir, "ops-scratch.git"),
      s.env,
    );
    const action = parseVaultAction(text, path);
    assert.deepEqual(action.secrets, ["GITHUB_TOKEN", "CODEBERG_TOKEN"]);
    assert.deepEqual(action.mounts, ["ssh"]);
    assert.deepEqual(action.vars, { version: "v1.5.0" });
    assert.equal(await tagInBare(s.mirrors.m1!, "v1.5.0", s.env), s.head);

    // A re-run (the tag exists at the released commit) does not propose it again.
    const again = await release(s, ["v1.5.0"]);
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(
      again.stdout,
      /^skip vault: a re-run: vault\/actions\/release-v1\.5\.0\.toml was proposed by the first run$/m,
    );
  } finally {
    await s.dispose();
  }
});

Deno.test("a dry run names the vault action it would propose and writes nothing", async () => {
  const s = await setup(1);
  try {
    await withOpsRepo(s, true);
    s.forge.emulator.clearRequestLog();
    const result = await release(s, ["v1.6.0", "--dry-run"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^skip vault: dry run: would propose vault\/actions\/release-v1\.6\.0\.toml in acme\/demo-ops$/m,
    );
    assert.deepEqual(s.forge.emulator.writes(), []);
  } finally {
    await s.dispose();
  }
});

Deno.test("an ops repo the forge refuses: the vault step fails last, the release exits 1 with one line", async () => {
  const s = await setup(1);
  try {
    await withOpsRepo(s, false);
    const result = await release(s, ["v1.7.0"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /^FAIL vault: acme\/demo-ops: POST .*\/repos\/acme\/demo-ops\/branches: HTTP 404/m,
    );
    assert.match(result.stderr, /^release v1\.7\.0: vault failed: acme\/demo-ops: POST /);
    assert.equal(result.stderr.split("\n").filter(Boolean).length, 1);
    // Everything before it happened: tag, mirror, record.
    assert.equal(await tagInBare(s.mirrors.m1!, "v1.7.0", s.env), s.head);
    assert.deepEqual(outcomes(await readRecord(s, "v1.7.0")), [["m1", "ssh", "pushed"]]);
    assert.ok(!(result.stdout + result.stderr).includes(s.forge.token));
  } finally {
    await s.dispose();
  }
});
