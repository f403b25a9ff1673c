/**
 * Test helper: a `fetch` that answers a script of expected requests in
 * order. A request nobody expected fails the test, and so does an
 * expectation nobody used (`done()`), as in renovate's http mocks.
 */
import assert from "node:assert/strict";

export interface Expectation {
  method: string;
  /** Path after /api/v1, with the query as sent (e.g. "/x?limit=50&page=1"). */
  path: string;
  status?: number;
  /** JSON body of the answer; undefined = empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Drop the connection instead of answering. */
  reset?: boolean;
}

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | null;
  body: unknown;
}

export function mockFetch(script: Expectation[]) {
  const pending = [...script];
  const seen: SeenRequest[] = [];
  const unexpected: string[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(String(input), init);
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/v1/, "") + url.search;
    const text = await request.text();
    seen.push({
      method: request.method,
      path,
      authorization: request.headers.get("authorization"),
      body: text === "" ? undefined : JSON.parse(text),
    });
    const next = pending[0];
    if (!next || next.method !== request.method || next.path !== path) {
      unexpected.push(`${request.method} ${path}`);
      throw new Error(`unexpected request ${request.method} ${path}`);
    }
    pending.shift();
    if (next.reset) throw new TypeError("connection reset");
    const status = next.status ?? 200;
    const body = next.body === undefined || status === 204 ? null : JSON.stringify(next.body);
    return new Response(body, {
      status,
      headers: { "content-type": "application/json", ...next.headers },
    });
  };
  return {
    fetch,
    seen,
    /** Asserts every expectation was used and nothing else was asked. */
    done(): void {
      assert.deepEqual(unexpected, [], "requests nobody expected");
      assert.deepEqual(pending.map((e) => `${e.method} ${e.path}`), [], "expectations not used");
    },
  };
}

/** A sleep that records the waits instead of waiting. */
export function recordingSleep() {
  const waits: number[] = [];
  return {
    waits,
    sleep: (ms: number) => {
      waits.push(ms);
      return Promise.resolve();
    },
  };
}
