/**
 * POST /repos/{o}/{r}/tags looks the target up before checking the tag name
 * (Forgejo routers/api/v1/repo/tag.go CreateTag: GetCommit(target) → 404,
 * then release_service.CreateNewTag → ErrTagAlreadyExists → 409).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";

Deno.test("creating an existing tag on a missing target is 404 target not found, not 409", async () => {
  const em = await startEmulator();
  try {
    const auth = `Basic ${btoa(`${em.admin.user}:${em.admin.pass}`)}`;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${em.url}/api/v1${path}`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const repo = await post(`/admin/users/${em.admin.user}/repos`, { name: "t", auto_init: true });
    assert.equal(repo.status, 201);
    const tags = `/repos/${em.admin.user}/t/tags`;
    assert.equal((await post(tags, { tag_name: "v1.0.0", message: "one" })).status, 201);
    const missing = await post(tags, { tag_name: "v1.0.0", target: "ghost" });
    assert.equal(missing.status, 404);
    assert.equal(
      missing.body.message,
      "target not found: object does not exist [id: ghost, rel_path: ]",
    );
    const again = await post(tags, { tag_name: "v1.0.0" });
    assert.equal(again.status, 409);
    assert.equal(again.body.message, "tag already exists [name: v1.0.0]");
  } finally {
    await em.dispose();
  }
});
