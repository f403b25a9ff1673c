import assert from "node:assert/strict";
import { mockFetch } from "./_mock_fetch.ts";
import { tokenAuth } from "./auth.ts";
import { ForgejoHttp } from "./http.ts";
import { hasNext, paginate } from "./paginate.ts";
import { listBranches } from "./branches.ts";
import { listCollaborators } from "./collaborators.ts";
import { listIssues } from "./issues.ts";

const issue = (number: number) => ({ number, title: `t${number}`, state: "open", labels: [] });
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function client(script: Parameters<typeof mockFetch>[0]) {
  const mock = mockFetch(script);
  return { http: new ForgejoHttp("http://f", tokenAuth("t0k3n-abc"), { fetch: mock.fetch }), mock };
}

Deno.test("issues: follows Link rel=next across pages and stops on the last", async () => {
  const base = "/repos/o/r/issues?state=open&type=issues&labels=backlog";
  const link = (page: number, next: boolean) =>
    [
      next ? `<http://f/api/v1${base}&page=${page + 1}>; rel="next"` : "",
      `<http://f/api/v1${base}&page=1>; rel="first"`,
    ].filter(Boolean).join(",");
  const { http, mock } = client([
    {
      method: "GET",
      path: `${base}&page=1&limit=50`,
      body: range(1, 50).map(issue),
      headers: { link: link(1, true), "x-total-count": "110" },
    },
    {
      method: "GET",
      path: `${base}&page=2&limit=50`,
      body: range(51, 50).map(issue),
      headers: { link: link(2, true), "x-total-count": "110" },
    },
    {
      method: "GET",
      path: `${base}&page=3&limit=50`,
      body: range(101, 10).map(issue),
      headers: { link: link(3, false), "x-total-count": "110" },
    },
  ]);
  const issues = await listIssues(http, "o/r", { labels: ["backlog"] });
  assert.deepEqual(issues.map((i) => i.number), range(1, 110));
  mock.done();
});

Deno.test("collaborators: X-Total-Count without Link, with a forge that clamps the limit", async () => {
  const user = (n: number) => ({ login: `u${n}` });
  const path = (page: number) => `/repos/o/r/collaborators?page=${page}&limit=50`;
  const headers = { "x-total-count": "70" };
  const { http, mock } = client([
    { method: "GET", path: path(1), body: range(1, 30).map(user), headers },
    { method: "GET", path: path(2), body: range(31, 30).map(user), headers },
    { method: "GET", path: path(3), body: range(61, 10).map(user), headers },
  ]);
  assert.equal((await listCollaborators(http, "o/r")).length, 70);
  mock.done();
});

Deno.test("no paging headers: a short page is the last; an empty repo's null is no branches", async () => {
  const { http, mock } = client([
    { method: "GET", path: "/x?page=1&limit=2", body: [1, 2] },
    { method: "GET", path: "/x?page=2&limit=2", body: [3] },
    { method: "GET", path: "/repos/o/r/branches?page=1&limit=50", body: null },
  ]);
  assert.deepEqual(await paginate(http, "/x", { pageSize: 2 }), [1, 2, 3]);
  assert.deepEqual(await listBranches(http, "o/r"), []);
  mock.done();
});

Deno.test("max stops the walk early; an empty page ends it", async () => {
  const { http, mock } = client([
    { method: "GET", path: "/x?page=1&limit=2", body: [1, 2], headers: { "x-total-count": "9" } },
    { method: "GET", path: "/x?page=2&limit=2", body: [3, 4], headers: { "x-total-count": "9" } },
    { method: "GET", path: "/y?page=1&limit=2", body: [1, 2], headers: { "x-total-count": "9" } },
    { method: "GET", path: "/y?page=2&limit=2", body: [], headers: { "x-total-count": "9" } },
  ]);
  assert.deepEqual(await paginate(http, "/x", { pageSize: 2, max: 3 }), [1, 2, 3]);
  assert.deepEqual(await paginate(http, "/y", { pageSize: 2 }), [1, 2]);
  mock.done();
});

Deno.test("hasNext reads Forgejo's Link format (no space after the comma)", () => {
  assert.ok(hasNext('<http://f/a?page=2>; rel="next",<http://f/a?page=3>; rel="last"'));
  assert.ok(!hasNext('<http://f/a?page=1>; rel="first",<http://f/a?page=2>; rel="prev"'));
});
