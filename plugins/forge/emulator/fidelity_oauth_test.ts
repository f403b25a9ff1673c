/**
 * Fidelity: OAuth2 applications and the authorization-code login flow, as
 * Forgejo v11 routers/web/auth/oauth.go answers them (AuthorizeOAuth,
 * handleAuthorizeError, handleAuthorizationCode) with models/auth/oauth2.go
 * ValidateCodeChallenge.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import { call, newUser } from "../../../tests/helpers/emulator_api.ts";

const REDIRECT = "http://127.0.0.1:9/callback";

Deno.test("forgejo fidelity: OAuth2 applications and login flow", async (t) => {
  const em = await startEmulator();
  try {
    const alice = await newUser(em, "alice");
    const created = await call(em, "POST", "/user/applications/oauth2", {
      auth: alice.auth,
      body: { name: "chat", redirect_uris: [REDIRECT], confidential_client: true },
    });
    const app = created.body;
    const authorize = (query: Record<string, string>, auth = alice.auth) =>
      call(em, "GET", `/login/oauth/authorize?${new URLSearchParams(query)}`, { auth });
    const exchange = (form: Record<string, string>) =>
      fetch(`${em.url.replace(/\/$/, "")}/login/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(form),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const codeFor = async (state: string) => {
      const reply = await authorize({
        client_id: app.client_id,
        redirect_uri: REDIRECT,
        response_type: "code",
        state,
      });
      // ctx.Redirect defaults to 303 See Other.
      assert.equal(reply.status, 303);
      const back = new URL(reply.headers.get("location")!);
      assert.equal(back.searchParams.get("state"), state);
      return back.searchParams.get("code")!;
    };

    await t.step("an application is 201 and shows its secret only once", async () => {
      assert.equal(created.status, 201);
      assert.match(app.client_secret, /^gto_/);
      assert.deepEqual(app.redirect_uris, [REDIRECT]);
      const list = await call(em, "GET", "/user/applications/oauth2", { auth: alice.auth });
      assert.equal(list.body[0].client_secret, "");
    });

    await t.step("an unregistered redirect URI is refused (400)", async () => {
      const reply = await authorize({
        client_id: app.client_id,
        redirect_uri: "http://127.0.0.1:9/elsewhere",
        response_type: "code",
      });
      assert.equal(reply.status, 400);
    });

    await t.step("authorize redirects back with a code and the state", async () => {
      assert.match(await codeFor("s1"), /^[0-9a-f]+$/);
    });

    await t.step("the code is exchanged once for a bearer token that calls the API", async () => {
      const code = await codeFor("s2");
      const form = {
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: app.client_secret,
        code,
        redirect_uri: REDIRECT,
      };
      const token = await exchange(form);
      assert.equal(token.status, 200);
      assert.equal(token.body.token_type, "bearer");
      const whoami = await call(em, "GET", "/user", {
        auth: `Bearer ${token.body.access_token}`,
      });
      assert.equal(whoami.body.login, "alice");
      const again = await exchange(form);
      assert.equal(again.status, 400);
      assert.deepEqual(again.body, {
        error: "unauthorized_client",
        error_description: "client is not authorized",
      });
    });

    await t.step("a wrong client secret is 400 unauthorized_client", async () => {
      const reply = await exchange({
        grant_type: "authorization_code",
        client_id: app.client_id,
        client_secret: "gto_wrong",
        code: await codeFor("s3"),
        redirect_uri: REDIRECT,
      });
      assert.equal(reply.status, 400);
      assert.deepEqual(reply.body, {
        error: "unauthorized_client",
        error_description: "invalid client secret",
      });
    });

    await t.step(
      "an unknown client is invalid_client; the grant type is checked first",
      async () => {
        const unknown = await exchange({
          grant_type: "authorization_code",
          client_id: "nobody",
          code: "x",
        });
        assert.deepEqual(unknown.body, {
          error: "invalid_client",
          error_description: "cannot load client with client id: 'nobody'",
        });
        const grantType = await exchange({ grant_type: "password", client_id: "nobody" });
        assert.equal(grantType.status, 400);
        assert.equal(grantType.body.error, "unsupported_grant_type");
      },
    );

    await t.step("a code of another application is invalid_grant", async () => {
      const other = await call(em, "POST", "/user/applications/oauth2", {
        auth: alice.auth,
        body: { name: "other", redirect_uris: [REDIRECT], confidential_client: true },
      });
      const reply = await exchange({
        grant_type: "authorization_code",
        client_id: other.body.client_id,
        client_secret: other.body.client_secret,
        code: await codeFor("s4"),
        redirect_uri: REDIRECT,
      });
      assert.deepEqual(reply.body, { error: "invalid_grant", error_description: "invalid grant" });
    });

    await t.step(
      "PKCE: a public client without a challenge is refused back at the client",
      async () => {
        const pub = await call(em, "POST", "/user/applications/oauth2", {
          auth: alice.auth,
          body: { name: "public", redirect_uris: [REDIRECT], confidential_client: false },
        });
        const query = {
          client_id: pub.body.client_id,
          redirect_uri: REDIRECT,
          response_type: "code",
        };
        const bare = await authorize({ ...query, state: "p1" });
        assert.equal(bare.status, 303);
        const back = new URL(bare.headers.get("location")!);
        assert.equal(back.searchParams.get("error"), "invalid_request");
        assert.equal(
          back.searchParams.get("error_description"),
          "PKCE is required for public clients",
        );
        assert.equal(back.searchParams.get("state"), "p1");
        assert.equal(back.searchParams.get("code"), null);
        const odd = await authorize({
          ...query,
          code_challenge_method: "S512",
          code_challenge: "x",
        });
        const oddBack = new URL(odd.headers.get("location")!);
        assert.equal(
          oddBack.searchParams.get("error_description"),
          "unsupported code challenge method",
        );
        // handleAuthorizeError always sets state, empty when none was given.
        assert.equal(oddBack.searchParams.get("state"), "");
      },
    );

    await t.step("PKCE S256: only the matching verifier redeems the code", async () => {
      const pub = await call(em, "POST", "/user/applications/oauth2", {
        auth: alice.auth,
        body: { name: "public-2", redirect_uris: [REDIRECT], confidential_client: false },
      });
      const verifier = "a-verifier-of-at-least-forty-three-characters-0123456789";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const code = async () => {
        const reply = await authorize({
          client_id: pub.body.client_id,
          redirect_uri: REDIRECT,
          response_type: "code",
          code_challenge_method: "S256",
          code_challenge: challenge,
        });
        assert.equal(reply.status, 303);
        return new URL(reply.headers.get("location")!).searchParams.get("code")!;
      };
      const base = { grant_type: "authorization_code", client_id: pub.body.client_id };
      const wrong = await exchange({ ...base, code: await code(), code_verifier: "other" });
      assert.deepEqual(wrong.body, {
        error: "unauthorized_client",
        error_description: "failed PKCE code challenge",
      });
      const right = await exchange({ ...base, code: await code(), code_verifier: verifier });
      assert.equal(right.status, 200);
      assert.equal(right.body.token_type, "bearer");
    });

    await t.step("the login form carries the PKCE fields through the sign-in", async () => {
      const reply = await authorize(
        {
          client_id: app.client_id,
          redirect_uri: REDIRECT,
          response_type: "code",
          code_challenge_method: "S256",
          code_challenge: "abc",
        },
        "",
      );
      assert.equal(reply.status, 200);
      assert.match(reply.text, /name="code_challenge" value="abc"/);
      assert.match(reply.text, /name="code_challenge_method" value="S256"/);
    });

    await t.step("applications belong to their owner (404 for others)", async () => {
      const bob = await newUser(em, "bob");
      const reply = await call(em, "GET", `/user/applications/oauth2/${app.id}`, {
        auth: bob.auth,
      });
      assert.equal(reply.status, 404);
    });

    await t.step(
      "create and update take one form: a missing confidential_client is false, name and redirect_uris are required",
      async () => {
        // modules/structs/user_app.go CreateOAuth2ApplicationOptions; routers/api/v1/user/app.go
        // uses it for the update too and replaces name, redirect URIs and confidentiality.
        const made = await call(em, "POST", "/user/applications/oauth2", {
          auth: alice.auth,
          body: { name: "plain", redirect_uris: [REDIRECT] },
        });
        assert.equal(made.status, 201);
        assert.equal(made.body.confidential_client, false);
        const path = `/user/applications/oauth2/${made.body.id}`;
        const up = await call(em, "PATCH", path, {
          auth: alice.auth,
          body: { name: "plain", redirect_uris: [REDIRECT], confidential_client: true },
        });
        assert.equal(up.body.confidential_client, true);
        const down = await call(em, "PATCH", path, {
          auth: alice.auth,
          body: { name: "renamed", redirect_uris: [] },
        });
        assert.equal(down.status, 200);
        assert.deepEqual(
          [down.body.name, down.body.redirect_uris, down.body.confidential_client],
          ["renamed", [], false],
        );
        for (const body of [{ redirect_uris: [REDIRECT] }, { name: "x" }]) {
          const refused = await call(em, "PATCH", path, { auth: alice.auth, body });
          assert.equal(refused.status, 422, JSON.stringify(body));
          assert.match(refused.body.message, /^\[(Name|RedirectURIs)\]: Required$/);
        }
      },
    );

    await t.step(
      "redirect URIs match without case or a trailing slash; a public client's loopback at any port",
      async () => {
        // models/auth/oauth2.go ContainsRedirectURI (v11).
        const sent = "HTTP://127.0.0.1:9/Callback/";
        const reply = await authorize({
          client_id: app.client_id,
          redirect_uri: sent,
          response_type: "code",
          state: "s",
        });
        assert.equal(reply.status, 303);
        assert.equal(new URL(reply.headers.get("location")!).pathname, "/Callback/");
        const code = new URL(reply.headers.get("location")!).searchParams.get("code")!;
        const token = await exchange({
          grant_type: "authorization_code",
          client_id: app.client_id,
          client_secret: app.client_secret,
          code,
          redirect_uri: sent,
        });
        assert.equal(token.status, 200, JSON.stringify(token.body));
        const pub = await call(em, "POST", "/user/applications/oauth2", {
          auth: alice.auth,
          body: { name: "cli", redirect_uris: ["http://127.0.0.1/cb"] },
        });
        const pkce = { code_challenge: "x".repeat(43), code_challenge_method: "plain" };
        const loopback = await authorize({
          client_id: pub.body.client_id,
          redirect_uri: "http://127.0.0.1:4567/cb",
          response_type: "code",
          state: "s",
          ...pkce,
        });
        assert.equal(loopback.status, 303);
        assert.match(loopback.headers.get("location")!, /^http:\/\/127\.0\.0\.1:4567\/cb\?/);
        // The port is free only for a public client, and only on loopback.
        for (
          const [clientId, uri] of [
            [app.client_id, "http://127.0.0.1:10/callback"],
            [pub.body.client_id, "http://localhost:4567/cb"],
            [pub.body.client_id, "http://127.0.0.1:4567/cb/more"],
          ]
        ) {
          const refused = await authorize({
            client_id: clientId!,
            redirect_uri: uri!,
            response_type: "code",
            state: "s",
            ...pkce,
          });
          assert.equal(refused.status, 400, uri);
          await refused.body?.cancel?.();
        }
      },
    );

    await t.step("deleting an application is 204", async () => {
      const reply = await call(em, "DELETE", `/user/applications/oauth2/${app.id}`, {
        auth: alice.auth,
      });
      assert.equal(reply.status, 204);
    });
  } finally {
    await em.dispose();
  }
});
