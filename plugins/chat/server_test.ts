/** The chat web server against the forge emulator, with a scripted turn runner. */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import {
  PUBLIC_URL,
  request,
  SECRET,
  sessionOf,
  setCookies,
  signIn,
  withChat,
} from "./_test_kit.ts";
import type { TurnInput, TurnOutcome } from "./conversation.ts";
import { tokenSigner } from "./signed_token.ts";

async function lines(response: Response): Promise<Record<string, unknown>[]> {
  return (await response.text()).trim().split("\n").map((line) => JSON.parse(line));
}

Deno.test("sign-in: forge OAuth with state and PKCE gives an HttpOnly SameSite=Lax session", () =>
  withChat(async (fx) => {
    const login = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
    assert.equal(login.status, 303);
    const to = new URL(login.headers.get("location")!);
    assert.equal(to.origin + to.pathname, `${fx.em.url}/login/oauth/authorize`);
    assert.equal(to.searchParams.get("code_challenge_method"), "S256");
    assert.match(to.searchParams.get("code_challenge")!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(to.searchParams.get("state")!, /^[A-Za-z0-9_-]{32}$/);
    const reply = await signIn(fx, "alice");
    assert.equal(reply.status, 303);
    assert.equal(reply.headers.get("location"), "/");
    const session = reply.headers.getSetCookie().find((c) => c.startsWith("chat_session="))!;
    assert.match(session, /HttpOnly/);
    assert.match(session, /SameSite=Lax/);
    assert.match(session, /Path=\//);
    const page = await fx.app.fetch(
      request("/", { cookie: `chat_session=${setCookies(reply).chat_session}` }),
    );
    assert.equal(page.status, 200);
    assert.match(await page.text(), /role="log"/);
    assert.deepEqual(fx.logs, ["chat: alice signed in"]);
  }));

Deno.test("sign-in: a state that does not match, or no login cookie, is refused", () =>
  withChat(async (fx) => {
    const login = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
    const cookie = `chat_login=${setCookies(login).chat_login}`;
    const wrongState = await fx.app.fetch(
      new Request(`${PUBLIC_URL}/oauth/callback?code=abc&state=forged`, { headers: { cookie } }),
    );
    assert.equal(wrongState.status, 400);
    assert.match(await wrongState.text(), /state does not match/);
    const state = new URL(login.headers.get("location")!).searchParams.get("state")!;
    const noCookie = await fx.app.fetch(
      new Request(`${PUBLIC_URL}/oauth/callback?code=abc&state=${state}`),
    );
    assert.equal(noCookie.status, 400);
    assert.equal(setCookies(noCookie).chat_session, undefined);
  }));

Deno.test("sign-in: a code redeemed with another sign-in's verifier fails PKCE at the forge", () =>
  withChat(async (fx) => {
    // The attacker's browser starts a sign-in; the victim's code is injected into it.
    const attacker = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
    const victim = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
    const authorize = await fetch(victim.headers.get("location")!, {
      headers: { authorization: `Basic ${btoa("alice:alice-pass-123")}` },
      redirect: "manual",
    });
    await authorize.body?.cancel();
    const code = new URL(authorize.headers.get("location")!).searchParams.get("code")!;
    const attackerState = new URL(attacker.headers.get("location")!).searchParams.get("state")!;
    const reply = await fx.app.fetch(
      new Request(`${PUBLIC_URL}/oauth/callback?code=${code}&state=${attackerState}`, {
        headers: { cookie: `chat_login=${setCookies(attacker).chat_login}` },
      }),
    );
    assert.equal(reply.status, 400);
    assert.match(await reply.text(), /failed PKCE code challenge/);
    assert.equal(setCookies(reply).chat_session, undefined);
  }));

Deno.test("sign-in works with a public client (PKCE alone, no client secret)", () =>
  withChat(async (fx) => {
    const reply = await signIn(fx, "alice");
    assert.equal(reply.status, 303);
  }, { confidential: false }));

Deno.test("only the admin and CHAT_ALLOWED_USERS get in (403), checked on every request", () =>
  withChat(async (fx) => {
    const refused = await signIn(fx, "mallory");
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /mallory/);
    assert.equal(setCookies(refused).chat_session, undefined);
    assert.equal((await signIn(fx, fx.em.admin.user)).status, 303);
    // A validly signed session of a user no longer allowed is refused everywhere.
    const stale = tokenSigner(SECRET).sign("session", { u: "mallory" }, fx.clock.now + 60_000);
    const cookie = `chat_session=${stale}`;
    assert.equal((await fx.app.fetch(request("/", { cookie }))).status, 403);
    assert.equal((await fx.app.fetch(request("/api/state", { cookie }))).status, 403);
    const send = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "hi" } }),
    );
    assert.equal(send.status, 403);
  }));

Deno.test("a tampered, foreign or expired session cookie is anonymous (401 / back to sign-in)", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const [body, mac] = cookie.slice("chat_session=".length).split(".") as [string, string];
    const asAdmin = Buffer.from(JSON.stringify({ u: fx.em.admin.user, exp: fx.clock.now + 1e6 }))
      .toString("base64url");
    const other = tokenSigner("x".repeat(40)).sign("session", { u: "alice" }, fx.clock.now + 1e6);
    const login = tokenSigner(SECRET).sign("login", { u: "alice" }, fx.clock.now + 1e6);
    for (const bad of [`${asAdmin}.${mac}`, `${body}.${mac}x`, other, login, "garbage"]) {
      const api = await fx.app.fetch(request("/api/state", { cookie: `chat_session=${bad}` }));
      assert.equal(api.status, 401, bad);
      const page = await fx.app.fetch(request("/", { cookie: `chat_session=${bad}` }));
      assert.equal(page.status, 303);
      assert.equal(page.headers.get("location"), "/login");
    }
    fx.clock.now += 13 * 3600_000;
    assert.equal((await fx.app.fetch(request("/api/state", { cookie }))).status, 401);
  }));

Deno.test("every POST must carry the chat's own Origin (CSRF)", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    for (const origin of [null, "http://evil.example", "http://127.0.0.1:8998", "null"]) {
      for (const path of ["/api/messages", "/api/reply/stop", "/logout"]) {
        const reply = await fx.app.fetch(
          request(path, { cookie, method: "POST", body: { content: "hi" }, origin }),
        );
        assert.equal(reply.status, 403, `${path} from ${origin}`);
        await reply.body?.cancel();
      }
    }
    assert.deepEqual(await fx.conversation.history.read("alice"), []);
  }));

Deno.test("a message streams its reply as NDJSON and lands in the history", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const reply = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "<b>hi</b>" } }),
    );
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get("content-type")!, /ndjson/);
    const events = await lines(reply);
    assert.deepEqual(events.map((e) => e.type), ["start", "text", "end"]);
    assert.equal(events[1]!.text, "echo: <b>hi</b>");
    const state = await (await fx.app.fetch(request("/api/state", { cookie }))).json();
    assert.deepEqual(
      state.history.map((e: { role: string; content: string }) => [e.role, e.content]),
      [
        ["user", "<b>hi</b>"],
        ["assistant", "echo: <b>hi</b>"],
      ],
    );
    assert.equal(state.user, "alice");
    assert.equal(state.running, null);
    assert.equal(state.usage.tokensLastDay, 10);
  }));

Deno.test("over the limit: 429 with Retry-After and the absolute reset time", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const send = () =>
      fx.app.fetch(request("/api/messages", { cookie, method: "POST", body: { content: "hi" } }));
    await (await send()).text();
    fx.clock.now += 60_000;
    const refused = await send();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), String(3600 - 60));
    assert.deepEqual(await refused.json(), {
      error: "Limit reached",
      limit: "requestsPerHour",
      resetAt: new Date(Date.UTC(2025, 0, 1, 13)).toISOString(),
    });
  }, { limits: { requestsPerHour: 1, requestsPerDay: 0, tokensPerDay: 0 } }));

Deno.test("bad message bodies are 400", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    for (const body of [{}, { content: "" }, { content: 7 }, null]) {
      const reply = await fx.app.fetch(request("/api/messages", { cookie, method: "POST", body }));
      assert.equal(reply.status, 400, JSON.stringify(body));
    }
    const raw = await fx.app.fetch(
      new Request(`${PUBLIC_URL}/api/messages`, {
        method: "POST",
        headers: { cookie, origin: PUBLIC_URL },
        body: "not json",
      }),
    );
    assert.equal(raw.status, 400);
  }));

Deno.test("a dropped stream re-attaches to the running reply; stop ends it", () => {
  const started = Promise.withResolvers<void>();
  const slow = (input: TurnInput): Promise<TurnOutcome> => {
    input.onText("part one");
    started.resolve();
    return new Promise((resolve) =>
      input.signal.addEventListener("abort", () => {
        resolve({ outcome: "stopped", text: "", sessionId: null, tokens: 0 });
      })
    );
  };
  return withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const first = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "go" } }),
    );
    await started.promise;
    await first.body!.cancel();
    const busy = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "again" } }),
    );
    assert.equal(busy.status, 409);
    await busy.body?.cancel();
    const state = await (await fx.app.fetch(request("/api/state", { cookie }))).json();
    assert.equal(state.running.seq, 2);
    // Another user sees nothing of it.
    const admin = await sessionOf(fx, fx.em.admin.user);
    assert.equal((await fx.app.fetch(request("/api/reply", { cookie: admin }))).status, 204);
    const again = await fx.app.fetch(request("/api/reply?after=1", { cookie }));
    const reader = again.body!.pipeThrough(new TextDecoderStream()).getReader();
    const firstChunk = (await reader.read()).value!;
    assert.deepEqual(JSON.parse(firstChunk.split("\n")[0]!), {
      seq: 2,
      type: "text",
      text: "part one",
    });
    const stop = await fx.app.fetch(request("/api/reply/stop", { cookie, method: "POST" }));
    assert.deepEqual(await stop.json(), { stopped: true });
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += value;
    }
    assert.match(rest, /"type":"end","outcome":"stopped"/);
    assert.equal((await fx.app.fetch(request("/api/reply", { cookie }))).status, 204);
  }, { runTurn: slow });
});

Deno.test("no secret reaches the page, the script or the logs", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const texts = await Promise.all(
      ["/", "/app.js", "/app.css", "/api/state"].map(async (path) =>
        (await fx.app.fetch(request(path, { cookie }))).text()
      ),
    );
    for (const text of [...texts, ...fx.logs]) {
      assert.equal(text.includes(SECRET), false);
      assert.equal(text.includes(fx.em.admin.pass), false);
      assert.equal(text.includes(cookie.slice("chat_session=".length)), false);
    }
    const page = await fx.app.fetch(request("/", { cookie }));
    assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
  }));
