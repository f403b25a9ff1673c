/** Commit statuses: request shapes, the empty combined answer, 404 as null, the CI verdict. */
import assert from "node:assert/strict";
import { mockFetch } from "./_mock_fetch.ts";
import { tokenAuth } from "./auth.ts";
import { ForgejoHttp } from "./http.ts";
import {
  ciVerdict,
  type CombinedStatus,
  combinedStatus,
  createCommitStatus,
  listCommitStatuses,
} from "./statuses.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

function setup(script: Parameters<typeof mockFetch>[0]) {
  const mock = mockFetch(script);
  const http = new ForgejoHttp("http://f", tokenAuth("tok-abcdef"), {
    fetch: mock.fetch,
    sleep: () => Promise.resolve(),
  });
  return { http, mock };
}

Deno.test("createCommitStatus posts the state and context to /statuses/{sha}", async () => {
  const { http, mock } = setup([{
    method: "POST",
    path: `/repos/a/b/statuses/${SHA}`,
    status: 201,
    body: { id: 7, status: "failure", context: "ci/test" },
  }]);
  const made = await createCommitStatus(http, "a/b", SHA, { state: "failure", context: "ci/test" });
  assert.equal(made.status, "failure");
  assert.deepEqual(mock.seen[0]!.body, { state: "failure", context: "ci/test" });
  mock.done();
});

Deno.test("combinedStatus reads Forgejo's empty answer as no statuses, and 404 as null", async () => {
  const { http, mock } = setup([
    // Forgejo v11 GetCombinedCommitStatusByRef: `ctx.JSON(200, &api.CombinedStatus{})`.
    {
      method: "GET",
      path: "/repos/a/b/commits/fix%2Fissue-3/status",
      body: { state: "", sha: "", total_count: 0, statuses: null, repository: null },
    },
    { method: "GET", path: "/repos/a/b/commits/nope/status", status: 404, body: { message: "" } },
  ]);
  const empty = await combinedStatus(http, "a/b", "fix/issue-3");
  assert.deepEqual([empty?.state, empty?.total_count, empty?.statuses], ["", 0, []]);
  assert.equal(await combinedStatus(http, "a/b", "nope"), null);
  mock.done();
});

Deno.test("listCommitStatuses follows the pages of /commits/{ref}/statuses", async () => {
  const { http, mock } = setup([{
    method: "GET",
    path: `/repos/a/b/commits/${SHA}/statuses?page=1&limit=50`,
    body: [{ id: 2, status: "success", context: "ci" }, {
      id: 1,
      status: "pending",
      context: "ci",
    }],
    headers: { "x-total-count": "2" },
  }]);
  const statuses = await listCommitStatuses(http, "a/b", SHA);
  assert.deepEqual(statuses.map((s) => s.id), [2, 1]);
  mock.done();
});

Deno.test("ciVerdict: no status or success is green, pending waits, failure and error fail", () => {
  const of = (state: string, total_count = 1): CombinedStatus => ({
    state,
    total_count,
    sha: SHA,
    statuses: [],
  });
  assert.equal(ciVerdict(null), "green");
  assert.equal(ciVerdict(of("", 0)), "green");
  assert.equal(ciVerdict(of("success")), "green");
  assert.equal(ciVerdict(of("pending")), "pending");
  assert.equal(ciVerdict(of("failure")), "failed");
  assert.equal(ciVerdict(of("error")), "failed");
});
