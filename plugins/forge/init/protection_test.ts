import assert from "node:assert/strict";
import { opsRule, projectRule, ruleDiff } from "./protection.ts";

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

Deno.test("ruleDiff names the keys that differ, ignoring extra forge fields", () => {
  const wanted = projectRule("main");
  assert.deepEqual(
    ruleDiff({ ...wanted, created_at: "x", push_whitelist_usernames: [] }, wanted),
    [],
  );
  assert.deepEqual(ruleDiff({ ...wanted, required_approvals: 0 }, wanted), ["required_approvals"]);
  assert.deepEqual(ruleDiff({ ...wanted, merge_whitelist_usernames: null }, wanted), [
    "merge_whitelist_usernames",
  ]);
});
