import assert from "node:assert/strict";
import { BadInputError } from "../../core/errors.ts";
import { agentEnvKeys } from "../../core/identity/env_keys.ts";
import { sectionOf, serviceOf, validateAgentName, validateRole } from "./names.ts";

Deno.test("sections and services follow SPEC §8", () => {
  assert.equal(sectionOf("dev-qwen"), "dev-qwen");
  assert.equal(sectionOf("Review.Llama_2"), "review-llama-2");
  assert.equal(serviceOf(sectionOf("Dev_Qwen")), "agents-dev-qwen");
  assert.deepEqual(agentEnvKeys("dev-qwen"), {
    tokenKey: "FORGE_TOKEN_DEV_QWEN",
    passKey: "FORGE_PASS_DEV_QWEN",
  });
});

Deno.test("agent names are Forgejo user names", () => {
  for (const good of ["dev-qwen", "a", "Review.Llama", "x1_y2"]) validateAgentName(good);
  for (const bad of ["", "-x", "x-", "a b", "a/b", "a..b", "ä", "x".repeat(41), "${X}"]) {
    assert.throws(() => validateAgentName(bad), BadInputError, bad);
  }
});

Deno.test("roles are lower-case words", () => {
  validateRole("dev");
  validateRole("review-pr");
  for (const bad of ["Dev", "", "1dev", "dev,review"]) {
    assert.throws(() => validateRole(bad), BadInputError, bad);
  }
});
