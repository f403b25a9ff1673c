/** Fidelity: OAuth2 applications and the authorization-code login flow. */
import assert from "node:assert/strict";
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
      assert.equal(reply.status, 302);
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
      assert.equal(again.body.error, "unauthorized_client");
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
      assert.equal(reply.body.error, "unauthorized_client");
    });

    await t.step("applications belong to their owner (404 for others)", async () => {
      const bob = await newUser(em, "bob");
      const reply = await call(em, "GET", `/user/applications/oauth2/${app.id}`, {
        auth: bob.auth,
      });
      assert.equal(reply.status, 404);
    });

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
