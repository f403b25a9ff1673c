import assert from "node:assert/strict";
import { FACTORY_BOT_USERS } from "../../core/identity/factory_bots.ts";
import { agentForgeUsers, BOT_IDENTITIES, identityTable, tokenKeyFor } from "./identities.ts";
import { isNonDevLabel, LABELS } from "./labels.ts";

Deno.test("the identity table has a row for each of core's factory bot users, in order", () => {
  assert.deepEqual(BOT_IDENTITIES.map((row) => row.user), FACTORY_BOT_USERS);
});

Deno.test("the identity table matches SPEC §6.1 step 3", () => {
  assert.deepEqual(
    BOT_IDENTITIES.map((r) => [r.user, r.tokenKey, r.passKey, r.project, r.ops]),
    [
      ["dev-bot", "FORGE_TOKEN", "FORGE_PASS", "write", "write"],
      ["review-bot", "FORGE_REVIEW_TOKEN", "FORGE_REVIEW_PASS", "read", "write"],
      ["planner-bot", "FORGE_PLANNER_TOKEN", "FORGE_PLANNER_PASS", "write", "write"],
      ["gardener-bot", "FORGE_GARDENER_TOKEN", "FORGE_GARDENER_PASS", "write", "write"],
      ["vault-bot", "FORGE_VAULT_TOKEN", "FORGE_VAULT_PASS", "write", "write"],
      ["supervisor-bot", "FORGE_SUPERVISOR_TOKEN", "FORGE_SUPERVISOR_PASS", "read", "write"],
      ["predictor-bot", "FORGE_PREDICTOR_TOKEN", "FORGE_PREDICTOR_PASS", "read", "write"],
      ["architect-bot", "FORGE_ARCHITECT_TOKEN", "FORGE_ARCHITECT_PASS", "write", "write"],
    ],
  );
});

Deno.test("agent forge users get their own keys, write on the project, nothing on ops", () => {
  const users = agentForgeUsers({
    qwen: { forge_user: "dev-qwen" },
    other: { forge_user: "dev-qwen" },
    bad: "x",
    none: {},
  });
  assert.deepEqual(users, ["dev-qwen"]);
  const last = identityTable(users).at(-1)!;
  assert.deepEqual([last.user, last.tokenKey, last.passKey, last.project, last.ops], [
    "dev-qwen",
    "FORGE_TOKEN_DEV_QWEN",
    "FORGE_PASS_DEV_QWEN",
    "write",
    null,
  ]);
  assert.equal(tokenKeyFor("review-bot"), "FORGE_REVIEW_TOKEN");
  assert.equal(tokenKeyFor("dev-qwen"), "FORGE_TOKEN_DEV_QWEN");
});

Deno.test("scopes are least privilege: no admin, org or all", () => {
  for (const identity of identityTable(["dev-qwen"])) {
    assert.ok(identity.scopes.includes("read:user"));
    for (const scope of identity.scopes) {
      assert.match(scope, /^(read|write):(issue|repository|user)$/);
    }
  }
});

Deno.test("label table and non-dev labels", () => {
  assert.equal(LABELS.length, 17);
  assert.equal(LABELS.find((l) => l.name === "in-progress")!.color, "#e4e669");
  assert.ok(isNonDevLabel("prediction/unreviewed"));
  assert.ok(isNonDevLabel("formula"));
  assert.ok(!isNonDevLabel("backlog"));
});

Deno.test("agent forge users by role: only the tables whose roles list it", () => {
  const agents = {
    qwen: { forge_user: "dev-qwen", roles: ["dev"] },
    llama: { forge_user: "review-llama", roles: ["review", "dev"] },
    old: { forge_user: "no-roles" },
  };
  assert.deepEqual(agentForgeUsers(agents, "dev"), ["dev-qwen", "review-llama"]);
  assert.deepEqual(agentForgeUsers(agents, "review"), ["review-llama"]);
  assert.deepEqual(agentForgeUsers(agents), ["dev-qwen", "review-llama", "no-roles"]);
});
