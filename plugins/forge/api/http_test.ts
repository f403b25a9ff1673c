import assert from "node:assert/strict";
import { ForgeError, ForgeHttp } from "./http.ts";

function scripted(statuses: number[]) {
  const seen: Array<{ method: string; auth: string | null }> = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request = new Request(String(input), init);
    seen.push({ method: request.method, auth: request.headers.get("authorization") });
    const status = statuses.shift() ?? 200;
    if (status === 0) return Promise.reject(new TypeError("connection reset"));
    return Promise.resolve(
      new Response(status === 204 ? null : JSON.stringify({ message: `m${status}`, ok: true }), {
        status,
      }),
    );
  };
  return { fetch, seen };
}

const noSleep = () => Promise.resolve();

Deno.test("GET is retried on 5xx and dropped connections, with credentials every time", async () => {
  const { fetch, seen } = scripted([500, 0, 200]);
  const http = new ForgeHttp("http://f", { kind: "token", token: "abcdef123456" }, {
    fetch,
    sleep: noSleep,
  });
  const response = await http.request("GET", "/x");
  assert.equal(response.status, 200);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((s) => s.auth === "token abcdef123456"));
});

Deno.test("POST is not retried; 4xx are never retried; accepted statuses are results", async () => {
  const post = scripted([500]);
  const http = new ForgeHttp("http://f", { kind: "basic", user: "u", password: "p" }, {
    fetch: post.fetch,
    sleep: noSleep,
  });
  await assert.rejects(http.request("POST", "/x", { body: {} }), (error: unknown) => {
    assert.ok(error instanceof ForgeError);
    assert.equal(error.status, 500);
    return true;
  });
  assert.equal(post.seen.length, 1);
  assert.equal(post.seen[0]!.auth, `Basic ${btoa("u:p")}`);

  const four = scripted([404, 422]);
  const other = new ForgeHttp("http://f", { kind: "none" }, { fetch: four.fetch, sleep: noSleep });
  assert.equal((await other.request("GET", "/y", { accept: [404] })).status, 404);
  await assert.rejects(other.request("GET", "/z"), /HTTP 422 \(m422\)/);
  assert.equal(four.seen.length, 2);
});

Deno.test("errors carry the method and a redacted URL, never the token", async () => {
  const { fetch } = scripted([403]);
  const http = new ForgeHttp("http://f", { kind: "token", token: "secret-token-value" }, { fetch });
  await assert.rejects(
    http.request("GET", "/x", { query: { token: "leak" } }),
    (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.match(error.message, /^GET http:\/\/f\/api\/v1\/x\?token=\*\*\*: HTTP 403/);
      assert.ok(!error.message.includes("secret-token-value"));
      return true;
    },
  );
});
