import assert from "node:assert/strict";
import { BadInputError } from "../../core/errors.ts";
import { FACTORY_BOT_USERS } from "../../core/identity/factory_bots.ts";
import { assertNameOfItsOwn, knownAgents } from "./name_clash.ts";

const agents = knownAgents("demo.toml", {
  "dev-qwen": { forge_user: "dev-qwen" },
  qwen: { forge_user: "old.qwen" },
  broken: "not a table",
});

Deno.test("known agents are read raw from the agents table", () => {
  assert.deepEqual(agents, [
    { file: "demo.toml", section: "dev-qwen", forgeUser: "dev-qwen" },
    { file: "demo.toml", section: "qwen", forgeUser: "old.qwen" },
  ]);
  assert.deepEqual(knownAgents("x.toml", undefined), []);
});

Deno.test("factory identities and the admin are refused, whatever the case", () => {
  for (const name of [...FACTORY_BOT_USERS, "Architect-Bot", "root", "ROOT"]) {
    assert.throws(
      () => assertNameOfItsOwn(name, { adminUser: "root", agents: [] }),
      (error) => error instanceof BadInputError && /one of the factory's own/.test(error.message),
      name,
    );
  }
  assertNameOfItsOwn("disinto-admin", { adminUser: "root", agents: [] });
});

Deno.test("another agent's section or .env keys are refused; the same user is a re-hire", () => {
  const options = { adminUser: "disinto-admin", agents };
  assert.throws(() => assertNameOfItsOwn("dev.qwen", options), /\[agents\.dev-qwen\] belong to/);
  assert.throws(
    () => assertNameOfItsOwn("old_qwen", options),
    /FORGE_TOKEN_OLD_QWEN .* "old\.qwen"/,
  );
  assert.throws(
    () => assertNameOfItsOwn("qwen", options),
    /\[agents\.qwen\] belong to .*"old\.qwen"/,
  );
  for (const name of ["dev-qwen", "DEV-QWEN", "old.qwen", "Old.Qwen", "other"]) {
    assertNameOfItsOwn(name, options);
  }
});
