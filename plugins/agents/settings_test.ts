import assert from "node:assert/strict";
import type { Project } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";
import { loopSettings, parseInterval, parseRoles, roleIdentity } from "./settings.ts";

const project = (tables: Record<string, unknown> = {}) =>
  ({ name: "app", file: "projects/app.toml", tables }) as unknown as Project;
const from = (values: Record<string, string>) => (key: string) => values[key];

Deno.test("loopSettings: flag, then environment/.env, then the agent's TOML table, then defaults", () => {
  assert.deepEqual(loopSettings({}, from({}), project()), {
    roles: ["dev", "review"],
    intervalSeconds: 300,
  });
  const agent = {
    agents: { qwen: { forge_user: "dev-qwen", roles: ["review"], poll_interval: 60 } },
  };
  assert.deepEqual(loopSettings({}, from({ FORGE_USER: "dev-qwen" }), project(agent)), {
    roles: ["review"],
    intervalSeconds: 60,
  });
  assert.deepEqual(
    loopSettings(
      {},
      from({ FORGE_USER: "dev-qwen", POLL_INTERVAL: "30", AGENT_ROLES: "dev" }),
      project(agent),
    ),
    { roles: ["dev"], intervalSeconds: 30 },
  );
  assert.deepEqual(
    loopSettings(
      { roles: "review,dev,review", interval: "10" },
      from({ POLL_INTERVAL: "30" }),
      project(),
    ),
    { roles: ["review", "dev"], intervalSeconds: 10 },
  );
});

Deno.test("bad roles and intervals are bad input naming the setting", () => {
  assert.throws(() => parseRoles("dev,ops", "AGENT_ROLES"), BadInputError);
  assert.throws(() => parseRoles(" , ", "--roles"), /--roles: no role given/);
  for (const bad of ["0", "-1", "1.5", "5m", "86401", ""]) {
    assert.throws(
      () => parseInterval(bad, "POLL_INTERVAL"),
      /POLL_INTERVAL: .* expected whole seconds/,
    );
  }
  assert.equal(parseInterval("86400", "x"), 86400);
});

Deno.test("roleIdentity: dev-bot's FORGE_TOKEN, review-bot's FORGE_REVIEW_TOKEN, a local agent's own token", () => {
  const env = from({ FORGE_TOKEN: "dev-secret", FORGE_REVIEW_TOKEN: "review-secret" });
  assert.equal(roleIdentity("dev", env).token, "dev-secret");
  assert.equal(roleIdentity("review", env).token, "review-secret");
  const local = from({
    FORGE_USER: "dev-qwen",
    FORGE_TOKEN: "qwen-secret",
    FORGE_REVIEW_TOKEN: "x-secret",
  });
  assert.equal(roleIdentity("review", local).token, "qwen-secret");
  assert.throws(
    () => roleIdentity("review", from({ FORGE_TOKEN: "t" })),
    /FORGE_REVIEW_TOKEN: not set/,
  );
});
