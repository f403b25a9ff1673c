import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BadInputError } from "../../core/errors.ts";
import { ApiError, forgejoForge } from "./api.ts";
import {
  fileOnBranch,
  gitEnv,
  REPO,
  startEmulatedForge,
  workTree,
} from "./testdata/emulated_forge.ts";
import {
  mountVolumes,
  parseVaultAction,
  releaseAction,
  renderVaultAction,
  vaultActionPath,
  writeReleaseAction,
} from "./vault_action.ts";

const FILE = "vault/actions/x.toml";

function badInput(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof BadInputError, String(error));
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
}

Deno.test("the release action declares both secrets and the ssh mount (regression 4)", () => {
  const action = releaseAction("v1.2.3");
  assert.equal(vaultActionPath(action), "vault/actions/release-v1.2.3.toml");
  const text = renderVaultAction(action);
  const parsed = parseVaultAction(text, FILE);
  assert.deepEqual(parsed.secrets, ["GITHUB_TOKEN", "CODEBERG_TOKEN"]);
  assert.deepEqual(parsed.mounts, ["ssh"]);
  assert.deepEqual(parsed.vars, { version: "v1.2.3" });
  assert.match(text, /^secrets = \[ "GITHUB_TOKEN", "CODEBERG_TOKEN" \]$/m);
  assert.match(text, /^mounts = \[ "ssh" \]$/m);
});

Deno.test("a release action with mounts instead of secrets, or secrets without mounts, is refused", () => {
  badInput(
    () => parseVaultAction('id = "r"\nformula = "release"\nmounts = ["ssh"]\n', FILE),
    /^vault\/actions\/x\.toml: secrets: a release needs GITHUB_TOKEN$/,
  );
  badInput(
    () =>
      parseVaultAction(
        'id = "r"\nformula = "release"\nsecrets = ["GITHUB_TOKEN", "CODEBERG_TOKEN"]\n',
        FILE,
      ),
    /mounts: a release needs "ssh"/,
  );
});

Deno.test("the validator refuses unknown keys, secrets and aliases", () => {
  badInput(
    () => parseVaultAction('id = "a"\nformula = "f"\nextra = 1\n', FILE),
    /extra: unknown key/,
  );
  badInput(
    () => parseVaultAction('id = "a"\nformula = "f"\nsecrets = ["FORGE_ADMIN_PASS"]\n', FILE),
    /secrets\.0: expected an allowed secret/,
  );
  badInput(
    () => parseVaultAction('id = "a"\nformula = "f"\nmounts = ["docker"]\n', FILE),
    /mounts\.0: expected a mount alias \(ssh, gpg, sops\)/,
  );
  badInput(() => parseVaultAction('formula = "f"\n', FILE), /id: required/);
  badInput(() => parseVaultAction("id = [", FILE), /invalid TOML/);
  const ok = parseVaultAction('id = "a"\nformula = "f"\nmounts = ["gpg", "sops"]\n', FILE);
  assert.deepEqual(ok.mounts, ["gpg", "sops"]);
  assert.deepEqual(ok.secrets, []);
});

Deno.test("mounts become read-only volume specs under the agent's home", () => {
  assert.deepEqual(mountVolumes(["ssh", "gpg", "sops"], "/home/op/"), [
    "/home/op/.ssh:/home/agent/.ssh:ro",
    "/home/op/.gnupg:/home/agent/.gnupg:ro",
    "/home/op/.config/sops/age:/home/agent/.config/sops/age:ro",
  ]);
  assert.deepEqual(mountVolumes([], "/home/op"), []);
  badInput(() => mountVolumes(["aws"], "/home/op"), /mounts: unknown alias "aws"/);
  badInput(() => mountVolumes(["ssh"], "relative"), /HOME "relative": expected an absolute path/);
});

Deno.test("writeReleaseAction proposes the validated file on a branch of the ops repo with a pull request", async () => {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-vault-"));
  const env = gitEnv(dir);
  const emulated = await startEmulatedForge(env);
  try {
    // acme/demo plays the ops repo; it needs a first commit to branch from.
    const work = await workTree(join(dir, "work"), env);
    const before = await work.commit("ops: start");
    await work.pushTo(emulated);
    const forge = forgejoForge(emulated.url, emulated.token, fetch);
    const filed = await writeReleaseAction(forge, REPO, "v2.0.0", "main");
    assert.deepEqual(filed, {
      path: "vault/actions/release-v2.0.0.toml",
      branch: "vault/release-v2.0.0",
      pull: 1,
    });
    // The protected primary branch is untouched; the file sits on the PR's branch.
    assert.equal(await work.fetchFrom(emulated), before);
    const pull = (await emulated.api(`/repos/${REPO}/pulls/1`)).body as {
      title: string;
      head: { ref: string };
      base: { ref: string };
    };
    assert.equal(pull.head.ref, "vault/release-v2.0.0");
    assert.equal(pull.base.ref, "main");
    assert.equal(pull.title, "vault: request release-v2.0.0");
    const { text, subject } = await fileOnBranch(
      emulated,
      REPO,
      filed.branch,
      filed.path,
      join(dir, "scratch.git"),
      env,
    );
    assert.equal(subject, "vault: request release-v2.0.0");
    const action = parseVaultAction(text, filed.path);
    assert.deepEqual(action.mounts, ["ssh"]);
    assert.deepEqual([...action.secrets].sort(), ["CODEBERG_TOKEN", "GITHUB_TOKEN"]);
    // Filed once per version: a second request finds the branch there (the forge's 409).
    await assert.rejects(
      writeReleaseAction(forge, REPO, "v2.0.0", "main"),
      (error: unknown) => error instanceof ApiError && error.status === 409,
    );
  } finally {
    await emulated.dispose();
    await rm(dir, { recursive: true, force: true });
  }
});
