/** Token scopes: validation, normalisation and the categories each route needs. */
import assert from "node:assert/strict";
import { normalizeScopes, requiredCategories, scopeAllows, ScopeError } from "./scopes.ts";

Deno.test("write implies read and duplicates collapse", () => {
  assert.deepEqual(normalizeScopes(["read:repository", "write:repository"]), [
    "write:repository",
  ]);
});

Deno.test("scopes come back in category order", () => {
  assert.deepEqual(normalizeScopes(["write:user", "write:issue"]), ["write:issue", "write:user"]);
});

Deno.test("all nine write scopes collapse to all", () => {
  const nine = [
    "activitypub",
    "admin",
    "misc",
    "notification",
    "organization",
    "package",
    "issue",
    "repository",
    "user",
  ].map((c) => `write:${c}`);
  assert.deepEqual(normalizeScopes(nine), ["all"]);
});

Deno.test("public-only leads and sudo is ignored", () => {
  assert.deepEqual(normalizeScopes(["sudo", "read:user", "public-only"]), [
    "public-only",
    "read:user",
  ]);
});

Deno.test("an unknown scope throws with Forgejo's message", () => {
  assert.throws(
    () => normalizeScopes(["write:everything"]),
    (error: unknown) =>
      error instanceof ScopeError &&
      error.message ===
        "invalid access token scope provided: invalid access token scope: write:everything",
  );
});

Deno.test("route categories follow api.go's groups", () => {
  assert.deepEqual(requiredCategories("GET", "/version"), []);
  assert.deepEqual(requiredCategories("POST", "/admin/users"), ["admin"]);
  assert.deepEqual(requiredCategories("POST", "/user/repos"), ["user", "repository"]);
  assert.deepEqual(requiredCategories("GET", "/users/bob/tokens"), ["user"]);
  assert.deepEqual(requiredCategories("POST", "/orgs/acme/repos"), ["organization"]);
  assert.deepEqual(requiredCategories("GET", "/repos/a/b/issues/1/timeline"), ["issue"]);
  assert.deepEqual(requiredCategories("POST", "/repos/a/b/labels"), ["issue"]);
  assert.deepEqual(requiredCategories("GET", "/repos/a/b/pulls"), ["repository"]);
  assert.deepEqual(requiredCategories("POST", "/repos/migrate"), ["repository"]);
});

Deno.test("GET needs read, writes need write, all allows everything", () => {
  assert.equal(scopeAllows(["read:repository"], "GET", "/repos/a/b"), null);
  assert.equal(scopeAllows(["read:repository"], "DELETE", "/repos/a/b"), "write:repository");
  assert.equal(scopeAllows(["write:repository"], "GET", "/repos/a/b"), null);
  assert.equal(scopeAllows(["all"], "POST", "/admin/users"), null);
});

Deno.test("with two categories the first missing one is reported", () => {
  assert.equal(scopeAllows([], "POST", "/user/repos"), "write:user");
  assert.equal(scopeAllows(["write:user"], "POST", "/user/repos"), "write:repository");
  assert.equal(scopeAllows(["write:user", "write:repository"], "POST", "/user/repos"), null);
});
