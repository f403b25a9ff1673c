/**
 * Fidelity: commit statuses as Forgejo v11 answers them
 * (routers/api/v1/repo/status.go, models/git/commit_status.go,
 * services/convert/status.go).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  errorBody,
  type Json,
  mustCall,
  newRepo,
  newToken,
  newUser,
  tokenAuth,
} from "../../../tests/helpers/emulator_api.ts";

const R = "alice/ci";

Deno.test("forgejo fidelity: commit statuses", async (t) => {
  let clock = Date.parse("2025-06-01T00:00:00Z");
  const em = await startEmulator({ now: () => clock });
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    await newRepo(em, "alice", "ci");
    await call(em, "PUT", `/repos/${R}/collaborators/bob`, {
      auth: alice.auth,
      body: { permission: "read" },
    });
    const writer = tokenAuth(await newToken(em, alice, ["write:repository"]));
    const readOnly = tokenAuth(await newToken(em, alice, ["read:repository"]));
    const main = (await mustCall(em, "GET", `/repos/${R}/branches/main`)).commit.id as string;
    const post = (ref: string, body: Json, auth = writer) =>
      call(em, "POST", `/repos/${R}/statuses/${ref}`, { auth, body });
    const get = (path: string) => call(em, "GET", `/repos/${R}${path}`);

    await t.step("a commit without statuses lists [] and combines to an empty state", async () => {
      const list = await get(`/statuses/${main}`);
      assert.equal(list.status, 200);
      assert.equal(list.text, "[]\n");
      assert.equal(list.headers.get("x-total-count"), "0");
      const combined = await get("/commits/main/status");
      assert.equal(combined.status, 200);
      assert.deepEqual(combined.body, {
        state: "",
        sha: "",
        total_count: 0,
        statuses: null,
        repository: null,
        commit_url: "",
        url: "",
      });
      assert.equal(combined.headers.get("x-total-count"), null);
    });

    await t.step("creating needs a token, write access and the repository scope", async () => {
      const anonymous = await call(em, "POST", `/repos/${R}/statuses/${main}`, {
        body: { state: "success" },
      });
      assert.equal(anonymous.status, 401);
      assert.deepEqual(anonymous.body, errorBody(em, "token is required"));
      const reader = await post(main, { state: "success" }, bob.auth);
      assert.equal(reader.status, 403);
      assert.deepEqual(
        reader.body,
        errorBody(em, "user should have a permission to write to a repo"),
      );
      const scoped = await post(main, { state: "success" }, readOnly);
      assert.equal(scoped.status, 403);
      assert.equal(
        scoped.body.message,
        "token does not have at least one of required scope(s): [write:repository]",
      );
      assert.equal((await get(`/statuses/${main}`)).text, "[]\n");
    });

    await t.step(
      "a new status is 201 with trimmed text, a per-commit id and the creator",
      async () => {
        const reply = await post(main, {
          state: "pending",
          target_url: " https://ci.example.test/1 ",
          description: " building ",
          context: " ci/build ",
        });
        assert.equal(reply.status, 201);
        const { creator, ...rest } = reply.body;
        assert.deepEqual(rest, {
          id: 1,
          status: "pending",
          target_url: "https://ci.example.test/1",
          description: "building",
          url: `${em.url.replace(/\/$/, "")}/api/v1/repos/${R}/statuses/${main}`,
          context: "ci/build",
          created_at: "2025-06-01T00:00:00Z",
          updated_at: "2025-06-01T00:00:00Z",
        });
        assert.equal(creator.login, "alice");
        assert.equal(creator.email, "alice@noreply.127.0.0.1");
      },
    );

    await t.step(
      "a status posted to a branch name is kept under its commit's full sha",
      async () => {
        clock += 1000;
        const reply = await post("main", { state: "success", context: "ci/lint" });
        assert.equal(reply.status, 201);
        assert.equal(reply.body.id, 2);
        assert.equal(
          reply.body.url,
          `${em.url.replace(/\/$/, "")}/api/v1/repos/${R}/statuses/${main}`,
        );
      },
    );

    await t.step("a missing commit is a 500, its message blanked for a non-admin", async () => {
      const missing = "0".repeat(40);
      const user = await post(missing, { state: "success" });
      assert.equal(user.status, 500);
      assert.deepEqual(user.body, errorBody(em, ""));
      const admin = await post("nope", { state: "success" }, adminAuth(em));
      assert.equal(admin.status, 500);
      assert.equal(
        admin.body.message,
        "GetCommit[nope]: object does not exist [id: nope, rel_path: ]",
      );
    });

    await t.step("the list is newest first, filtered by state and paged with Link", async () => {
      clock += 1000;
      await post(main, { state: "error", context: "ci/build" });
      const list = await get(`/statuses/${main}`);
      assert.deepEqual(list.body.map((s: Json) => [s.id, s.status]), [
        [3, "error"],
        [2, "success"],
        [1, "pending"],
      ]);
      assert.equal(list.headers.get("x-total-count"), "3");
      const oldest = await get(`/statuses/${main}?sort=oldest`);
      assert.deepEqual(oldest.body.map((s: Json) => s.id), [1, 2, 3]);
      // ToOrders: "leastindex" sorts by index DESC and "highestindex" ASC.
      const least = await get(`/statuses/${main}?sort=leastindex`);
      assert.deepEqual(least.body.map((s: Json) => s.id), [3, 2, 1]);
      const success = await get(`/statuses/${main}?state=success`);
      assert.deepEqual(success.body.map((s: Json) => s.id), [2]);
      assert.equal(success.headers.get("x-total-count"), "1");
      const paged = await get(`/statuses/${main}?limit=1&page=2`);
      assert.deepEqual(paged.body.map((s: Json) => s.id), [2]);
      assert.match(
        paged.headers.get("link") ?? "",
        /rel="next".*rel="last".*rel="first".*rel="prev"/,
      );
      const byRef = await get("/commits/main/statuses?state=error");
      assert.deepEqual(byRef.body.map((s: Json) => s.id), [3]);
    });

    await t.step(
      "the combined state is the worst latest per context, error told as failure",
      async () => {
        const combined = await get("/commits/main/status");
        assert.equal(combined.status, 200);
        assert.equal(combined.body.state, "failure");
        assert.equal(combined.body.sha, main);
        assert.equal(combined.body.total_count, 2);
        assert.deepEqual(combined.body.statuses.map((s: Json) => [s.context, s.status]), [
          ["ci/lint", "success"],
          ["ci/build", "error"],
        ]);
        assert.equal(combined.body.repository.full_name, R);
        assert.equal(combined.body.commit_url, "");
        assert.equal(combined.headers.get("x-total-count"), "2");

        clock += 1000;
        await post(main, { state: "warning", context: "ci/build" });
        assert.equal((await get(`/commits/${main}/status`)).body.state, "warning");
        clock += 1000;
        await post(main, { state: "success", context: "ci/build" });
        assert.equal((await get(`/commits/${main}/status`)).body.state, "success");
      },
    );

    await t.step("one page of contexts: the most recently updated first", async () => {
      const first = await get("/commits/main/status?limit=1");
      assert.deepEqual(first.body.statuses.map((s: Json) => s.context), ["ci/build"]);
      assert.equal(first.body.total_count, 1);
      assert.equal(first.headers.get("x-total-count"), "2");
    });

    await t.step(
      "a ref is a branch or tag by name prefix, an annotated tag its own object",
      async () => {
        // ResolveRefOrSha matches refs/heads/<ref> as a string prefix (GetRefsFiltered).
        assert.equal((await get("/commits/mai/status")).body.sha, main);
        await call(em, "POST", `/repos/${R}/tags`, { auth: writer, body: { tag_name: "v1" } });
        assert.equal((await get("/commits/v1/status")).body.sha, main);
        await call(em, "POST", `/repos/${R}/tags`, {
          auth: writer,
          body: { tag_name: "v2", message: "annotated" },
        });
        // The tag ref's object is the tag object, whose sha has no statuses.
        assert.equal((await get("/commits/v2/status")).body.state, "");
      },
    );

    await t.step("a private repo's statuses are 404 to a stranger", async () => {
      await newRepo(em, "alice", "secret", { private: true });
      const reply = await call(em, "GET", `/repos/alice/secret/commits/main/status`, {
        auth: bob.auth,
      });
      assert.equal(reply.status, 404);
    });
  } finally {
    await em.dispose();
  }
});
