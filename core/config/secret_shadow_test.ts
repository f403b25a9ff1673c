import assert from "node:assert/strict";
import { shadowedSecretWarnings } from "./secret_shadow.ts";

Deno.test("a shell secret that differs from .env is named once, its value never", () => {
  const dotenv = new Map([["FORGE_TOKEN", "t-env"], ["FORGE_PASS", "p-env"]]);
  const env = { FORGE_TOKEN: "t-shell-stale", FORGE_PASS: "p-env", FORGE_TOKEN_X: "x-shell" };
  const warnings = shadowedSecretWarnings(
    ["FORGE_TOKEN", "FORGE_PASS", "FORGE_TOKEN_X", "FORGE_TOKEN", "FORGE_PASS_Y"],
    env,
    dotenv,
  );
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /^FORGE_TOKEN in the environment differs from \.env/);
  assert.match(warnings[1]!, /^FORGE_TOKEN_X in the environment/);
  assert.ok(!warnings.join("\n").includes("shell"));
});
