/** Request shapes of endpoint functions: paths, queries, bodies and how answers map. */
import assert from "node:assert/strict";
import { type Expectation, mockFetch } from "./_mock_fetch.ts";
import { basicAuth, tokenAuth } from "./auth.ts";
import { ForgejoError } from "./error.ts";
import { ForgejoHttp } from "./http.ts";
import { createUser } from "./admin.ts";
import { createBranch } from "./branches.ts";
import { collaboratorPermission } from "./collaborators.ts";
import { createFile } from "./contents.ts";
import { countIssues, getIssue, listComments } from "./issues.ts";
import { addIssueLabels } from "./labels.ts";
import { createPushMirror } from "./mirrors.ts";
import { getVersion } from "./misc.ts";
import { createOrgRepo, createRepo } from "./repos.ts";
import { countPulls, listPulls, mergePull } from "./pulls.ts";
import { createToken } from "./tokens.ts";
import { whoami } from "./users.ts";

const PR = { number: 3, head: { ref: "fix/issue-3" } };

function setup(script: Expectation[]) {
  const mock = mockFetch(script);
  const http = new ForgejoHttp("http://f", tokenAuth("tok-abcdef"), {
    fetch: mock.fetch,
    sleep: () => Promise.resolve(),
  });
  return { http, mock };
}

Deno.test("createUser sends must_change_password false; an existing user answers null", async () => {
  const { http, mock } = setup([
    { method: "POST", path: "/admin/users", status: 201, body: { login: "bot", id: 5 } },
    {
      method: "POST",
      path: "/admin/users",
      status: 422,
      body: { message: "user already exists [name: bot]" },
    },
  ]);
  const input = { username: "bot", email: "bot@x.local", password: "p-123456789" };
  assert.equal((await createUser(http, input))?.id, 5);
  assert.equal(await createUser(http, input), null);
  assert.deepEqual(mock.seen[0]!.body, {
    ...input,
    must_change_password: false,
    send_notify: false,
  });
  mock.done();
});

Deno.test("createToken uses the credentials given and returns the secret", async () => {
  const { http, mock } = setup([
    {
      method: "POST",
      path: "/users/bot/tokens",
      status: 201,
      body: { id: 1, name: "n", sha1: "f".repeat(40), scopes: ["write:issue"] },
    },
  ]);
  const token = await createToken(
    http,
    "bot",
    { name: "n", scopes: ["write:issue"] },
    basicAuth("bot", "pw-123456"),
  );
  assert.equal(token.sha1, "f".repeat(40));
  assert.equal(mock.seen[0]!.authorization, `Basic ${btoa("bot:pw-123456")}`);
  assert.deepEqual(mock.seen[0]!.body, { name: "n", scopes: ["write:issue"] });
  mock.done();
});

Deno.test("whoami tells a locked password from bad credentials", async () => {
  const { http, mock } = setup([
    { method: "GET", path: "/user", body: { login: "bot" } },
    {
      method: "GET",
      path: "/user",
      status: 403,
      body: { message: "You must change your password." },
    },
    { method: "GET", path: "/user", status: 401, body: { message: "user does not exist" } },
  ]);
  const creds = basicAuth("bot", "pw-123456");
  assert.deepEqual(await whoami(http, creds), { ok: true, login: "bot" });
  assert.deepEqual(await whoami(http, creds), { ok: false, reason: "must-change-password" });
  assert.deepEqual(await whoami(http, creds), { ok: false, reason: "unauthorized" });
  mock.done();
});

Deno.test("version: 401 still means the forge answers", async () => {
  const { http, mock } = setup([
    { method: "GET", path: "/version", body: { version: "11.0.1+gitea-1.22.0" } },
    { method: "GET", path: "/version", status: 401, body: { message: "x" } },
  ]);
  assert.equal(await getVersion(http), "11.0.1+gitea-1.22.0");
  assert.equal(await getVersion(http), "version unknown");
  mock.done();
});

Deno.test("repos: admin route for users, org route for orgs; 409 answers null", async () => {
  const repo = { full_name: "acme/w", empty: false };
  const { http, mock } = setup([
    { method: "POST", path: "/admin/users/dev-bot/repos", status: 201, body: repo },
    { method: "POST", path: "/orgs/acme/repos", status: 409, body: { message: "exists" } },
  ]);
  assert.deepEqual(await createRepo(http, "dev-bot", { name: "w", auto_init: true }), repo);
  assert.equal(await createOrgRepo(http, "acme", { name: "w" }), null);
  mock.done();
});

Deno.test("collaborator permission: unknown user is none", async () => {
  const { http, mock } = setup([
    {
      method: "GET",
      path: "/repos/o/r/collaborators/bot/permission",
      body: { permission: "write", role_name: "write" },
    },
    { method: "GET", path: "/repos/o/r/collaborators/ghost/permission", status: 404 },
  ]);
  assert.equal(await collaboratorPermission(http, "o/r", "bot"), "write");
  assert.equal(await collaboratorPermission(http, "o/r", "ghost"), "none");
  mock.done();
});

Deno.test("issues: 404 is null; labels are added by id with a retry (safe to repeat)", async () => {
  const { http, mock } = setup([
    { method: "GET", path: "/repos/o/r/issues/9", status: 404 },
    { method: "POST", path: "/repos/o/r/issues/2/labels", status: 502 },
    {
      method: "POST",
      path: "/repos/o/r/issues/2/labels",
      body: [{ id: 4, name: "backlog", color: "0075ca" }],
    },
    { method: "GET", path: "/repos/o/r/issues/2/comments", body: null },
  ]);
  assert.equal(await getIssue(http, "o/r", 9), null);
  assert.deepEqual((await addIssueLabels(http, "o/r", 2, [4])).map((l) => l.id), [4]);
  assert.deepEqual(mock.seen[1]!.body, { labels: [4] });
  assert.deepEqual(await listComments(http, "o/r", 2), []);
  mock.done();
});

Deno.test("pulls: labels as repeated ids, state open by default; merge refusals are results", async () => {
  const { http, mock } = setup([
    {
      method: "GET",
      path: "/repos/o/r/pulls?state=open&labels=4&labels=9&page=1&limit=50",
      body: [PR],
    },
    {
      method: "POST",
      path: "/repos/o/r/pulls/3/merge",
      status: 405,
      body: { message: "Please try again later" },
    },
    { method: "POST", path: "/repos/o/r/pulls/3/merge", status: 200 },
    { method: "POST", path: "/repos/o/r/pulls/3/merge", status: 500, body: { message: "" } },
  ]);
  assert.deepEqual((await listPulls(http, "o/r", { labels: [4, 9] })).map((p) => p.number), [3]);
  assert.deepEqual(await mergePull(http, "o/r", 3, { style: "merge" }), {
    merged: false,
    status: 405,
    reason: "Please try again later",
  });
  assert.deepEqual(await mergePull(http, "o/r", 3, { style: "squash" }), { merged: true });
  assert.deepEqual(mock.seen[2]!.body, { Do: "squash" });
  // A 500 on merge is not retried (POST) and is an error.
  await assert.rejects(mergePull(http, "o/r", 3, { style: "merge" }), ForgejoError);
  mock.done();
});

Deno.test("branches, mirrors and contents send the forge's field names", async () => {
  const { http, mock } = setup([
    { method: "POST", path: "/repos/o/r/branches", status: 201, body: { name: "fix/1" } },
    {
      method: "POST",
      path: "/repos/o/r/push_mirrors",
      body: { remote_name: "remote_mirror_x", remote_address: "https://m.test/o/r.git" },
    },
    {
      method: "POST",
      path: "/repos/o/r/contents/vault/a%20b.toml",
      status: 201,
      body: { commit: { sha: "c".repeat(40) } },
    },
  ]);
  await createBranch(http, "o/r", "fix/1", "main");
  assert.deepEqual(mock.seen[0]!.body, { new_branch_name: "fix/1", old_ref_name: "main" });
  const mirror = await createPushMirror(http, "o/r", {
    remote_address: "https://m.test/o/r.git",
    interval: "8h0m0s",
    sync_on_commit: true,
  });
  assert.equal(mirror.remote_name, "remote_mirror_x");
  const file = await createFile(http, "o/r", "vault/a b.toml", { content: "é", message: "add" });
  assert.equal(file.commitSha, "c".repeat(40));
  const body = mock.seen[2]!.body as { content: string };
  assert.equal(
    new TextDecoder().decode(Uint8Array.from(atob(body.content), (c) => c.charCodeAt(0))),
    "é",
  );
  mock.done();
});

Deno.test("counts read X-Total-Count of a one-item page", async () => {
  const { http, mock } = setup([
    {
      method: "GET",
      path: "/repos/o/r/issues?state=open&type=issues&labels=backlog&limit=1",
      body: [{}],
      headers: { "x-total-count": "12" },
    },
    { method: "GET", path: "/repos/o/r/pulls?state=open&limit=1", body: [] },
  ]);
  assert.equal(await countIssues(http, "o/r", { labels: "backlog" }), 12);
  assert.equal(await countPulls(http, "o/r"), 0);
  mock.done();
});
