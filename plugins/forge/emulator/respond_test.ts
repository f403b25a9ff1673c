/** Forgejo's answer shapes and paging rules. */
import assert from "node:assert/strict";
import {
  apiError,
  gateError,
  notFound,
  paged,
  pageRequest,
  readJson,
  statusOnly,
  withHeader,
} from "./respond.ts";

const ROOT = "http://forge.test/";

Deno.test("apiError is {message,url} as JSON ending in a newline", async () => {
  const response = apiError(ROOT, 409, "dup");
  assert.equal(response.status, 409);
  assert.equal(response.headers.get("content-type"), "application/json;charset=utf-8");
  assert.equal(await response.text(), '{"message":"dup","url":"http://forge.test/api/swagger"}\n');
});

Deno.test("gate errors carry only a message", async () => {
  assert.deepEqual(await gateError(403, "no").json(), { message: "no" });
});

Deno.test("notFound has errors; a title replaces the message", async () => {
  assert.deepEqual(await notFound(ROOT).json(), {
    message: "The target couldn't be found.",
    url: `${ROOT}api/swagger`,
    errors: [],
  });
  assert.deepEqual(await notFound(ROOT, "GetOrgByName", ["e"]).json(), {
    message: "GetOrgByName",
    url: `${ROOT}api/swagger`,
    errors: ["e"],
  });
});

Deno.test("statusOnly has no body", async () => {
  const response = statusOnly(204);
  assert.equal(response.status, 204);
  assert.equal(await response.text(), "");
});

Deno.test("pageRequest: 1-based, default 30, clamped to 50, junk as defaults", () => {
  const read = (q: string) => pageRequest(new URLSearchParams(q));
  assert.deepEqual(read(""), { page: 1, limit: 30, pageGiven: false });
  assert.deepEqual(read("page=3&limit=99"), { page: 3, limit: 50, pageGiven: true });
  assert.deepEqual(read("page=0&limit=-1"), { page: 1, limit: 30, pageGiven: false });
  assert.deepEqual(read("page=x&limit=7"), { page: 1, limit: 7, pageGiven: false });
});

Deno.test("paged: Link with sorted keys and no space after commas", () => {
  const items = Array.from({ length: 5 }, (_, i) => i);
  const request = new Request("http://127.0.0.1:1/api/v1/x?z=1&limit=2&page=2");
  const page = paged(request, ROOT, items, { link: true });
  assert.deepEqual(page.items, [2, 3]);
  assert.equal(page.headers["x-total-count"], "5");
  const at = (n: number) => `<${ROOT}api/v1/x?limit=2&page=${n}&z=1>`;
  assert.equal(
    page.headers.link,
    `${at(3)}; rel="next",${at(3)}; rel="last",${at(1)}; rel="first",${at(1)}; rel="prev"`,
  );
});

Deno.test("paged: everything without page when the endpoint says so; page counts", () => {
  const items = [1, 2, 3];
  const all = paged(new Request("http://h/x?limit=1"), ROOT, items, { allWithoutPage: true });
  assert.deepEqual(all.items, items);
  const counted = paged(new Request("http://h/x?limit=2&page=2"), ROOT, items, {
    allWithoutPage: true,
    countPage: true,
  });
  assert.deepEqual(counted.items, [3]);
  assert.equal(counted.headers["x-total-count"], "1");
});

Deno.test("readJson: missing Content-Type is 422, form types read as empty, keys also lower-cased", async () => {
  const post = (body: string, type?: string) =>
    new Request("http://h/x", {
      method: "POST",
      body: new Blob([body]),
      ...(type ? { headers: { "content-type": type } } : {}),
    });
  const missing = await readJson(post('{"a":1}'), ROOT);
  assert.ok("error" in missing);
  assert.deepEqual(await missing.error.json(), {
    message: "[]: Empty Content-Type",
    url: `${ROOT}api/swagger`,
  });
  assert.deepEqual(await readJson(post('{"a":1}', "application/x-www-form-urlencoded"), ROOT), {
    body: {},
  });
  assert.deepEqual(await readJson(post('{"Do":"merge"}', "application/json"), ROOT), {
    body: { Do: "merge", do: "merge" },
  });
  const bad = await readJson(post("{", "application/json"), ROOT);
  assert.ok("error" in bad && bad.error.status === 422);
});

Deno.test("withHeader sets a header in place, or on a copy when the headers are immutable", async () => {
  const plain = statusOnly(204);
  assert.equal(withHeader(plain, "date", "then"), plain);
  assert.equal(plain.headers.get("date"), "then");
  // Response.redirect's headers are immutable (fetch spec): a copy with the same status.
  const locked = Response.redirect("http://forge.test/elsewhere", 302);
  assert.throws(() => locked.headers.set("date", "x"));
  const copied = withHeader(locked, "date", "now");
  assert.notEqual(copied, locked);
  assert.equal(copied.status, 302);
  assert.equal(copied.headers.get("location"), "http://forge.test/elsewhere");
  assert.equal(copied.headers.get("date"), "now");
  await copied.body?.cancel();
});
