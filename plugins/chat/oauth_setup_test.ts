import assert from "node:assert/strict";
import { basicAuth } from "../../core/forgejo/auth.ts";
import { ForgejoHttp } from "../../core/forgejo/http.ts";
import { listOAuth2Apps } from "../../core/forgejo/oauth.ts";
import { startEmulator } from "../../tests/helpers/emulator.ts";
import { CHAT_APP_NAME, ensureChatOAuthApp } from "./oauth_setup.ts";

const CALLBACK = "http://chat.example.test/oauth/callback";

/**
 * Whether the forge takes `secret` as the app's: a made-up code is then
 * refused for the code ("client is not authorized"), not for the secret.
 */
async function secretAccepted(url: string, clientId: string, secret: string): Promise<boolean> {
  const reply = await fetch(`${url}/login/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: clientId,
      client_secret: secret,
      code: "not-a-code",
      redirect_uri: CALLBACK,
    }),
  });
  const body = await reply.json();
  return body.error_description === "client is not authorized";
}

Deno.test("ensureChatOAuthApp: created, unchanged, a new callback added (new secret), a lost secret replaced, an unknown id made anew", async () => {
  const em = await startEmulator();
  try {
    const http = new ForgejoHttp(em.url, basicAuth(em.admin.user, em.admin.pass));
    const made = await ensureChatOAuthApp(http, { redirectUri: CALLBACK });
    assert.equal(made.outcome, "created");
    assert.ok(await secretAccepted(em.url, made.clientId, made.clientSecret));
    const [app] = await listOAuth2Apps(http);
    assert.deepEqual(
      [app!.name, app!.redirect_uris, app!.confidential_client],
      [CHAT_APP_NAME, [CALLBACK], true],
    );

    const writes = em.writes().length;
    const again = await ensureChatOAuthApp(http, {
      redirectUri: CALLBACK,
      clientId: made.clientId,
      clientSecret: made.clientSecret,
    });
    assert.deepEqual(again, { ...made, outcome: "unchanged" });
    assert.equal(em.writes().length, writes);

    // A second public URL: added to the redirect URIs; the forge regenerates the secret.
    const other = "https://chat.other.test/oauth/callback";
    const moved = await ensureChatOAuthApp(http, {
      redirectUri: other,
      clientId: made.clientId,
      clientSecret: made.clientSecret,
    });
    assert.equal(moved.outcome, "updated");
    assert.equal(moved.clientId, made.clientId);
    assert.notEqual(moved.clientSecret, made.clientSecret);
    assert.ok(await secretAccepted(em.url, made.clientId, moved.clientSecret));
    assert.equal(await secretAccepted(em.url, made.clientId, made.clientSecret), false);
    assert.deepEqual((await listOAuth2Apps(http))[0]!.redirect_uris, [CALLBACK, other]);

    // The id kept but not the secret: a new one is made for the same app.
    const lost = await ensureChatOAuthApp(http, { redirectUri: other, clientId: made.clientId });
    assert.equal(lost.outcome, "updated");
    assert.ok(await secretAccepted(em.url, made.clientId, lost.clientSecret));
    assert.equal((await listOAuth2Apps(http)).length, 1);

    // An id the forge does not know (the app was deleted): a new app.
    const gone = await ensureChatOAuthApp(http, { redirectUri: CALLBACK, clientId: "nope" });
    assert.equal(gone.outcome, "created");
    assert.notEqual(gone.clientId, made.clientId);
  } finally {
    await em.dispose();
  }
});
