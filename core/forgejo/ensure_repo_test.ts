/**
 * SPEC §14 regression 12: a repo in a user's namespace (the ops repo under the
 * admin) is created through the admin user route; the org route is for orgs
 * only (on Forgejo it answers 404 for a user).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { basicAuth } from "./auth.ts";
import { ensureOrg, ensureRepo } from "./ensure_repo.ts";
import { ForgejoHttp } from "./http.ts";

Deno.test("ensureRepo: a user's repo through /admin/users/{user}/repos, an org's through /orgs/{org}/repos", async () => {
  const emulator = await startEmulator({ adminUser: "disinto-admin" });
  try {
    const admin = new ForgejoHttp(
      emulator.url,
      basicAuth(emulator.admin.user, emulator.admin.pass),
      { fetch: (input, init) => fetch(input, init) },
    );
    assert.equal(await ensureOrg(admin, "acme"), "created");
    emulator.clearRequestLog();

    const ops = await ensureRepo(admin, { owner: "disinto-admin", name: "app-ops" });
    assert.equal(ops.outcome, "created");
    assert.equal(ops.value.full_name, "disinto-admin/app-ops");
    const app = await ensureRepo(admin, { owner: "acme", name: "app" });
    assert.equal(app.outcome, "created");

    assert.deepEqual(emulator.writes().map((e) => `${e.method} ${e.path} ${e.status}`), [
      "POST /api/v1/admin/users/disinto-admin/repos 201",
      "POST /api/v1/orgs/acme/repos 201",
    ]);
    assert.equal(emulator.forge.state.repo("disinto-admin", "app-ops")?.name, "app-ops");
  } finally {
    await emulator.dispose();
  }
});
