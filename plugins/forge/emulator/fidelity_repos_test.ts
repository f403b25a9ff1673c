/**
 * Fidelity: repositories (three create paths, migrate, 404 versus 403) and
 * collaborators as Forgejo v11 answers them (shared/FORGEJO-API.md §1.8, §2.3, §2.4).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  errorBody,
  newRepo,
  newToken,
  newUser,
  tokenAuth,
} from "../../../tests/helpers/emulator_api.ts";

Deno.test("forgejo fidelity: repositories and collaborators", async (t) => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    const carol = await newUser(em, "carol");
    await call(em, "POST", "/orgs", { auth: alice.auth, body: { username: "acme" } });

    // --- create paths
    await t.step("the admin route creates a repo under a user, empty by default", async () => {
      const reply = await call(em, "POST", "/admin/users/alice/repos", {
        auth: adminAuth(em),
        body: { name: "Empty" },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.full_name, "alice/Empty");
      assert.equal(reply.body.owner.login, "alice");
      assert.equal(reply.body.empty, true);
      assert.equal(reply.body.default_branch, "main");
    });

    await t.step("auto_init gives the default branch a first commit", async () => {
      const repo = await newRepo(em, "alice", "inited", { default_branch: "trunk" });
      assert.equal(repo.empty, false);
      assert.equal(repo.default_branch, "trunk");
      const branch = await call(em, "GET", "/repos/alice/inited/branches/trunk");
      assert.equal(branch.status, 200);
    });

    await t.step("the admin route also creates under an org", async () => {
      const reply = await call(em, "POST", "/admin/users/acme/repos", {
        auth: adminAuth(em),
        body: { name: "via-admin" },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.full_name, "acme/via-admin");
    });

    await t.step("the admin route for an unknown owner is 404", async () => {
      const reply = await call(em, "POST", "/admin/users/nobody/repos", {
        auth: adminAuth(em),
        body: { name: "x" },
      });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "user redirect does not exist [name: nobody]");
    });

    await t.step("POST /user/repos creates for the caller", async () => {
      const reply = await call(em, "POST", "/user/repos", {
        auth: bob.auth,
        body: { name: "mine" },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.full_name, "bob/mine");
      assert.deepEqual(reply.body.permissions, { admin: true, push: true, pull: true });
    });

    await t.step("an org owner creates under the org; others get 403", async () => {
      const owner = await call(em, "POST", "/orgs/acme/repos", {
        auth: alice.auth,
        body: { name: "tools" },
      });
      assert.equal(owner.status, 201);
      const other = await call(em, "POST", "/orgs/acme/repos", {
        auth: bob.auth,
        body: { name: "sneaky" },
      });
      assert.equal(other.status, 403);
      assert.deepEqual(
        other.body,
        errorBody(em, "Given user is not allowed to create repository in organization."),
      );
    });

    await t.step("creating under an unknown org is 404 GetOrgByName", async () => {
      const reply = await call(em, "POST", "/orgs/ghost-org/repos", {
        auth: alice.auth,
        body: { name: "x" },
      });
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "GetOrgByName"),
        errors: ["user redirect does not exist [name: ghost-org]"],
      });
    });

    await t.step(
      "a duplicate repo name is 409 on every create path, case-insensitively",
      async () => {
        const message = "The repository with the same name already exists.";
        const admin = await call(em, "POST", "/admin/users/alice/repos", {
          auth: adminAuth(em),
          body: { name: "EMPTY" },
        });
        assert.equal(admin.status, 409);
        assert.deepEqual(admin.body, errorBody(em, message));
        const user = await call(em, "POST", "/user/repos", {
          auth: bob.auth,
          body: { name: "MINE" },
        });
        assert.equal(user.status, 409);
        const org = await call(em, "POST", "/orgs/acme/repos", {
          auth: alice.auth,
          body: { name: "Tools" },
        });
        assert.equal(org.status, 409);
      },
    );

    await t.step("reserved repo names and patterns are 422", async () => {
      for (
        const [name, message] of [
          ["-", "name is reserved [name: -]"],
          ["code.git", "name pattern is not allowed [pattern: *.git]"],
          ["notes.wiki", "name pattern is not allowed [pattern: *.wiki]"],
        ]
      ) {
        const reply = await call(em, "POST", "/user/repos", { auth: bob.auth, body: { name } });
        assert.equal(reply.status, 422, name);
        assert.equal(reply.body.message, message);
      }
    });

    await t.step("a repo without a name is 422 [Name]: Required", async () => {
      const reply = await call(em, "POST", "/user/repos", { auth: bob.auth, body: {} });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "[Name]: Required");
    });

    await t.step("a POST body without a Content-Type is 422 Empty Content-Type", async () => {
      const response = await fetch(`${em.url.replace(/\/$/, "")}/api/v1/user/repos`, {
        method: "POST",
        headers: { authorization: bob.auth },
        body: new Blob([JSON.stringify({ name: "typeless" })]),
      });
      assert.equal(response.status, 422);
      assert.equal((await response.json()).message, "[]: Empty Content-Type");
    });

    // --- reading, 404 versus 403
    await t.step("repo lookups are case-insensitive and keep the original spelling", async () => {
      const reply = await call(em, "GET", "/repos/ALICE/empty");
      assert.equal(reply.status, 200);
      assert.equal(reply.body.name, "Empty");
      assert.equal(reply.body.full_name, "alice/Empty");
    });

    await t.step("an unknown owner is 404 GetUserByName with the error in errors", async () => {
      const reply = await call(em, "GET", "/repos/nobody/x");
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "GetUserByName"),
        errors: ["user redirect does not exist [name: nobody]"],
      });
    });

    await t.step("an unknown repo is the default 404 with empty errors", async () => {
      const reply = await call(em, "GET", "/repos/alice/nothing");
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "The target couldn't be found."),
        errors: [],
      });
    });

    await t.step("a private repo is 404 to anonymous callers and non-members", async () => {
      await newRepo(em, "alice", "secret", { private: true });
      assert.equal((await call(em, "GET", "/repos/alice/secret")).status, 404);
      assert.equal((await call(em, "GET", "/repos/alice/secret", { auth: bob.auth })).status, 404);
      assert.equal(
        (await call(em, "GET", "/repos/alice/secret", { auth: alice.auth })).status,
        200,
      );
    });

    await t.step("a visible repo without the role is 403 reqAdmin on PATCH", async () => {
      const reply = await call(em, "PATCH", "/repos/alice/inited", {
        auth: bob.auth,
        body: { description: "mine now" },
      });
      assert.equal(reply.status, 403);
      assert.deepEqual(
        reply.body,
        errorBody(em, "user should be an owner or a collaborator with admin write of a repository"),
      );
    });

    await t.step("permissions in the repo show the caller's rights", async () => {
      const reader = await call(em, "GET", "/repos/alice/inited", { auth: bob.auth });
      assert.deepEqual(reader.body.permissions, { admin: false, push: false, pull: true });
    });

    // --- migrate
    await t.step("migrating from a non-local host is 422 disallowed hosts", async () => {
      const reply = await call(em, "POST", "/repos/migrate", {
        auth: alice.auth,
        body: { clone_addr: "https://example.com/x/y.git", repo_name: "copied" },
      });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "You can not import from disallowed hosts.");
    });

    await t.step("migrating into an unknown owner is 422 user does not exist", async () => {
      const reply = await call(em, "POST", "/repos/migrate", {
        auth: adminAuth(em),
        body: { clone_addr: "http://127.0.0.1:1/x.git", repo_name: "x", repo_owner: "nobody" },
      });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "user does not exist [uid: 0, name: nobody]");
    });

    await t.step("migrating into another user is 403 for a non-admin", async () => {
      const reply = await call(em, "POST", "/repos/migrate", {
        auth: bob.auth,
        body: { clone_addr: "http://127.0.0.1:1/x.git", repo_name: "x", repo_owner: "alice" },
      });
      assert.equal(reply.status, 403);
      assert.equal(reply.body.message, "Given user is not an organization.");
    });

    await t.step("migrating over an existing repo is 409", async () => {
      const reply = await call(em, "POST", "/repos/migrate", {
        auth: alice.auth,
        body: { clone_addr: "http://127.0.0.1:1/x.git", repo_name: "INITED" },
      });
      assert.equal(reply.status, 409);
    });

    await t.step("a synchronous migrate from a loopback forge copies the branches", async () => {
      const source = `${em.url.replace(/\/$/, "")}/alice/inited.git`;
      const reply = await call(em, "POST", "/repos/migrate", {
        auth: bob.auth,
        body: { clone_addr: source, repo_name: "copy" },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.default_branch, "trunk");
      assert.equal((await call(em, "GET", "/repos/bob/copy/branches/trunk")).status, 200);
    });

    // --- collaborators
    const collab = (user: string, method = "GET", body?: unknown) =>
      call(em, method, `/repos/alice/inited/collaborators/${user}`, {
        auth: alice.auth,
        ...(body === undefined ? {} : { body }),
      });
    const permission = async (user: string) =>
      (await call(em, "GET", `/repos/alice/inited/collaborators/${user}/permission`, {
        auth: alice.auth,
      })).body.permission;

    await t.step("adding a collaborator without a permission gives write (204)", async () => {
      const reply = await collab("bob", "PUT", {});
      assert.equal(reply.status, 204);
      assert.equal(reply.text, "");
      assert.equal(await permission("bob"), "write");
    });

    await t.step("adding a collaborator again is idempotent and updates the level", async () => {
      assert.equal((await collab("bob", "PUT", { permission: "read" })).status, 204);
      assert.equal(await permission("bob"), "read");
      assert.equal((await collab("bob", "PUT", { permission: "read" })).status, 204);
    });

    await t.step("an unknown permission string is ignored silently", async () => {
      assert.equal((await collab("bob", "PUT", { permission: "owner" })).status, 204);
      assert.equal(await permission("bob"), "read");
      assert.equal((await collab("carol", "PUT", { permission: "maintain" })).status, 204);
      assert.equal(await permission("carol"), "write");
    });

    await t.step("the collaborator check is 204 for a collaborator, 404 otherwise", async () => {
      assert.equal((await collab("bob")).status, 204);
      const owner = await collab("alice");
      assert.equal(owner.status, 404);
      assert.deepEqual(owner.body.errors, []);
    });

    await t.step("an unknown collaborator is 422 on PUT, GET and DELETE", async () => {
      for (const method of ["PUT", "GET", "DELETE"]) {
        const reply = await collab("nobody", method, method === "PUT" ? {} : undefined);
        assert.equal(reply.status, 422, method);
        assert.equal(reply.body.message, "user does not exist [uid: 0, name: nobody]");
      }
    });

    await t.step("the owner and site admins have the owner permission", async () => {
      assert.equal(await permission("alice"), "owner");
      assert.equal(await permission(em.admin.user), "owner");
    });

    await t.step("a non-admin asking for someone else's permission is 403", async () => {
      const reply = await call(em, "GET", "/repos/alice/inited/collaborators/carol/permission", {
        auth: bob.auth,
      });
      assert.equal(reply.status, 403);
    });

    await t.step("a non-admin collaborator cannot add collaborators (403)", async () => {
      const reply = await call(em, "PUT", "/repos/alice/inited/collaborators/bob", {
        auth: carol.auth,
        body: {},
      });
      assert.equal(reply.status, 403);
    });

    await t.step("the collaborator list is paged and counted, without Link", async () => {
      const reply = await call(em, "GET", "/repos/alice/inited/collaborators?limit=1", {
        auth: alice.auth,
      });
      assert.equal(reply.body.length, 1);
      assert.equal(reply.headers.get("x-total-count"), "2");
      assert.equal(reply.headers.get("link"), null);
    });

    await t.step(
      "collaborator routes, the list included, need a token (anonymous is 401)",
      async () => {
        // routers/api/v1/api.go: the whole /collaborators group sits behind reqToken().
        for (const path of ["collaborators", "collaborators/bob"]) {
          const reply = await call(em, "GET", `/repos/alice/inited/${path}`);
          assert.equal(reply.status, 401, path);
          assert.deepEqual(reply.body, errorBody(em, "token is required"));
        }
      },
    );

    await t.step("removing a collaborator is 204", async () => {
      assert.equal((await collab("carol", "DELETE")).status, 204);
      assert.equal((await collab("carol")).status, 404);
    });

    await t.step("a write collaborator can push through the API but not administer", async () => {
      await collab("carol", "PUT", { permission: "write" });
      const token = await newToken(em, carol, ["write:repository"]);
      const branch = await call(em, "POST", "/repos/alice/inited/branches", {
        auth: tokenAuth(token),
        body: { new_branch_name: "carol-work" },
      });
      assert.equal(branch.status, 201);
      const protect = await call(em, "POST", "/repos/alice/inited/branch_protections", {
        auth: tokenAuth(token),
        body: { rule_name: "trunk" },
      });
      assert.equal(protect.status, 403);
    });
  } finally {
    await em.dispose();
  }
});
