/**
 * Fidelity: users, admin users, access tokens, orgs and server settings as
 * Forgejo v11 answers them (shared/FORGEJO-API.md §1.4, §1.7, §2.1, §2.2, §2.11).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  basic,
  call,
  errorBody,
  newRepo,
  newToken,
  newUser,
  tokenAuth,
} from "../../../tests/helpers/emulator_api.ts";

Deno.test("forgejo fidelity: users, tokens and orgs", async (t) => {
  const em = await startEmulator();
  const createUser = (body: Record<string, unknown>, auth = adminAuth(em)) =>
    call(em, "POST", "/admin/users", { auth, body });
  try {
    const alice = await newUser(em, "Alice");
    const bob = await newUser(em, "bob");

    // --- admin users
    await t.step("creating a user is 201 with an active, non-admin User", async () => {
      const reply = await createUser({
        username: "frank",
        email: "frank@example.test",
        password: "frank-pass-123",
        must_change_password: false,
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.login, "frank");
      assert.equal(reply.body.username, "frank");
      assert.equal(reply.body.active, true);
      assert.equal(reply.body.is_admin, false);
    });

    await t.step("a duplicate username is 422, checked case-insensitively", async () => {
      const reply = await createUser({
        username: "ALICE",
        email: "other@example.test",
        password: "long-enough-1",
      });
      assert.equal(reply.status, 422);
      assert.deepEqual(reply.body, errorBody(em, "user already exists [name: ALICE]"));
    });

    await t.step("a duplicate email is 422 e-mail already in use", async () => {
      const reply = await createUser({
        username: "alice2",
        email: "alice@example.test",
        password: "long-enough-1",
      });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "e-mail already in use [email: alice@example.test]");
    });

    await t.step("reserved names and patterns are 422", async () => {
      const reserved = await createUser({
        username: "admin",
        email: "a@example.test",
        password: "long-enough-1",
      });
      assert.equal(reserved.status, 422);
      assert.equal(reserved.body.message, "name is reserved [name: admin]");
      const pattern = await createUser({
        username: "bot.keys",
        email: "k@example.test",
        password: "long-enough-1",
      });
      assert.equal(pattern.status, 422);
      assert.equal(pattern.body.message, "name pattern is not allowed [pattern: *.keys]");
    });

    await t.step("an invalid username is 422 [Username]: invalid username", async () => {
      for (const username of ["-dash", "a..b", "trailing-", "x".repeat(41)]) {
        const reply = await createUser({
          username,
          email: `${username.length}@example.test`,
          password: "long-enough-1",
        });
        assert.equal(reply.status, 422, username);
        assert.equal(reply.body.message, "[Username]: invalid username");
      }
    });

    await t.step("a password under 8 characters is 400 PasswordIsRequired", async () => {
      const reply = await createUser({
        username: "shorty",
        email: "shorty@example.test",
        password: "1234567",
      });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, "PasswordIsRequired");
    });

    await t.step("admin routes: anonymous is 401, a non-admin is 403", async () => {
      const body = { username: "zed", email: "zed@example.test", password: "zed-pass-123" };
      const anonymous = await call(em, "POST", "/admin/users", { body });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(anonymous.body, errorBody(em, "token is required"));
      const plain = await createUser(body, alice.auth);
      assert.equal(plain.status, 403);
      assert.deepEqual(plain.body, errorBody(em, "user should be the site admin"));
    });

    await t.step("an admin is made by PATCH {admin:true}, not on creation", async () => {
      const created = await createUser({
        username: "gina",
        email: "gina@example.test",
        password: "gina-pass-123",
        must_change_password: false,
        admin: true,
      });
      assert.equal(created.body.is_admin, false);
      const patched = await call(em, "PATCH", "/admin/users/gina", {
        auth: adminAuth(em),
        body: { admin: true },
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.is_admin, true);
    });

    await t.step("patching a short password is 400", async () => {
      const reply = await call(em, "PATCH", "/admin/users/gina", {
        auth: adminAuth(em),
        body: { password: "short" },
      });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, "password must be at least 8 characters");
    });

    await t.step("patching an unknown user is 404 user redirect does not exist", async () => {
      const reply = await call(em, "PATCH", "/admin/users/nobody", {
        auth: adminAuth(em),
        body: { active: true },
      });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "user redirect does not exist [name: nobody]");
    });

    await t.step("deleting a user is 204; one who owns repos or oneself is 422", async () => {
      await newUser(em, "owner1");
      await newRepo(em, "owner1", "kept");
      const owning = await call(em, "DELETE", "/admin/users/owner1", { auth: adminAuth(em) });
      assert.equal(owning.status, 422);
      const self = await call(em, "DELETE", `/admin/users/${em.admin.user}`, {
        auth: adminAuth(em),
      });
      assert.equal(self.status, 422);
      const gone = await call(em, "DELETE", "/admin/users/frank", { auth: adminAuth(em) });
      assert.equal(gone.status, 204);
      assert.equal(gone.text, "");
      assert.equal((await call(em, "GET", "/users/frank")).status, 404);
    });

    // --- users
    await t.step("user lookups are case-insensitive and keep the original spelling", async () => {
      const reply = await call(em, "GET", "/users/aLiCe");
      assert.equal(reply.status, 200);
      assert.equal(reply.body.login, "Alice");
    });

    await t.step("an unknown user is 404 with no errors key", async () => {
      const reply = await call(em, "GET", "/users/nobody");
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, errorBody(em, "user redirect does not exist [name: nobody]"));
    });

    await t.step("anonymous callers see the placeholder email", async () => {
      const host = new URL(em.url).hostname;
      const reply = await call(em, "GET", "/users/Alice");
      assert.equal(reply.body.email, `alice@noreply.${host}`);
    });

    await t.step("others see zero values for private User fields", async () => {
      const seen = await call(em, "GET", "/users/gina", { auth: bob.auth });
      assert.equal(seen.body.is_admin, false);
      const self = await call(em, "GET", "/user", { auth: basic("gina", "gina-pass-123") });
      assert.equal(self.body.is_admin, true);
    });

    // --- tokens
    await t.step(
      "a token is created with basic auth: 201, sha1 once, scopes normalised",
      async () => {
        const reply = await call(em, "POST", "/users/bob/tokens", {
          auth: bob.auth,
          body: { name: "ci", scopes: ["read:repository", "write:repository", "write:issue"] },
        });
        assert.equal(reply.status, 201);
        assert.match(reply.body.sha1, /^[0-9a-f]{40}$/);
        assert.equal(reply.body.token_last_eight, reply.body.sha1.slice(-8));
        assert.deepEqual(reply.body.scopes, ["write:issue", "write:repository"]);
        const list = await call(em, "GET", "/users/bob/tokens", { auth: bob.auth });
        const listed = list.body.find((tok: { name: string }) => tok.name === "ci");
        assert.equal(listed.sha1, "");
      },
    );

    await t.step("creating a token with a token header is 401 auth required", async () => {
      const userToken = await newToken(em, bob, ["write:user"]);
      const reply = await call(em, "POST", "/users/bob/tokens", {
        auth: tokenAuth(userToken),
        body: { name: "via-token", scopes: ["read:user"] },
      });
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, errorBody(em, "auth required"));
    });

    await t.step(
      "a token as the basic password may create tokens (it counts as basic)",
      async () => {
        const userToken = await newToken(em, bob, ["write:user"]);
        const reply = await call(em, "POST", "/users/bob/tokens", {
          auth: basic("bob", userToken),
          body: { name: "via-basic-token", scopes: ["read:user"] },
        });
        assert.equal(reply.status, 201);
      },
    );

    await t.step("an admin's basic credentials mint a token for another user", async () => {
      const reply = await call(em, "POST", "/users/bob/tokens", {
        auth: adminAuth(em),
        body: { name: "minted", scopes: ["all"] },
      });
      assert.equal(reply.status, 201);
      const whoami = await call(em, "GET", "/user", { auth: tokenAuth(reply.body.sha1) });
      assert.equal(whoami.body.login, "bob");
    });

    await t.step("another user's tokens are 403, even anonymously (not 401)", async () => {
      const msg = "doer should be the site admin or be same as the contextUser";
      const other = await call(em, "GET", "/users/bob/tokens", { auth: alice.auth });
      assert.equal(other.status, 403);
      assert.deepEqual(other.body, errorBody(em, msg));
      const anonymous = await call(em, "GET", "/users/bob/tokens");
      assert.equal(anonymous.status, 403);
      const create = await call(em, "POST", "/users/bob/tokens", {
        auth: alice.auth,
        body: { name: "x", scopes: ["all"] },
      });
      assert.equal(create.status, 403);
    });

    await t.step("token creation for an unknown user is 404", async () => {
      const reply = await call(em, "POST", "/users/nobody/tokens", {
        auth: adminAuth(em),
        body: { name: "x", scopes: ["all"] },
      });
      assert.equal(reply.status, 404);
    });

    await t.step("a token without a name is 422 [Name]: Required", async () => {
      const reply = await call(em, "POST", "/users/bob/tokens", {
        auth: bob.auth,
        body: { scopes: ["all"] },
      });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "[Name]: Required");
    });

    await t.step("a duplicate token name is 400", async () => {
      const reply = await call(em, "POST", "/users/bob/tokens", {
        auth: bob.auth,
        body: { name: "ci", scopes: ["all"] },
      });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, "access token name has been used already");
    });

    await t.step("a token without scopes is 400 access token must have a scope", async () => {
      for (const body of [{ name: "none" }, { name: "none", scopes: [] }]) {
        const reply = await call(em, "POST", "/users/bob/tokens", { auth: bob.auth, body });
        assert.equal(reply.status, 400);
        assert.equal(reply.body.message, "access token must have a scope");
      }
    });

    await t.step("an unknown scope is 400 naming it", async () => {
      const reply = await call(em, "POST", "/users/bob/tokens", {
        auth: bob.auth,
        body: { name: "bad", scopes: ["write:everything"] },
      });
      assert.equal(reply.status, 400);
      assert.equal(
        reply.body.message,
        "invalid access token scope provided: invalid access token scope: write:everything",
      );
    });

    await t.step("tokens are listed newest first, all of them without page", async () => {
      const reply = await call(em, "GET", "/users/bob/tokens", { auth: bob.auth });
      assert.equal(reply.status, 200);
      const ids = reply.body.map((tok: { id: number }) => tok.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
      assert.equal(reply.headers.get("x-total-count"), String(ids.length));
    });

    await t.step("a token is deleted by name or by id; a miss is 404", async () => {
      const byName = await call(em, "DELETE", "/users/bob/tokens/ci", { auth: bob.auth });
      assert.equal(byName.status, 204);
      const list = await call(em, "GET", "/users/bob/tokens", { auth: bob.auth });
      const id = list.body[0].id;
      const byId = await call(em, "DELETE", `/users/bob/tokens/${id}`, { auth: bob.auth });
      assert.equal(byId.status, 204);
      const again = await call(em, "DELETE", `/users/bob/tokens/${id}`, { auth: bob.auth });
      assert.equal(again.status, 404);
      assert.deepEqual(again.body.errors, []);
    });

    await t.step("deleting a token needs basic auth", async () => {
      const userToken = await newToken(em, bob, ["write:user"], "deletable");
      const reply = await call(em, "DELETE", "/users/bob/tokens/deletable", {
        auth: tokenAuth(userToken),
      });
      assert.equal(reply.status, 401);
      assert.equal(reply.body.message, "auth required");
    });

    await t.step("a deleted token no longer authenticates", async () => {
      const secret = await newToken(em, bob, ["read:user"], "short-lived");
      await call(em, "DELETE", "/users/bob/tokens/short-lived", { auth: bob.auth });
      const reply = await call(em, "GET", "/version", { auth: tokenAuth(secret) });
      assert.equal(reply.status, 401);
    });

    // --- orgs
    await t.step("creating an org is 201 with name and username alike", async () => {
      const reply = await call(em, "POST", "/orgs", {
        auth: alice.auth,
        body: { username: "Acme", full_name: "Acme Inc" },
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.name, "Acme");
      assert.equal(reply.body.username, "Acme");
    });

    await t.step("orgs and users share one namespace (duplicate is 422)", async () => {
      for (const username of ["acme", "bob"]) {
        const reply = await call(em, "POST", "/orgs", { auth: alice.auth, body: { username } });
        assert.equal(reply.status, 422, username);
        assert.equal(reply.body.message, `user already exists [name: ${username}]`);
      }
      const user = await createUser({
        username: "ACME",
        email: "acme@example.test",
        password: "acme-pass-123",
      });
      assert.equal(user.status, 422);
    });

    await t.step("an org is also served by GET /users/{org}", async () => {
      const reply = await call(em, "GET", "/users/acme");
      assert.equal(reply.status, 200);
      assert.equal(reply.body.login, "Acme");
    });

    await t.step("an unknown org is 404 GetOrgByName with the error in errors", async () => {
      const known = await call(em, "GET", "/orgs/ACME");
      assert.equal(known.status, 200);
      const reply = await call(em, "GET", "/orgs/nope");
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "GetOrgByName"),
        errors: ["user redirect does not exist [name: nope]"],
      });
    });

    // --- server information
    await t.step("settings/api reports the paging limits", async () => {
      const reply = await call(em, "GET", "/settings/api");
      assert.deepEqual(reply.body, {
        max_response_items: 50,
        default_paging_num: 30,
        default_git_trees_per_page: 1000,
        default_max_blob_size: 10485760,
      });
    });

    await t.step(
      "JSON answers are application/json;charset=utf-8 ending in a newline",
      async () => {
        const reply = await call(em, "GET", "/version");
        assert.equal(reply.headers.get("content-type"), "application/json;charset=utf-8");
        assert.ok(reply.text.endsWith("}\n"));
      },
    );

    await t.step("a path that matches no route is a plain-text 404", async () => {
      const reply = await call(em, "GET", "/no/such/route");
      assert.equal(reply.status, 404);
      assert.equal(reply.body, undefined);
      assert.match(reply.text, /404 page not found/);
    });
  } finally {
    await em.dispose();
  }
});
