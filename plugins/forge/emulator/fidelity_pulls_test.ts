/**
 * Fidelity: pull requests, merging, reviews and push mirrors as Forgejo v11
 * answers them (shared/FORGEJO-API.md §2.9, §2.10, §3 items 8 and 20).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  errorBody,
  type Json,
  newLabel,
  newRepo,
  newUser,
} from "../../../tests/helpers/emulator_api.ts";

const R = "alice/app";

Deno.test("forgejo fidelity: pull requests, merges, reviews and push mirrors", async (t) => {
  let clock = Date.parse("2025-06-01T00:00:00Z");
  const em = await startEmulator({ now: () => clock, mergeCheckMs: 1_000 });
  const admin = (method: string, path: string, body?: unknown) =>
    call(em, method, path, { auth: adminAuth(em), ...(body === undefined ? {} : { body }) });
  const branch = (name: string) => admin("POST", `/repos/${R}/branches`, { new_branch_name: name });
  const file = (branch: string, path: string) =>
    admin("POST", `/repos/${R}/contents/${path}`, { content: btoa(`${path}\n`), branch });
  const openPull = async (head: string, extra: Record<string, unknown> = {}) => {
    await branch(head);
    await file(head, `${head}.txt`);
    const reply = await admin("POST", `/repos/${R}/pulls`, {
      head,
      base: "main",
      title: head,
      ...extra,
    });
    assert.equal(reply.status, 201, reply.text);
    return reply.body;
  };
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    await newRepo(em, "alice", "app");
    await call(em, "PUT", `/repos/${R}/collaborators/bob`, { auth: alice.auth, body: {} });

    await t.step("a new pull request is 201 and not yet mergeable", async () => {
      const pull = await openPull("p1");
      assert.equal(pull.mergeable, false);
      assert.equal(pull.state, "open");
      assert.equal(pull.merged, false);
      assert.equal(pull.head.ref, "p1");
      assert.equal(pull.base.ref, "main");
    });

    await t.step("merging before mergeability is known is 405 Please try again later", async () => {
      const reply = await admin("POST", `/repos/${R}/pulls/1/merge`, { Do: "merge" });
      assert.equal(reply.status, 405);
      assert.deepEqual(reply.body, errorBody(em, "Please try again later"));
    });

    await t.step("an unknown merge style is 422", async () => {
      clock += 1_000;
      const reply = await admin("POST", `/repos/${R}/pulls/1/merge`, { Do: "octopus" });
      assert.equal(reply.status, 422);
    });

    await t.step("a head_commit_id that is not the head is 409 head out of date", async () => {
      // services/pull/merge.go ErrSHADoesNotMatch → routers/api/v1/repo/pull.go (v11).
      const reply = await admin("POST", `/repos/${R}/pulls/1/merge`, {
        Do: "merge",
        head_commit_id: "0".repeat(40),
      });
      assert.equal(reply.status, 409);
      assert.equal(reply.body.message, "head out of date");
      assert.equal((await admin("GET", `/repos/${R}/pulls/1`)).body.merged, false);
    });

    await t.step(
      "a merge is 200 with an empty body; the form key is case-insensitive",
      async () => {
        assert.equal((await admin("GET", `/repos/${R}/pulls/1`)).body.mergeable, true);
        const reply = await admin("POST", `/repos/${R}/pulls/1/merge`, { do: "merge" });
        assert.equal(reply.status, 200);
        assert.equal(reply.text, "");
        const pull = (await admin("GET", `/repos/${R}/pulls/1`)).body;
        assert.equal(pull.merged, true);
        assert.equal(pull.state, "closed");
        assert.match(pull.merge_commit_sha, /^[0-9a-f]{40}$/);
        const main = await admin("GET", `/repos/${R}/branches/main`);
        assert.equal(main.body.commit.id, pull.merge_commit_sha);
      },
    );

    await t.step("a merge writes merge_pull and close to the timeline", async () => {
      const events = (await admin("GET", `/repos/${R}/issues/1/timeline`)).body;
      assert.deepEqual(events.map((e: Json) => e.type).slice(-2), ["merge_pull", "close"]);
    });

    await t.step("merging again is 405 with an empty message", async () => {
      const reply = await admin("POST", `/repos/${R}/pulls/1/merge`, { Do: "merge" });
      assert.equal(reply.status, 405);
      assert.equal(reply.body.message, "");
    });

    await t.step("GET …/merge is 204 when merged and 404 otherwise", async () => {
      assert.equal((await admin("GET", `/repos/${R}/pulls/1/merge`)).status, 204);
      await openPull("p2");
      assert.equal((await admin("GET", `/repos/${R}/pulls/2/merge`)).status, 404);
    });

    await t.step("changing the state of a merged pull is 412", async () => {
      const reply = await admin("PATCH", `/repos/${R}/pulls/1`, { state: "open" });
      assert.equal(reply.status, 412);
    });

    await t.step("merging a closed, unmerged pull is 404", async () => {
      const closed = await admin("PATCH", `/repos/${R}/pulls/2`, { state: "closed" });
      assert.equal(closed.status, 201);
      clock += 1_000;
      const reply = await admin("POST", `/repos/${R}/pulls/2/merge`, { Do: "merge" });
      assert.equal(reply.status, 404);
    });

    await t.step("head equal to base is 422 no changes", async () => {
      const reply = await admin("POST", `/repos/${R}/pulls`, {
        head: "main",
        base: "main",
        title: "x",
      });
      assert.equal(reply.status, 422);
      assert.equal(
        reply.body.message,
        "Invalid PullRequest: There are no changes between the head and the base",
      );
    });

    await t.step(
      "an unknown base is 404 BaseNotExist, an unknown head 404 IsRefExist",
      async () => {
        const base = await admin("POST", `/repos/${R}/pulls`, {
          head: "p2",
          base: "nope",
          title: "x",
        });
        assert.equal(base.status, 404);
        assert.equal(base.body.message, "BaseNotExist");
        const head = await admin("POST", `/repos/${R}/pulls`, {
          head: "nope",
          base: "main",
          title: "x",
        });
        assert.equal(head.status, 404);
        assert.equal(head.body.message, "IsRefExist");
      },
    );

    await t.step("a second open pull for the same head and base is 409", async () => {
      await openPull("p3");
      const reply = await admin("POST", `/repos/${R}/pulls`, {
        head: "p3",
        base: "main",
        title: "again",
      });
      assert.equal(reply.status, 409);
      assert.match(reply.body.message, /^pull request already exists for these targets \[id: \d+/);
    });

    await t.step("the pull list without state returns open and closed pulls", async () => {
      const all = await admin("GET", `/repos/${R}/pulls`);
      assert.deepEqual(all.body.map((p: Json) => p.number).sort(), [1, 2, 3]);
      assert.equal(all.headers.get("x-total-count"), "3");
      const open = await admin("GET", `/repos/${R}/pulls?state=open`);
      assert.deepEqual(open.body.map((p: Json) => p.number), [3]);
    });

    await t.step("the pull list filters on repeated label ids (any of them)", async () => {
      const a = await newLabel(em, R, "a");
      const b = await newLabel(em, R, "b");
      await admin("POST", `/repos/${R}/issues/2/labels`, { labels: [a] });
      await admin("POST", `/repos/${R}/issues/3/labels`, { labels: [b] });
      const reply = await admin("GET", `/repos/${R}/pulls?labels=${a}&labels=${b}`);
      assert.deepEqual(reply.body.map((p: Json) => p.number).sort(), [2, 3]);
      const one = await admin("GET", `/repos/${R}/pulls?labels=${a}`);
      assert.deepEqual(one.body.map((p: Json) => p.number), [2]);
    });

    await t.step("an unknown poster filter on pulls is 400", async () => {
      const reply = await admin("GET", `/repos/${R}/pulls?poster=ghost1`);
      assert.equal(reply.status, 400);
    });

    await t.step("the issue list includes pulls unless type=issues", async () => {
      await admin("POST", `/repos/${R}/issues`, { title: "plain issue" });
      const all = await admin("GET", `/repos/${R}/issues?state=all`);
      assert.deepEqual(all.body.map((i: Json) => i.number).sort(), [1, 2, 3, 4]);
      const issues = await admin("GET", `/repos/${R}/issues?state=all&type=issues`);
      assert.deepEqual(issues.body.map((i: Json) => i.number), [4]);
      const pulls = await admin("GET", `/repos/${R}/issues?state=all&type=pulls`);
      assert.deepEqual(pulls.body.map((i: Json) => i.number).sort(), [1, 2, 3]);
      assert.ok(pulls.body.every((i: Json) => i.pull_request !== null));
    });

    await t.step("a plain issue number on the pulls API is 404", async () => {
      const reply = await admin("GET", `/repos/${R}/pulls/4`);
      assert.equal(reply.status, 404);
    });

    await t.step("required approvals block a merge with 405 until approved", async () => {
      await admin("POST", `/repos/${R}/branch_protections`, {
        rule_name: "main",
        required_approvals: 1,
      });
      const n = (await openPull("p5")).number;
      clock += 1_000;
      const blocked = await admin("POST", `/repos/${R}/pulls/${n}/merge`, { Do: "squash" });
      assert.equal(blocked.status, 405);
      assert.equal(
        blocked.body.message,
        "not allowed to merge [reason: Does not have enough approvals]",
      );
      const review = await call(em, "POST", `/repos/${R}/pulls/${n}/reviews`, {
        auth: bob.auth,
        body: { event: "APPROVED", body: "lgtm" },
      });
      assert.equal(review.status, 200);
      assert.equal(review.body.state, "APPROVED");
      const merged = await admin("POST", `/repos/${R}/pulls/${n}/merge`, { Do: "squash" });
      assert.equal(merged.status, 200);
    });

    await t.step("approving one's own pull is 422", async () => {
      const reply = await admin("POST", `/repos/${R}/pulls/3/reviews`, { event: "APPROVED" });
      assert.equal(reply.status, 422);
    });

    await t.step("reviews are listed with their state strings", async () => {
      await call(em, "POST", `/repos/${R}/pulls/3/reviews`, {
        auth: bob.auth,
        body: { event: "REQUEST_CHANGES", body: "no" },
      });
      const reply = await admin("GET", `/repos/${R}/pulls/3/reviews`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body.map((r: Json) => [r.user.login, r.state]), [[
        "bob",
        "REQUEST_CHANGES",
      ]]);
    });

    await t.step("a merge style the repo disallows is 405", async () => {
      await admin("PATCH", `/repos/${R}`, { allow_rebase: false });
      await admin("DELETE", `/repos/${R}/branch_protections/main`);
      const reply = await admin("POST", `/repos/${R}/pulls/3/merge`, { Do: "rebase" });
      assert.equal(reply.status, 405);
      assert.equal(
        reply.body.message,
        "rebase is not allowed an allowed merge style for this repository",
      );
    });

    await t.step("a glob rule matching the base branch blocks a merge too", async () => {
      // CheckPullBranchProtections looks the rule up with GetFirstMatchProtectedBranchRule.
      await admin("POST", `/repos/${R}/branch_protections`, {
        rule_name: "m*n",
        required_approvals: 1,
      });
      const n = (await openPull("p7")).number;
      clock += 1_000;
      const blocked = await admin("POST", `/repos/${R}/pulls/${n}/merge`, { Do: "merge" });
      assert.equal(blocked.status, 405);
      assert.equal(
        blocked.body.message,
        "not allowed to merge [reason: Does not have enough approvals]",
      );
      await admin("DELETE", `/repos/${R}/branch_protections/m*n`);
    });

    // --- push mirrors
    const mirror = (body: Record<string, unknown>, auth = adminAuth(em)) =>
      call(em, "POST", `/repos/${R}/push_mirrors`, { auth, body });

    await t.step(
      "a push mirror is 200 with a generated remote name and no credentials",
      async () => {
        const reply = await mirror({
          remote_address: "https://example.com/mirror.git",
          remote_username: "u",
          remote_password: "secret-pw",
          interval: "8h",
        });
        assert.equal(reply.status, 200);
        assert.match(reply.body.remote_name, /^remote_mirror_\w{10}$/);
        assert.equal(reply.body.remote_address, "https://example.com/mirror.git");
        assert.equal(reply.body.last_update, null);
        assert.equal(reply.body.interval, "8h0m0s");
        assert.ok(!reply.text.includes("secret-pw"));
      },
    );

    await t.step("the same mirror address twice makes two mirrors", async () => {
      const again = await mirror({
        remote_address: "https://example.com/mirror.git",
        interval: "0",
      });
      assert.equal(again.status, 200);
      assert.equal(again.body.interval, "0s");
      const list = await admin("GET", `/repos/${R}/push_mirrors`);
      assert.equal(list.body.length, 2);
      assert.equal(list.headers.get("x-total-count"), "2");
    });

    await t.step("a mirror without an interval is 400 invalid duration", async () => {
      const reply = await mirror({ remote_address: "https://example.com/m.git" });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, 'time: invalid duration ""');
    });

    await t.step("an interval under ten minutes is 400 %!s(<nil>)", async () => {
      const reply = await mirror({ remote_address: "https://example.com/m.git", interval: "5m" });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, "%!s(<nil>)");
    });

    await t.step("use_ssh with a username or password is 400", async () => {
      const reply = await mirror({
        remote_address: "ssh://git@example.com/m.git",
        interval: "1h",
        use_ssh: true,
        remote_username: "u",
      });
      assert.equal(reply.status, 400);
      assert.equal(
        reply.body.message,
        "'use_ssh' is mutually exclusive with 'remote_username' and 'remote_passoword'",
      );
    });

    await t.step("a bad mirror protocol is 400 Invalid mirror protocol", async () => {
      const reply = await mirror({ remote_address: "ftp://example.com/m.git", interval: "1h" });
      assert.equal(reply.status, 400);
      assert.equal(reply.body.message, "Invalid mirror protocol");
    });

    await t.step("an unknown mirror is 404 %!s(<nil>); deleting one is 204 anyway", async () => {
      const missing = await admin("GET", `/repos/${R}/push_mirrors/remote_mirror_none`);
      assert.equal(missing.status, 404);
      assert.equal(missing.body.message, "%!s(<nil>)");
      const gone = await admin("DELETE", `/repos/${R}/push_mirrors/remote_mirror_none`);
      assert.equal(gone.status, 204);
    });

    await t.step("push mirrors need a repo admin: 403 for a writer, 401 anonymously", async () => {
      const writer = await mirror(
        { remote_address: "https://example.com/x.git", interval: "1h" },
        bob.auth,
      );
      assert.equal(writer.status, 403);
      const anonymous = await call(em, "GET", `/repos/${R}/push_mirrors`);
      assert.equal(anonymous.status, 401);
    });
  } finally {
    await em.dispose();
  }
});
