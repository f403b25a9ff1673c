import assert from "node:assert/strict";
import { ApiError, forgejoForge, pushTagByToken } from "./api.ts";
import type { MirrorApi } from "./mirrors.ts";

const SHA = "a".repeat(40);
const OTHER = "b".repeat(40);
const TOKEN = "ghp_secret_value_123";

interface Seen {
  method: string;
  url: string;
  auth: string | null;
  body: unknown;
}

/** A fetch answering from a table of "METHOD url" → [status, body]. */
function fakeFetch(routes: Record<string, [number, unknown]>, seen: Seen[]): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    const headers = new Headers(init?.headers);
    seen.push({
      method,
      url,
      auth: headers.get("authorization"),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const [status, body] = routes[`${method} ${url}`] ?? [404, { message: "not found" }];
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  }) as typeof fetch;
}

const github: MirrorApi = {
  flavor: "github",
  base: "https://api.github.test",
  tokenKey: "GITHUB_TOKEN",
  owner: "acme",
  repo: "demo",
};
const codeberg: MirrorApi = {
  ...github,
  flavor: "forgejo",
  base: "https://cb.test/api/v1",
  tokenKey: "CODEBERG_TOKEN",
};

Deno.test("GitHub: the token path creates refs/tags/<v> at the SHA with a Bearer token", async () => {
  const seen: Seen[] = [];
  const fetcher = fakeFetch(
    { "POST https://api.github.test/repos/acme/demo/git/refs": [201, {}] },
    seen,
  );
  assert.equal(
    await pushTagByToken(github, TOKEN, "v1.0.0", SHA, "Release v1.0.0", fetcher),
    "created",
  );
  assert.deepEqual(seen[0]?.body, { ref: "refs/tags/v1.0.0", sha: SHA });
  assert.equal(seen[0]?.auth, `Bearer ${TOKEN}`);
});

Deno.test("GitHub: an existing ref at the same SHA is unchanged, at another SHA a failure", async () => {
  const routes = (sha: string): Record<string, [number, unknown]> => ({
    "POST https://api.github.test/repos/acme/demo/git/refs": [422, {
      message: "Reference already exists",
    }],
    "GET https://api.github.test/repos/acme/demo/git/ref/tags/v1.0.0": [200, { object: { sha } }],
  });
  assert.equal(
    await pushTagByToken(github, TOKEN, "v1.0.0", SHA, "m", fakeFetch(routes(SHA), [])),
    "unchanged",
  );
  await assert.rejects(
    pushTagByToken(github, TOKEN, "v1.0.0", SHA, "m", fakeFetch(routes(OTHER), [])),
    (error: unknown) => error instanceof ApiError && /HTTP 422/.test(error.message),
  );
});

Deno.test("Forgejo/Codeberg: the token path creates the tag; a 409 at the same commit is unchanged", async () => {
  const seen: Seen[] = [];
  const ok = fakeFetch({ "POST https://cb.test/api/v1/repos/acme/demo/tags": [201, {}] }, seen);
  assert.equal(
    await pushTagByToken(codeberg, TOKEN, "v1.0.0", SHA, "Release v1.0.0", ok),
    "created",
  );
  assert.deepEqual(seen[0]?.body, { tag_name: "v1.0.0", target: SHA, message: "Release v1.0.0" });
  assert.equal(seen[0]?.auth, `token ${TOKEN}`);
  const again = fakeFetch({
    "POST https://cb.test/api/v1/repos/acme/demo/tags": [409, { message: "tag exists" }],
    "GET https://cb.test/api/v1/repos/acme/demo/tags/v1.0.0": [200, { commit: { sha: SHA } }],
  }, []);
  assert.equal(await pushTagByToken(codeberg, TOKEN, "v1.0.0", SHA, "m", again), "unchanged");
});

Deno.test("API errors name method, URL and status, never the token", async () => {
  const fetcher = fakeFetch({
    "POST https://cb.test/api/v1/repos/acme/demo/tags": [403, { message: "forbidden" }],
  }, []);
  await assert.rejects(
    pushTagByToken(codeberg, TOKEN, "v1.0.0", SHA, "m", fetcher),
    (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(
        error.message,
        "POST https://cb.test/api/v1/repos/acme/demo/tags: HTTP 403 (forbidden)",
      );
      assert.ok(!error.message.includes(TOKEN));
      return true;
    },
  );
  const down = (() => Promise.reject(new TypeError("connection refused"))) as typeof fetch;
  await assert.rejects(
    pushTagByToken(codeberg, TOKEN, "v1.0.0", SHA, "m", down),
    /: no answer \(connection refused\)/,
  );
});

Deno.test("the project forge: lookups answer null on 404; createFile sends base64 content", async () => {
  const seen: Seen[] = [];
  const forge = forgejoForge(
    "http://forge.test/",
    "forge_token_123",
    fakeFetch({
      "GET http://forge.test/api/v1/repos/acme/demo/branches/main": [200, { commit: { id: SHA } }],
      "POST http://forge.test/api/v1/repos/acme/ops/contents/vault/actions/release-v1.toml": [
        201,
        {},
      ],
    }, seen),
  );
  assert.equal(await forge.branchHead("acme/demo", "main"), SHA);
  assert.equal(await forge.branchHead("acme/demo", "nope"), null);
  assert.equal(await forge.tagCommit("acme/demo", "v1.0.0"), null);
  await forge.createFile("acme/ops", "vault/actions/release-v1.toml", 'id = "x"\n', "add");
  const body = seen.at(-1)?.body as { content: string; message: string };
  assert.equal(atob(body.content), 'id = "x"\n');
  assert.equal(seen[0]?.auth, "token forge_token_123");
});
