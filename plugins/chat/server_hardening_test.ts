/** The chat web server against abuse: oversized bodies, forged log lines. */
import assert from "node:assert/strict";
import {
  chatFixture,
  echo,
  PUBLIC_URL,
  request,
  sessionOf,
  setCookies,
  signIn,
  withChat,
} from "./_test_kit.ts";
import { MAX_MESSAGE_CHARS, type TurnInput, type TurnOutcome } from "./conversation.ts";
import { MAX_REPLY_STREAMS } from "./server.ts";

Deno.test("a message body far over the largest message is refused (413) without reading it all", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    const chunk = new TextEncoder().encode(`{"content":"${"x".repeat(65_536)}`);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // 64 MiB if read to the end.
        if (pulled >= 1024 * chunk.length) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const reply = await fx.app.fetch(
      new Request(`${PUBLIC_URL}/api/messages`, {
        method: "POST",
        headers: { cookie, origin: PUBLIC_URL, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    assert.equal(reply.status, 413);
    assert.match((await reply.json()).error, /too large/);
    assert.ok(pulled < 1024 * 1024, `read ${pulled} bytes`);
    assert.deepEqual(await fx.conversation.history.read("alice"), []);
    // The longest message, every character escaped in its JSON, still fits.
    const longest = "\u0001".repeat(MAX_MESSAGE_CHARS);
    const fits = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: longest } }),
    );
    assert.equal(fits.status, 200);
    await fits.text();
  }));

Deno.test("what the forge's redirect carries cannot write lines of its own into the log", () =>
  withChat(async (fx) => {
    const login = await fx.app.fetch(new Request(`${PUBLIC_URL}/login`));
    const state = new URL(login.headers.get("location")!).searchParams.get("state")!;
    const forged = "access_denied\nchat: admin signed in";
    const reply = await fx.app.fetch(
      new Request(
        `${PUBLIC_URL}/oauth/callback?${new URLSearchParams({ state, error: forged })}`,
        { headers: { cookie: `chat_login=${setCookies(login).chat_login}` } },
      ),
    );
    assert.equal(reply.status, 400);
    await reply.body?.cancel();
    assert.equal(fx.logs.length, 1);
    assert.ok(!fx.logs[0]!.includes("\n"), fx.logs[0]);
    assert.match(fx.logs[0]!, /^chat: sign-in refused: the forge answered access_denied/);
  }));

Deno.test("a message after shutdown began is 503 and starts no reply", () =>
  withChat(async (fx) => {
    const cookie = await sessionOf(fx, "alice");
    await fx.conversation.board.stopAll();
    const reply = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "hi" } }),
    );
    assert.equal(reply.status, 503);
    await reply.body?.cancel();
    assert.deepEqual(await fx.conversation.history.read("alice"), []);
  }));

Deno.test("a forge that does not answer the code exchange: the sign-in fails with a page (504), not a hung request", async () => {
  // The forge's token endpoint answers nothing until the request is aborted (as a hung forge would).
  const hung: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.endsWith("/login/oauth/access_token")) return fetch(input, init);
    return new Promise((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return; // Without a timeout the sign-in hangs: the defect pinned here.
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  };
  const fx = await chatFixture({ runTurn: echo, fetch: hung, signInTimeoutMs: 150 });
  try {
    const reply = await signIn(fx, "alice");
    assert.equal(reply.status, 504);
    assert.equal(setCookies(reply).chat_session, undefined);
    const page = await reply.text();
    assert.match(page, /Sign-in failed/);
    assert.match(page, /The forge did not answer within 0\.15 s/);
    assert.ok(fx.logs.includes("chat: sign-in refused: The forge did not answer within 0.15 s"));
  } finally {
    await fx.dispose();
  }
});

Deno.test("streams of the reply in flight: at most MAX_REPLY_STREAMS per user at once (429 beyond), freed when closed", async () => {
  // A reply that runs until stopped.
  const started = Promise.withResolvers<void>();
  const held = (input: TurnInput): Promise<TurnOutcome> => {
    input.onText("part one");
    started.resolve();
    const stopped = { outcome: "stopped", text: "", sessionId: "s1", tokens: 1 } as const;
    if (input.signal.aborted) return Promise.resolve(stopped);
    return new Promise((resolve) =>
      input.signal.addEventListener("abort", () => resolve(stopped), { once: true })
    );
  };
  const fx = await chatFixture({ runTurn: held, allowed: ["alice", "mallory"] });
  try {
    const cookie = await sessionOf(fx, "alice");
    const first = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "go" } }),
    );
    await started.promise;
    await first.body!.cancel();
    // Never read: each would buffer the whole reply.
    const open: Response[] = [];
    for (let i = 0; i < MAX_REPLY_STREAMS; i++) {
      const stream = await fx.app.fetch(request("/api/reply", { cookie }));
      assert.equal(stream.status, 200);
      open.push(stream);
    }
    const over = await fx.app.fetch(request("/api/reply", { cookie }));
    assert.equal(over.status, 429);
    assert.match((await over.json()).error, /At most 4 streams/);
    // Another user's streams are their own (mallory has no reply: 204, not 429).
    const other = await sessionOf(fx, "mallory");
    assert.equal((await fx.app.fetch(request("/api/reply", { cookie: other }))).status, 204);
    // Closing one frees its place.
    await open.shift()!.body!.cancel();
    const again = await fx.app.fetch(request("/api/reply", { cookie }));
    assert.equal(again.status, 200);
    open.push(again);
    const stop = await fx.app.fetch(request("/api/reply/stop", { cookie, method: "POST" }));
    assert.deepEqual(await stop.json(), { stopped: true });
    // Each open stream ends with the reply (and gives its place back).
    for (const stream of open) assert.match(await stream.text(), /"outcome":"stopped"/);
    const next = await fx.app.fetch(
      request("/api/messages", { cookie, method: "POST", body: { content: "go on" } }),
    );
    await next.body!.cancel();
    const reopened = [];
    for (let i = 0; i < MAX_REPLY_STREAMS; i++) {
      reopened.push(await fx.app.fetch(request("/api/reply", { cookie })));
    }
    assert.deepEqual(reopened.map((r) => r.status), Array(MAX_REPLY_STREAMS).fill(200));
    await fx.app.fetch(request("/api/reply/stop", { cookie, method: "POST" }));
    for (const stream of reopened) await stream.body!.cancel();
  } finally {
    await fx.dispose();
  }
});
