import assert from "node:assert/strict";
import { opsRule, projectRule } from "./protection.ts";

Deno.test("protection rules follow SPEC §6.1 step 7", () => {
  assert.deepEqual(projectRule("main"), {
    rule_name: "main",
    enable_push: false,
    enable_merge_whitelist: true,
    merge_whitelist_usernames: ["dev-bot"],
    required_approvals: 1,
    enable_approvals_whitelist: true,
    approvals_whitelist_username: ["review-bot"],
  });
  assert.deepEqual(opsRule("main"), {
    rule_name: "main",
    enable_push: false,
    required_approvals: 1,
    apply_to_admins: true,
  });
});

Deno.test("local-model dev agents merge and local-model review agents approve on the project repo", () => {
  const rule = projectRule("main", { dev: ["dev-qwen", "dev-bot"], review: ["review-llama"] });
  assert.deepEqual(rule.merge_whitelist_usernames, ["dev-bot", "dev-qwen"]);
  assert.deepEqual(rule.approvals_whitelist_username, ["review-bot", "review-llama"]);
});
