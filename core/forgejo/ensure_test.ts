import assert from "node:assert/strict";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { ensureScenario } from "./_ensure_scenario.ts";

Deno.test("ensure verbs against the emulator: created, then unchanged without writes", async () => {
  const emulator = await startEmulator({ adminUser: "disinto-admin", adminPass: "admin-pass-123" });
  try {
    await ensureScenario({
      url: emulator.url,
      fetch: (input, init) => fetch(input, init),
      admin: emulator.admin,
    });
    // The forge saw every write succeed but one: the token creation with token auth.
    const refused = emulator.writes().filter((e) => e.status >= 300 || e.status === 0);
    assert.deepEqual(refused.map((e) => [e.method, e.path, e.status]), [
      ["POST", "/api/v1/users/dev-bot/tokens", 401],
    ]);
    const state = emulator.forge.state;
    assert.equal(state.repo("acme", "widgets")?.collaborators["review-bot"], "write");
    assert.equal(state.user("dev-bot")?.mustChangePassword, false);
  } finally {
    await emulator.dispose();
  }
});
