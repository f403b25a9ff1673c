import assert from "node:assert/strict";
import { opsRule, projectRule } from "./protection.ts";

Deno.test("protection rules follow SPEC §6.1 step 7", () => {
  assert.deepEqual(projectRule("main"), {
    rule_name: "main",
    enable_push: false,
    enable_merge_whitelist: true,
    merge_whitelist_usernames: ["dev-bot"],
    required_approvals: 1,
  });
  assert.deepEqual(opsRule("main"), {
    rule_name: "main",
    enable_push: false,
    required_approvals: 1,
    apply_to_admins: true,
  });
});
