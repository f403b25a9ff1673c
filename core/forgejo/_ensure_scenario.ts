/**
 * Test scenario shared by the ensure tests against the in-process fake and
 * against the emulator: every ensure verb twice (created, then unchanged with
 * no write request), updates, and token rules (basic auth works, token auth
 * is refused by the forge).
 */
import assert from "node:assert/strict";
import { basicAuth, tokenAuth } from "./auth.ts";
import { ensureCollaborator } from "./ensure_collaborator.ts";
import { ensureLabel } from "./ensure_label.ts";
import { ensureBranchProtection } from "./ensure_protection.ts";
import { ensureOrg, ensureRepo } from "./ensure_repo.ts";
import { ensureToken } from "./ensure_token.ts";
import { ensureUser } from "./ensure_user.ts";
import { ForgejoError } from "./error.ts";
import { ForgejoHttp } from "./http.ts";
import { createToken } from "./tokens.ts";
import { whoami } from "./users.ts";

export interface ScenarioForge {
  url: string;
  fetch: typeof fetch;
  admin: { user: string; pass: string };
  /** Whether the forge serves `POST /orgs/{org}/repos` (the small fake does not). */
  orgRepos: boolean;
}

export async function ensureScenario(forge: ScenarioForge): Promise<void> {
  let writes = 0;
  const counting: typeof fetch = (input, init) => {
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    if (method !== "GET") writes++;
    return forge.fetch(input, init);
  };
  const admin = new ForgejoHttp(forge.url, basicAuth(forge.admin.user, forge.admin.pass), {
    fetch: counting,
  });
  /** Runs `work` and asserts it sent no write request. */
  const readOnly = async <T>(work: () => Promise<T>): Promise<T> => {
    const before = writes;
    const result = await work();
    assert.equal(writes - before, 0, "an unchanged ensure sent a write request");
    return result;
  };

  const password = "bot-password-1234";
  const user = { username: "dev-bot", email: "dev-bot@disinto.local", password };
  assert.equal(await ensureUser(admin, user), "created");
  assert.equal(await readOnly(() => ensureUser(admin, user)), "unchanged");
  const newPassword = "bot-password-5678";
  assert.equal(
    await ensureUser(admin, { ...user, password: newPassword, updatePassword: true }),
    "updated",
  );
  assert.equal(
    await readOnly(() =>
      ensureUser(admin, { ...user, password: newPassword, updatePassword: true })
    ),
    "unchanged",
  );
  await ensureUser(admin, { username: "review-bot", email: "review-bot@disinto.local", password });

  assert.equal(await ensureOrg(admin, "acme"), "created");
  assert.equal(await readOnly(() => ensureOrg(admin, "acme")), "unchanged");

  const owner = forge.orgRepos ? "acme" : "dev-bot";
  const repoInput = { owner, name: "widgets", autoInit: true, defaultBranch: "main" };
  const repo = await ensureRepo(admin, repoInput);
  assert.equal(repo.outcome, "created");
  assert.equal(repo.value.full_name.toLowerCase(), `${owner}/widgets`);
  assert.equal((await readOnly(() => ensureRepo(admin, repoInput))).outcome, "unchanged");
  const slug = `${owner}/widgets`;

  assert.equal(await ensureCollaborator(admin, slug, "review-bot", "write"), "created");
  assert.equal(
    await readOnly(() => ensureCollaborator(admin, slug, "review-bot", "write")),
    "unchanged",
  );
  assert.equal(await ensureCollaborator(admin, slug, "review-bot", "read"), "updated");
  assert.equal(await ensureCollaborator(admin, slug, "review-bot", "write"), "updated");

  const label = { name: "backlog", color: "#0075ca" };
  assert.equal((await ensureLabel(admin, slug, label)).outcome, "created");
  const same = { name: "Backlog", color: "0075CA" };
  assert.equal((await readOnly(() => ensureLabel(admin, slug, same))).outcome, "unchanged");
  const recoloured = await ensureLabel(admin, slug, { name: "backlog", color: "#EDEDED" });
  assert.equal(recoloured.outcome, "updated");
  assert.equal(recoloured.value.color.toLowerCase(), "ededed");

  const rule = {
    rule_name: "main",
    enable_push: true,
    enable_push_whitelist: true,
    push_whitelist_usernames: ["review-bot"],
    required_approvals: 1,
  };
  assert.equal((await ensureBranchProtection(admin, slug, rule)).outcome, "created");
  assert.equal(
    (await readOnly(() => ensureBranchProtection(admin, slug, rule))).outcome,
    "unchanged",
  );
  const stricter = { ...rule, required_approvals: 2 };
  assert.equal((await ensureBranchProtection(admin, slug, stricter)).outcome, "updated");

  const tokenInput = {
    username: "dev-bot",
    credentials: basicAuth("dev-bot", newPassword),
    name: "disinto-dev-bot-token",
    // write:user, so that the refusal below is about basic auth, not about the scope.
    scopes: ["write:issue", "write:repository", "write:user"],
  };
  const first = await ensureToken(admin, tokenInput);
  assert.equal(first.outcome, "created");
  assert.deepEqual(await whoami(admin, tokenAuth(first.value)), { ok: true, login: "dev-bot" });
  const kept = await readOnly(() => ensureToken(admin, { ...tokenInput, known: first.value }));
  assert.deepEqual(kept, { outcome: "unchanged", value: first.value });
  const replaced = await ensureToken(admin, { ...tokenInput, known: "0".repeat(40) });
  assert.equal(replaced.outcome, "updated");
  assert.notEqual(replaced.value, first.value);
  assert.equal((await whoami(admin, tokenAuth(first.value))).ok, false);

  // Token creation with a token instead of basic auth: the forge refuses it.
  await assert.rejects(
    createToken(
      admin,
      "dev-bot",
      { name: "other", scopes: ["read:user"] },
      tokenAuth(replaced.value),
    ),
    (error: unknown) => {
      assert.ok(error instanceof ForgejoError);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(replaced.value));
      return true;
    },
  );
}
