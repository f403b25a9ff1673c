import assert from "node:assert/strict";
import { mockFetch } from "./_mock_fetch.ts";
import { basicAuth, tokenAuth } from "./auth.ts";
import { forgejoClient } from "./client.ts";
import { ForgejoHttp } from "./http.ts";

Deno.test("forgejoClient binds the endpoints; withAuth acts as another identity", async () => {
  const mock = mockFetch([
    { method: "GET", path: "/repos/o/r/issues/7", body: { number: 7, title: "t", state: "open" } },
    { method: "GET", path: "/users/bot/tokens", body: [{ id: 1, name: "n", sha1: "" }] },
  ]);
  const client = forgejoClient(
    new ForgejoHttp("http://f", tokenAuth("tok-123456"), { fetch: mock.fetch }),
  );
  const issue = await client.issues.getIssue("o/r", 7);
  assert.deepEqual(issue?.labels, []);
  const bot = client.withAuth(basicAuth("bot", "pw-123456"));
  assert.deepEqual(await bot.tokens.listTokenNames("bot"), ["n"]);
  assert.equal(mock.seen[0]!.authorization, "token tok-123456");
  assert.equal(mock.seen[1]!.authorization, `Basic ${btoa("bot:pw-123456")}`);
  assert.equal(client.http.credentials.kind, "token");
  mock.done();
});
