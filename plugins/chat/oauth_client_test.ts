/** The sign-in's calls to the forge: a forge that does not answer fails the sign-in in time. */
import assert from "node:assert/strict";
import { serve } from "../../core/runtime/serve.ts";
import { type OAuthClient, signedInLogin, SignInError } from "./oauth_client.ts";

/** A forge on loopback whose answers `handler` writes; `release` lets held requests go. */
async function withForge(
  handler: (path: string, held: Promise<void>) => Promise<Response>,
  body: (client: OAuthClient) => Promise<void>,
) {
  const held = Promise.withResolvers<void>();
  const server = await serve(
    (request) => handler(new URL(request.url).pathname, held.promise),
    { hostname: "127.0.0.1", port: 0 },
  );
  try {
    await body({
      forgeUrl: server.url,
      forgeBrowserUrl: server.url,
      clientId: "id",
      clientSecret: "secret",
      redirectUri: "http://127.0.0.1:1/oauth/callback",
    });
  } finally {
    held.resolve();
    await server.shutdown();
  }
}

async function timedOut(promise: Promise<unknown>, ms: number) {
  const started = Date.now();
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof SignInError);
    assert.equal(error.status, 504);
    assert.equal(error.message, `The forge did not answer within ${ms / 1000} s`);
    return true;
  });
  // Failed at the timeout, not after the forge finally answered (never, here).
  assert.ok(Date.now() - started < ms + 5_000);
}

Deno.test("a token endpoint that never answers fails the sign-in at the timeout (504)", () =>
  withForge(async (_path, held) => {
    await held;
    return new Response("{}");
  }, async (client) => {
    await timedOut(signedInLogin(client, "code", "verifier", fetch, 200), 200);
  }));

Deno.test("a userinfo answer whose body never ends fails the sign-in at the timeout (504)", () =>
  withForge((path) => {
    if (path === "/login/oauth/access_token") {
      return Promise.resolve(Response.json({ access_token: "t", token_type: "bearer" }));
    }
    // Headers and the start of the body, then nothing.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"preferred_username":'));
      },
    });
    return Promise.resolve(new Response(body, { headers: { "content-type": "application/json" } }));
  }, async (client) => {
    await timedOut(signedInLogin(client, "code", "verifier", fetch, 300), 300);
  }));

Deno.test("a forge that answers in time signs in; one that is not there is 'could not be reached'", () =>
  withForge((path) =>
    Promise.resolve(
      path === "/login/oauth/access_token"
        ? Response.json({ access_token: "t" })
        : Response.json({ preferred_username: "alice" }),
    ), async (client) => {
    assert.equal(await signedInLogin(client, "code", "verifier", fetch, 5_000), "alice");
    const gone = { ...client, forgeUrl: "http://127.0.0.1:1" };
    await assert.rejects(
      signedInLogin(gone, "code", "verifier", fetch, 5_000),
      (error) =>
        error instanceof SignInError && error.status === 400 &&
        error.message === "The forge could not be reached",
    );
  }));
