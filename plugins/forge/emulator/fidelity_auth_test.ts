/**
 * Fidelity: how the emulator identifies callers, as Forgejo v11 does
 * (shared/FORGEJO-API.md §1.1, §1.2). One step per behaviour.
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

Deno.test("forgejo fidelity: authentication", async (t) => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    const aliceToken = await newToken(em, alice, ["write:user", "write:repository"]);

    await t.step("a token in `Authorization: token` authenticates", async () => {
      const reply = await call(em, "GET", "/user", { auth: tokenAuth(aliceToken) });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.login, "alice");
    });

    await t.step("`Bearer` may be written in any case", async () => {
      for (const word of ["Bearer", "bearer", "BEARER"]) {
        const reply = await call(em, "GET", "/user", { auth: `${word} ${aliceToken}` });
        assert.equal(reply.status, 200, word);
      }
    });

    await t.step(
      "a capitalised `Token` scheme is not a token: the caller is anonymous",
      async () => {
        // services/auth/oauth2.go parseToken accepts only the exact word "token";
        // basic.go ignores other schemes, so no method claims the request.
        const version = await call(em, "GET", "/version", { auth: `Token ${aliceToken}` });
        assert.equal(version.status, 200);
        const whoami = await call(em, "GET", "/user", { auth: `Token ${aliceToken}` });
        assert.equal(whoami.status, 401);
        assert.deepEqual(whoami.body, errorBody(em, "token is required"));
      },
    );

    await t.step("?token= and ?access_token= in the query authenticate", async () => {
      for (const key of ["token", "access_token"]) {
        const reply = await call(em, "GET", `/user?${key}=${aliceToken}`);
        assert.equal(reply.status, 200, key);
        assert.equal(reply.body.login, "alice");
      }
    });

    await t.step("a query token wins over the Authorization header", async () => {
      // services/auth/oauth2.go parseToken reads the query before the header.
      const quinn = await newUser(em, "quinn");
      const quinnToken = await newToken(em, quinn, ["read:user"]);
      for (const auth of [tokenAuth(quinnToken), `Bearer ${quinnToken}`, quinn.auth]) {
        const reply = await call(em, "GET", `/user?token=${aliceToken}`, { auth });
        assert.equal(reply.status, 200, auth.split(" ")[0]);
        assert.equal(reply.body.login, "alice", auth.split(" ")[0]);
      }
      const empty = await call(em, "GET", `/user?token=&access_token=${aliceToken}`, {
        auth: tokenAuth(quinnToken),
      });
      assert.equal(empty.body.login, "alice", "an empty ?token= is skipped");
    });

    await t.step("a query token draws v11's deprecation Warning, even on a 401", async () => {
      // routers/api/shared/middleware.go checkDeprecatedAuthMethods (v11.0).
      const warning = "token and access_token API authentication is deprecated and will be " +
        "removed in gitea 1.23. Please use AuthorizationHeaderToken instead. Existing queries " +
        "will continue to work but without authorization.";
      for (const query of [`token=${aliceToken}`, `access_token=${aliceToken}`]) {
        const reply = await call(em, "GET", `/user?${query}`);
        assert.equal(reply.status, 200);
        assert.equal(reply.headers.get("warning"), warning, query.split("=")[0]);
      }
      const refused = await call(em, "GET", `/version?token=${"8".repeat(40)}`);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get("warning"), warning);
      const byHeader = await call(em, "GET", "/user?token=", { auth: tokenAuth(aliceToken) });
      assert.equal(byHeader.status, 200);
      assert.equal(byHeader.headers.get("warning"), null, "no warning without a query token");
    });

    await t.step(
      "a bad query token falls back to basic auth but never to a token header",
      async () => {
        // services/auth/group.go: a failed method lets basic auth try; the
        // header token is never read once the query had one.
        const bad = "9".repeat(40);
        const byBasic = await call(em, "GET", `/user?token=${bad}`, { auth: alice.auth });
        assert.equal(byBasic.status, 200);
        assert.equal(byBasic.body.login, "alice");
        const byHeader = await call(em, "GET", `/user?token=${bad}`, {
          auth: tokenAuth(aliceToken),
        });
        assert.equal(byHeader.status, 401);
        assert.deepEqual(byHeader.body, errorBody(em, "user does not exist [uid: 0, name: ]"));
        const badBoth = await call(em, "GET", `/user?token=${bad}`, {
          auth: basic("alice", "wrong-password"),
        });
        assert.equal(badBoth.status, 401);
        assert.deepEqual(badBoth.body, errorBody(em, "user does not exist [uid: 0, name: ]"));
      },
    );

    await t.step("basic auth logs in by username in any case or by email", async () => {
      for (const name of ["ALICE", "alice@example.test"]) {
        const reply = await call(em, "GET", "/user", { auth: basic(name, alice.pass) });
        assert.equal(reply.status, 200, name);
        assert.equal(reply.body.login, "alice");
      }
    });

    await t.step("a token as the basic-auth password authenticates with its scopes", async () => {
      const readOnly = await newToken(em, alice, ["read:user"]);
      const whoami = await call(em, "GET", "/user", { auth: basic("alice", readOnly) });
      assert.equal(whoami.status, 200);
      const write = await call(em, "POST", "/user/repos", {
        auth: basic("alice", readOnly),
        body: { name: "nope" },
      });
      assert.equal(write.status, 403);
      assert.equal(
        write.body.message,
        "token does not have at least one of required scope(s): [write:user]",
      );
    });

    await t.step("an empty password or x-oauth-basic tries the username as the token", async () => {
      for (const pass of ["", "x-oauth-basic"]) {
        const reply = await call(em, "GET", "/user", { auth: basic(aliceToken, pass) });
        assert.equal(reply.status, 200, JSON.stringify(pass));
        assert.equal(reply.body.login, "alice");
      }
    });

    await t.step("a bad password is 401 even on /version", async () => {
      const reply = await call(em, "GET", "/version", { auth: basic("alice", "wrong-password") });
      assert.equal(reply.status, 401);
      assert.deepEqual(
        reply.body,
        errorBody(em, `user's password is invalid [uid: ${alice.id}, name: alice]`),
      );
    });

    await t.step("an empty password for a real user is a wrong password", async () => {
      // basic.go: the username is not a token, so UserSignIn(name, "") runs.
      const reply = await call(em, "GET", "/version", { auth: basic("alice", "") });
      assert.equal(reply.status, 401);
      assert.equal(
        reply.body.message,
        `user's password is invalid [uid: ${alice.id}, name: alice]`,
      );
    });

    await t.step("an unknown user is 401 naming the user", async () => {
      const reply = await call(em, "GET", "/version", { auth: basic("nobody", "whatever-1") });
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, errorBody(em, "user does not exist [uid: 0, name: nobody]"));
    });

    await t.step("an unknown token is 401 even on /version", async () => {
      for (const auth of [tokenAuth("0".repeat(40)), `Bearer ${"1".repeat(40)}`]) {
        const reply = await call(em, "GET", "/version", { auth });
        assert.equal(reply.status, 401);
        assert.deepEqual(reply.body, errorBody(em, "user does not exist [uid: 0, name: ]"));
      }
      const query = await call(em, "GET", `/version?token=${"2".repeat(40)}`);
      assert.equal(query.status, 401);
    });

    await t.step("anonymous calls to public routes need no credentials", async () => {
      const reply = await call(em, "GET", "/version");
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { version: "11.0.1+gitea-1.22.0" });
      const forgejo = await call(em, "GET", "/api/forgejo/v1/version");
      assert.deepEqual(forgejo.body, reply.body);
    });

    await t.step("a reqToken route answers anonymous callers 401 token is required", async () => {
      const reply = await call(em, "GET", "/user");
      assert.equal(reply.status, 401);
      assert.deepEqual(reply.body, errorBody(em, "token is required"));
    });

    await t.step("must-change-password blocks basic auth and tokens alike", async () => {
      const bob = await newUser(em, "bob");
      const bobToken = await newToken(em, bob, ["read:user"]);
      em.control.setMustChangePassword("bob", true);
      const root = `${em.url.replace(/\/$/, "")}/`;
      const expected = {
        // ROOT_URL ends in "/" and the message adds another.
        message: `You must change your password. Change it at: ${root}/user/change_password`,
      };
      for (const auth of [bob.auth, tokenAuth(bobToken)]) {
        const reply = await call(em, "GET", "/version", { auth });
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.body, expected);
      }
      em.control.setMustChangePassword("bob", false);
      assert.equal((await call(em, "GET", "/user", { auth: bob.auth })).status, 200);
    });

    await t.step(
      "a user created without must_change_password is blocked until patched",
      async () => {
        const created = await call(em, "POST", "/admin/users", {
          auth: adminAuth(em),
          body: { username: "carol", email: "carol@example.test", password: "carol-pass-123" },
        });
        assert.equal(created.status, 201);
        const blocked = await call(em, "GET", "/user", { auth: basic("carol", "carol-pass-123") });
        assert.equal(blocked.status, 403);
        const patched = await call(em, "PATCH", "/admin/users/carol", {
          auth: adminAuth(em),
          body: { must_change_password: false },
        });
        assert.equal(patched.status, 200);
        const open = await call(em, "GET", "/user", { auth: basic("carol", "carol-pass-123") });
        assert.equal(open.status, 200);
      },
    );

    await t.step("a prohibited or inactive user is 403 before the password gate", async () => {
      // routers/api/shared/middleware.go checks IsActive/ProhibitLogin first.
      const dave = await newUser(em, "dave");
      em.control.setMustChangePassword("dave", true);
      const message =
        "This account is prohibited from signing in, please contact your site administrator.";
      for (const change of [{ prohibit_login: true }, { prohibit_login: false, active: false }]) {
        await call(em, "PATCH", "/admin/users/dave", { auth: adminAuth(em), body: change });
        const reply = await call(em, "GET", "/version", { auth: dave.auth });
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.body, { message });
      }
    });

    await t.step("require-sign-in refuses anonymous calls, /version included", async () => {
      em.control.setRequireSignin(true);
      try {
        const reply = await call(em, "GET", "/version");
        assert.equal(reply.status, 403);
        assert.deepEqual(reply.body, { message: "Only signed in user is allowed to call APIs." });
        assert.equal((await call(em, "GET", "/version", { auth: alice.auth })).status, 200);
      } finally {
        em.control.setRequireSignin(false);
      }
    });

    await t.step("sudo switches the caller for an admin, by header or query", async () => {
      const header = await call(em, "GET", "/user", {
        auth: adminAuth(em),
        headers: { sudo: "alice" },
      });
      assert.equal(header.body.login, "alice");
      const query = await call(em, "GET", "/user?sudo=alice", { auth: adminAuth(em) });
      assert.equal(query.body.login, "alice");
    });

    await t.step("a sudo form field wins over the Sudo header", async () => {
      // routers/api/v1/api.go sudo(): ctx.FormString("sudo"), the header only when empty.
      const reply = await call(em, "GET", "/user?sudo=quinn", {
        auth: adminAuth(em),
        headers: { sudo: "alice" },
      });
      assert.equal(reply.body.login, "quinn");
      const emptyQuery = await call(em, "GET", "/user?sudo=", {
        auth: adminAuth(em),
        headers: { sudo: "alice" },
      });
      assert.equal(emptyQuery.body.login, "alice");
    });

    await t.step("sudo by a non-admin is 403 with a message-only body", async () => {
      const reply = await call(em, "GET", "/user?sudo=bob", { auth: alice.auth });
      assert.equal(reply.status, 403);
      assert.deepEqual(reply.body, { message: "Only administrators allowed to sudo." });
    });

    await t.step("sudo to an unknown user is the standard 404", async () => {
      const reply = await call(em, "GET", "/user?sudo=ghost-user", { auth: adminAuth(em) });
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "The target couldn't be found."),
        errors: [],
      });
    });

    await t.step("a read scope allows GET but not writes", async () => {
      await newRepo(em, "alice", "scoped");
      const reader = await newToken(em, alice, ["read:repository"]);
      const get = await call(em, "GET", "/repos/alice/scoped", { auth: tokenAuth(reader) });
      assert.equal(get.status, 200);
      const patch = await call(em, "PATCH", "/repos/alice/scoped", {
        auth: tokenAuth(reader),
        body: { description: "x" },
      });
      assert.equal(patch.status, 403);
      assert.deepEqual(
        patch.body,
        errorBody(em, "token does not have at least one of required scope(s): [write:repository]"),
      );
    });

    await t.step("issues and labels need the issue scope, not repository", async () => {
      const repoOnly = await newToken(em, alice, ["write:repository"]);
      const labels = await call(em, "GET", "/repos/alice/scoped/labels", {
        auth: tokenAuth(repoOnly),
      });
      assert.equal(labels.status, 403);
      assert.equal(
        labels.body.message,
        "token does not have at least one of required scope(s): [read:issue]",
      );
      const issueToken = await newToken(em, alice, ["read:issue"]);
      const ok = await call(em, "GET", "/repos/alice/scoped/issues", {
        auth: tokenAuth(issueToken),
      });
      assert.equal(ok.status, 200);
    });

    await t.step("POST /user/repos needs both write:user and write:repository", async () => {
      const userOnly = await newToken(em, alice, ["write:user"]);
      const missingRepo = await call(em, "POST", "/user/repos", {
        auth: tokenAuth(userOnly),
        body: { name: "two-scopes" },
      });
      assert.equal(missingRepo.status, 403);
      assert.equal(
        missingRepo.body.message,
        "token does not have at least one of required scope(s): [write:repository]",
      );
      const both = await call(em, "POST", "/user/repos", {
        auth: tokenAuth(aliceToken),
        body: { name: "two-scopes" },
      });
      assert.equal(both.status, 201);
    });

    await t.step("admin routes need the admin scope", async () => {
      const adminToken = await newToken(
        em,
        { name: em.admin.user, auth: adminAuth(em) },
        ["write:user"],
      );
      const reply = await call(em, "POST", "/admin/users", {
        auth: tokenAuth(adminToken),
        body: { username: "erin", email: "erin@example.test", password: "erin-pass-123" },
      });
      assert.equal(reply.status, 403);
      assert.equal(
        reply.body.message,
        "token does not have at least one of required scope(s): [write:admin]",
      );
    });

    await t.step("password basic auth is not limited by scopes", async () => {
      const reply = await call(em, "POST", "/user/repos", {
        auth: alice.auth,
        body: { name: "by-password" },
      });
      assert.equal(reply.status, 201);
    });

    await t.step("the `all` scope allows every category", async () => {
      const all = await newToken(em, alice, ["all"]);
      const reply = await call(em, "POST", "/user/repos", {
        auth: tokenAuth(all),
        body: { name: "by-all" },
      });
      assert.equal(reply.status, 201);
    });

    // checkTokenPublicOnly (routers/api/v1/api.go, v11.0) runs after the repo
    // or org is found, so a private repo the caller cannot see stays 404.
    await t.step("a public-only token is 403 on a private repo, by route category", async () => {
      await newRepo(em, "alice", "hidden", { private: true });
      await newRepo(em, "alice", "shown");
      await newRepo(em, em.admin.user, "admins-hidden", { private: true });
      const scopes = ["write:repository", "write:issue"];
      const limited = tokenAuth(await newToken(em, alice, ["public-only", ...scopes]));
      const full = tokenAuth(await newToken(em, alice, scopes));
      const expectations: Array<[string, string]> = [
        ["/repos/alice/hidden", "token scope is limited to public repos"],
        ["/repos/alice/hidden/branches", "token scope is limited to public repos"],
        ["/repos/alice/hidden/issues", "token scope is limited to public issues"],
        ["/repos/alice/hidden/labels", "token scope is limited to public issues"],
      ];
      for (const [path, message] of expectations) {
        const refused = await call(em, "GET", path, { auth: limited });
        assert.equal(refused.status, 403, path);
        assert.deepEqual(refused.body, errorBody(em, message), path);
        assert.equal((await call(em, "GET", path, { auth: full })).status, 200, path);
      }
      const write = await call(em, "POST", "/repos/alice/hidden/issues", {
        auth: limited,
        body: { title: "t" },
      });
      assert.deepEqual(write.body, errorBody(em, "token scope is limited to public issues"));
      for (const path of ["/repos/alice/shown", "/repos/alice/shown/issues"]) {
        assert.equal((await call(em, "GET", path, { auth: limited })).status, 200, path);
      }
      const unseen = await call(em, "GET", `/repos/${em.admin.user}/admins-hidden`, {
        auth: limited,
      });
      assert.equal(unseen.status, 404);
    });

    await t.step("a public-only token is 403 on a private or limited org", async () => {
      for (const [name, visibility] of [["po-hidden", "private"], ["po-limited", "limited"]]) {
        const made = await call(em, "POST", "/orgs", {
          auth: alice.auth,
          body: { username: name, visibility },
        });
        assert.equal(made.status, 201, name);
      }
      await call(em, "POST", "/orgs", { auth: alice.auth, body: { username: "po-open" } });
      const limited = tokenAuth(
        await newToken(em, alice, ["public-only", "write:organization", "write:repository"]),
      );
      const refusal = errorBody(em, "token scope is limited to public orgs");
      for (const name of ["po-hidden", "po-limited"]) {
        const read = await call(em, "GET", `/orgs/${name}`, { auth: limited });
        assert.equal(read.status, 403, name);
        assert.deepEqual(read.body, refusal, name);
        const create = await call(em, "POST", `/orgs/${name}/repos`, {
          auth: limited,
          body: { name: "r" },
        });
        assert.equal(create.status, 403, name);
        assert.deepEqual(create.body, refusal, name);
      }
      // The refusal comes before org.Get's own visibility check, so a non-member gets it too.
      const outsider = await newUser(em, "po-outsider");
      const outsiders = tokenAuth(
        await newToken(em, outsider, ["public-only", "read:organization"]),
      );
      const seen = await call(em, "GET", "/orgs/po-hidden", { auth: outsiders });
      assert.deepEqual(seen.body, refusal);
      assert.equal((await call(em, "GET", "/orgs/po-open", { auth: limited })).status, 200);
      const created = await call(em, "POST", "/orgs/po-open/repos", {
        auth: limited,
        body: { name: "r" },
      });
      assert.equal(created.status, 201);
    });

    await t.step(
      "git over HTTP answers a public-only token on a private repo 403 Forbidden",
      async () => {
        // services/context/permission.go CheckRepoScopedToken: http.Error(403).
        const secret = await newToken(em, alice, ["public-only", "read:repository"]);
        const refs = (repo: string) =>
          fetch(
            `${em.url.replace(/\/$/, "")}/alice/${repo}.git/info/refs?service=git-upload-pack`,
            {
              headers: { authorization: basic("alice", secret) },
            },
          );
        const refused = await refs("hidden");
        assert.equal(refused.status, 403);
        assert.equal(await refused.text(), "Forbidden\n");
        const allowed = await refs("shown");
        assert.equal(allowed.status, 200);
        await allowed.body?.cancel();
      },
    );

    await t.step(
      "git over HTTP answers a token lacking the repository scope 403 Forbidden in plain text",
      async () => {
        // services/context/permission.go CheckRepoScopedToken: ctx.Error(403), i.e.
        // Go's http.Error with http.StatusText(403).
        const base = em.url.replace(/\/$/, "");
        const userOnly = await newToken(em, alice, ["read:user"]);
        const readOnly = await newToken(em, alice, ["read:repository"]);
        const refusals: [string, string][] = [
          [`${base}/alice/hidden.git/info/refs?service=git-upload-pack`, userOnly],
          [`${base}/alice/hidden.git/info/refs?service=git-receive-pack`, readOnly],
        ];
        for (const [url, secret] of refusals) {
          const refused = await fetch(url, { headers: { authorization: basic("alice", secret) } });
          assert.equal(refused.status, 403, url);
          assert.equal(refused.headers.get("content-type"), "text/plain; charset=utf-8", url);
          assert.equal(await refused.text(), "Forbidden\n", url);
        }
      },
    );

    await t.step(
      "a token field in a form-encoded POST/PUT/PATCH body authenticates, before the query's",
      async () => {
        // services/auth/oauth2.go parseToken reads req.Form after ParseForm, which holds a
        // urlencoded POST/PUT/PATCH body's fields ahead of the query's; the handler
        // still reads the body.
        const target = await newUser(em, "form-collab");
        const collaborator = `${
          em.url.replace(/\/$/, "")
        }/api/v1/repos/alice/shown/collaborators/${target.name}`;
        const form = (method: string, body: string, query = "") =>
          fetch(`${collaborator}${query}`, {
            method,
            headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
            body,
          });
        for (const key of ["token", "access_token"]) {
          const added = await form("PUT", `permission=read&${key}=${aliceToken}`);
          assert.equal(added.status, 204, key);
          assert.match(added.headers.get("warning") ?? "", /deprecated/, key);
          await added.body?.cancel();
          assert.equal(em.requestLog().at(-1)?.user, "alice", key);
        }
        const bad = "7".repeat(40);
        const bodyFirst = await form("PUT", `token=${aliceToken}`, `?token=${bad}`);
        assert.equal(bodyFirst.status, 204, "the body's token is read before the query's");
        await bodyFirst.body?.cancel();
        const refused = await form("PUT", `token=${bad}`);
        assert.equal(refused.status, 401);
        assert.deepEqual(
          await refused.json(),
          errorBody(em, "user does not exist [uid: 0, name: ]"),
        );
        // Go's ParseForm reads no body for DELETE: the caller stays anonymous.
        const anonymous = await form("DELETE", `token=${aliceToken}`);
        assert.equal(anonymous.status, 401);
        assert.equal(anonymous.headers.get("warning"), null);
        await anonymous.body?.cancel();
        const listed = await call(em, "GET", "/repos/alice/shown/collaborators", {
          auth: alice.auth,
        });
        assert.deepEqual(listed.body.map((u: { login: string }) => u.login), [target.name]);
      },
    );
  } finally {
    await em.dispose();
  }
});
