import assert from "node:assert/strict";
import { probeModelServer } from "./probe.ts";

function fakeFetch(answers: Record<string, number | "hang" | "refuse">, seen: string[]) {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    seen.push(url);
    const answer = answers[new URL(url).pathname] ?? 404;
    if (answer === "refuse") return Promise.reject(new TypeError("connection refused"));
    if (answer === "hang") {
      return new Promise((_, reject) =>
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason))
      );
    }
    return Promise.resolve(new Response("{}", { status: answer }));
  }) as typeof fetch;
}

Deno.test("health answering means up; /v1/models is not asked", async () => {
  const seen: string[] = [];
  const result = await probeModelServer(fakeFetch({ "/health": 200 }, seen), "http://m:1/");
  assert.deepEqual(result, { up: true, detail: "/health answered 200" });
  assert.deepEqual(seen, ["http://m:1/health"]);
});

Deno.test("no /health but /v1/models answers: up", async () => {
  const seen: string[] = [];
  const result = await probeModelServer(fakeFetch({ "/v1/models": 200 }, seen), "http://m:1");
  assert.equal(result.up, true);
  assert.deepEqual(seen, ["http://m:1/health", "http://m:1/v1/models"]);
});

Deno.test("refused and timed-out servers are down, with the reason", async () => {
  const refused = await probeModelServer(
    fakeFetch({ "/health": "refuse", "/v1/models": 500 }, []),
    "http://m",
  );
  assert.deepEqual(refused, {
    up: false,
    detail: "/health: unreachable, /v1/models answered 500",
  });
  const hung = await probeModelServer(
    fakeFetch({ "/health": "hang", "/v1/models": "hang" }, []),
    "http://m",
    { timeoutMs: 20 },
  );
  assert.deepEqual(hung, { up: false, detail: "/health: timed out, /v1/models: timed out" });
});
