/**
 * Test scenario of the ensure verbs, run by ensure_test.ts against the
 * emulator: every ensure verb twice (created, then unchanged with
 * no write request), updates, and token rules (basic auth works, token auth
 * is refused by the forge).
 */
import assert from "node:assert/strict";
import { editUser } from "./admin.ts";
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
  assert.deepEqual(await ensureUser(admin, user), {
    outcome: "created",
    passwordSet: false,
    password,
  });
  assert.equal((await readOnly(() => ensureUser(admin, user))).outcome, "unchanged");
  // A password that does not sign in is set, not replaced by a new one.
  const newPassword = "bot-password-5678";
  const reset = await ensureUser(admin, { ...user, password: newPassword });
  assert.deepEqual(reset, { outcome: "updated", passwordSet: true, password: newPassword });
  assert.equal(
    (await readOnly(() => ensureUser(admin, { ...user, password: newPassword }))).outcome,
    "unchanged",
  );
  // A user told to change their password cannot use the API: the flag is cleared.
  await editUser(admin, "dev-bot", { must_change_password: true });
  const unlocked = await ensureUser(admin, { ...user, password: newPassword });
  assert.deepEqual([unlocked.outcome, unlocked.passwordSet], ["updated", false]);
  assert.equal((await whoami(admin, basicAuth("dev-bot", newPassword))).ok, true);
  // A password maker is called only when the forge needs a password.
  const made: string[] = [];
  const maker = () => Promise.resolve(made[made.push(`made-password-${made.length}`) - 1]!);
  const reviewBot = { username: "review-bot", email: "review-bot@disinto.local" };
  const created = await ensureUser(admin, { ...reviewBot, password: maker });
  assert.deepEqual([created.outcome, created.password], ["created", "made-password-0"]);
  assert.deepEqual(await whoami(admin, basicAuth("review-bot", "made-password-0")), {
    ok: true,
    login: "review-bot",
  });
  const rotated = await ensureUser(admin, { ...reviewBot, password: maker });
  assert.deepEqual(rotated, { outcome: "updated", passwordSet: true, password: "made-password-1" });
  assert.equal(made.length, 2);

  assert.equal(await ensureOrg(admin, "acme"), "created");
  assert.equal(await readOnly(() => ensureOrg(admin, "acme")), "unchanged");

  const owner = "acme";
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
  // Every signed-in user reads a public repo: dev-bot is made a collaborator all the same.
  assert.equal(await ensureCollaborator(admin, slug, "dev-bot", "read"), "created");
  assert.equal(
    await readOnly(() => ensureCollaborator(admin, slug, "dev-bot", "read")),
    "unchanged",
  );

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
  // A secret that signs in as someone else is not dev-bot's token.
  const reviewToken = await createToken(admin, "review-bot", {
    name: "review",
    scopes: ["read:user"],
  }, basicAuth("review-bot", "made-password-1"));
  const ownToken = await ensureToken(admin, { ...tokenInput, known: reviewToken.sha1 });
  assert.equal(ownToken.outcome, "updated");
  assert.deepEqual(await whoami(admin, tokenAuth(ownToken.value)), { ok: true, login: "dev-bot" });

  // Token creation with a token instead of basic auth: the forge refuses it.
  await assert.rejects(
    createToken(
      admin,
      "dev-bot",
      { name: "other", scopes: ["read:user"] },
      tokenAuth(ownToken.value),
    ),
    (error: unknown) => {
      assert.ok(error instanceof ForgejoError);
      assert.equal(error.status, 401);
      assert.ok(!error.message.includes(ownToken.value));
      return true;
    },
  );
}
