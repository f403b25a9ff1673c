/**
 * Forgejo answers "read" for the permission of any signed-in user on a public
 * repo, collaborator or not (models/perm/access: accessLevel starts at read
 * for a public repo). collaboratorPermission must not take that for a grant,
 * or a read collaborator lost to an interrupted init is never re-added.
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { createUser } from "./admin.ts";
import { basicAuth } from "./auth.ts";
import { collaboratorPermission, setCollaborator } from "./collaborators.ts";
import { ForgejoHttp } from "./http.ts";
import { createRepo } from "./repos.ts";

Deno.test("a signed-in reader of a public repo who is no collaborator has no granted permission", async () => {
  const emulator = await startEmulator();
  try {
    const admin = new ForgejoHttp(
      emulator.url,
      basicAuth(emulator.admin.user, emulator.admin.pass),
    );
    await createRepo(admin, emulator.admin.user, { name: "open", auto_init: true });
    await createUser(admin, { username: "reader", email: "reader@x.test", password: "pw-1234567" });
    const slug = `${emulator.admin.user}/open`;

    // The forge itself says "read" before any grant.
    const raw = await fetch(
      `${emulator.url}/api/v1/repos/${slug}/collaborators/reader/permission`,
      {
        headers: {
          authorization: `Basic ${btoa(`${emulator.admin.user}:${emulator.admin.pass}`)}`,
        },
      },
    );
    assert.equal(((await raw.json()) as { permission: string }).permission, "read");

    assert.equal(await collaboratorPermission(admin, slug, "reader"), "none");
    await setCollaborator(admin, slug, "reader", "read");
    assert.equal(await collaboratorPermission(admin, slug, "reader"), "read");
    await setCollaborator(admin, slug, "reader", "write");
    assert.equal(await collaboratorPermission(admin, slug, "reader"), "write");
  } finally {
    await emulator.dispose();
  }
});
