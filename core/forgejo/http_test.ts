import assert from "node:assert/strict";
import { mockFetch, recordingSleep } from "./_mock_fetch.ts";
import { basicAuth, noAuth, tokenAuth } from "./auth.ts";
import { ForgejoError } from "./error.ts";
import { ForgejoHttp, type HttpOptions } from "./http.ts";
import { getBranch } from "./branches.ts";
import { timeline } from "./timeline.ts";

const TOKEN = "0123456789abcdef0123456789abcdef01234567";

function setup(script: Parameters<typeof mockFetch>[0], options: HttpOptions = {}) {
  const mock = mockFetch(script);
  const sleep = recordingSleep();
  const http = new ForgejoHttp("http://forge.test/", tokenAuth(TOKEN), {
    fetch: mock.fetch,
    sleep: sleep.sleep,
    random: () => 0,
    ...options,
  });
  return { http, mock, waits: sleep.waits };
}

Deno.test("GET is retried on 5xx, 429 and dropped connections with the exact backoff", async () => {
  const { http, mock, waits } = setup([
    { method: "GET", path: "/x", status: 500, body: { message: "" } },
    { method: "GET", path: "/x", reset: true },
    { method: "GET", path: "/x", status: 502 },
    { method: "GET", path: "/x", status: 429 },
    { method: "GET", path: "/x", body: { ok: true } },
  ]);
  const response = await http.request("GET", "/x");
  assert.deepEqual(response.data, { ok: true });
  // HTTP_RETRY with random 0: 250 ms doubling.
  assert.deepEqual(waits, [250, 500, 1000, 2000]);
  assert.ok(mock.seen.every((s) => s.authorization === `token ${TOKEN}`));
  mock.done();
});

Deno.test("the last failure is reported after the schedule runs out", async () => {
  const script = Array.from({ length: 6 }, () => ({ method: "GET", path: "/x", status: 503 }));
  const { http, mock, waits } = setup(script);
  await assert.rejects(http.request("GET", "/x"), (error: unknown) => {
    assert.ok(error instanceof ForgejoError);
    assert.equal(error.status, 503);
    return true;
  });
  assert.deepEqual(waits, [250, 500, 1000, 2000, 4000]);
  mock.done();
});

for (const status of [400, 401, 403, 404, 409, 410, 422]) {
  Deno.test(`HTTP ${status} is never retried`, async () => {
    const { http, mock, waits } = setup([
      { method: "GET", path: "/x", status, body: { message: `m${status}` } },
    ]);
    await assert.rejects(http.request("GET", "/x"), (error: unknown) => {
      assert.ok(error instanceof ForgejoError);
      assert.equal(error.status, status);
      assert.equal(error.forgeMessage, `m${status}`);
      return true;
    });
    assert.deepEqual(waits, []);
    mock.done();
  });
}

Deno.test("Retry-After is honoured; a wait longer than 60 s is not waited for", async () => {
  const { http, mock, waits } = setup([
    { method: "GET", path: "/x", status: 429, headers: { "retry-after": "7" } },
    { method: "GET", path: "/x", status: 503, headers: { "retry-after": "120" } },
  ]);
  await assert.rejects(http.request("GET", "/x"), (error: unknown) => {
    assert.ok(error instanceof ForgejoError);
    assert.equal(error.status, 503);
    assert.equal(error.retryAfterMs, 120_000);
    return true;
  });
  assert.deepEqual(waits, [7000]);
  mock.done();
});

Deno.test("POST is sent once unless the call site marks it idempotent", async () => {
  const { http, mock, waits } = setup([
    { method: "POST", path: "/x", status: 500 },
    { method: "POST", path: "/y", reset: true },
    { method: "POST", path: "/y", status: 201, body: { id: 1 } },
  ]);
  await assert.rejects(http.request("POST", "/x", { body: {} }), /HTTP 500/);
  const ok = await http.request("POST", "/y", { body: {}, idempotent: true });
  assert.equal(ok.status, 201);
  assert.deepEqual(waits, [250]);
  mock.done();
});

Deno.test("credentials: per-request basic auth, none, and JSON bodies", async () => {
  const { http, mock } = setup([
    { method: "PUT", path: "/a/b%2Fc", status: 204 },
    { method: "GET", path: "/version", body: { version: "11" } },
  ]);
  await http.request("PUT", "/a/{x}", {
    params: { x: "b/c" },
    body: { permission: "write" },
    credentials: basicAuth("bot", "pässword"),
  });
  await http.as(noAuth).request("GET", "/version");
  const bytes = new TextEncoder().encode("bot:pässword");
  assert.equal(mock.seen[0]!.authorization, `Basic ${btoa(String.fromCharCode(...bytes))}`);
  assert.deepEqual(mock.seen[0]!.body, { permission: "write" });
  assert.equal(mock.seen[1]!.authorization, null);
  mock.done();
});

Deno.test("a lookup's 404 is null; other answers are checked with the schema", async () => {
  const { http, mock } = setup([
    { method: "GET", path: "/repos/o/r/branches/feat%2Fx", status: 404, body: { errors: [] } },
    { method: "GET", path: "/repos/o/r/branches/main", body: { name: "main", commit: null } },
  ]);
  assert.equal(await getBranch(http, "o/r", "feat/x"), null);
  assert.equal((await getBranch(http, "o/r", "main"))?.name, "main");
  mock.done();
});

Deno.test("a timeline event with an integer type is read, and is never a label event", async () => {
  const integer = { id: 1, type: 7, body: "1", created_at: "2026-01-01T00:00:00Z" };
  const label = { id: 2, type: "label", body: "1", created_at: "2026-01-01T00:00:01Z" };
  const { http, mock } = setup([
    { method: "GET", path: "/repos/o/r/issues/3/timeline", body: [integer, label] },
  ]);
  const events = await timeline(http, "o/r", 3);
  assert.deepEqual(events.map((e) => e.type), [7, "label"]);
  assert.equal(events.filter((e) => e.type === "label").length, 1);
  mock.done();
});

Deno.test("errors never carry the token, from the URL, the header or the forge's text", async () => {
  const password = "hunter2-very-secret";
  const { http, mock } = setup([
    {
      method: "GET",
      path: `/x?token=${TOKEN}`,
      status: 401,
      body: { message: `user does not exist [uid: 0, name: ${TOKEN}]` },
    },
    { method: "GET", path: "/y", reset: true },
  ], { schedule: { name: "once", attempts: 1, delayMs: () => 0 } });
  const errors: unknown[] = [];
  await http.request("GET", "/x", { query: { token: TOKEN } }).catch((e) => errors.push(e));
  await http.request("GET", "/y", { credentials: basicAuth("u", password) })
    .catch((e) => errors.push(e));
  assert.equal(errors.length, 2);
  for (const error of errors) {
    assert.ok(error instanceof ForgejoError);
    const texts = [error.message, String(error.stack), JSON.stringify(error), error.url];
    for (const text of texts) {
      assert.ok(!text.includes(TOKEN), text);
      assert.ok(!text.includes(password), text);
      assert.ok(!text.includes(btoa(`u:${password}`)), text);
    }
  }
  assert.match(
    (errors[0] as Error).message,
    /^GET http:\/\/forge\.test\/api\/v1\/x\?token=\*\*\*: HTTP 401/,
  );
  mock.done();
});

Deno.test("a request that outlives its timeout is a transient failure with status 0", async () => {
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_, reject) => {
      init?.signal?.addEventListener("abort", () => reject(init.signal?.reason), { once: true });
    });
  const http = new ForgejoHttp("http://forge.test", noAuth, {
    fetch: hanging,
    timeoutMs: 10,
    schedule: { name: "once", attempts: 1, delayMs: () => 0 },
  });
  await assert.rejects(http.request("GET", "/x"), (error: unknown) => {
    assert.ok(error instanceof ForgejoError);
    assert.equal(error.status, 0);
    assert.match(error.message, /no answer \(timed out after 10 ms\)/);
    return true;
  });
});

Deno.test("onRequest sees every attempt with the template, never the query", async () => {
  const calls: string[] = [];
  const { http, mock } = setup([
    { method: "GET", path: "/users/a%20b?x=1", status: 500 },
    { method: "GET", path: "/users/a%20b?x=1", body: { login: "a b" } },
  ], {
    onRequest: (method, path, info) =>
      calls.push(`${method} ${path} ${info.template} ${info.attempt}`),
  });
  await http.request("GET", "/users/{username}", { params: { username: "a b" }, query: { x: 1 } });
  assert.deepEqual(calls, [
    "GET /users/a%20b /users/{username} 1",
    "GET /users/a%20b /users/{username} 2",
  ]);
  mock.done();
});
