import { FakeForge } from "../../tests/integration/fake_forge.ts";
import { ensureScenario } from "./_ensure_scenario.ts";

Deno.test("ensure verbs against the in-process fake forge: created, then unchanged without writes", async () => {
  const forge = new FakeForge({ adminUser: "disinto-admin", adminPass: "admin-pass-123" });
  await ensureScenario({
    url: forge.url,
    fetch: forge.fetch,
    admin: { user: "disinto-admin", pass: "admin-pass-123" },
    orgRepos: false,
  });
});
