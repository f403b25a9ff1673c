import assert from "node:assert/strict";
import { protectionDiff } from "./ensure_protection.ts";

Deno.test("protectionDiff: only wanted keys count; lists are sets; null equals []", () => {
  const current = {
    rule_name: "main",
    enable_push: true,
    push_whitelist_usernames: ["b", "a"],
    merge_whitelist_usernames: null,
    required_approvals: 1,
    created_at: "2026-01-01T00:00:00Z",
  };
  assert.deepEqual(
    protectionDiff(current, {
      enable_push: true,
      push_whitelist_usernames: ["a", "b"],
      merge_whitelist_usernames: [],
    }),
    [],
  );
  assert.deepEqual(
    protectionDiff(current, {
      required_approvals: 2,
      push_whitelist_usernames: ["a"],
      apply_to_admins: false,
    }),
    ["required_approvals", "push_whitelist_usernames", "apply_to_admins"],
  );
  assert.deepEqual(protectionDiff({ x: "a" }, { x: ["a"] }), ["x"]);
});
