/**
 * Fidelity: which reviews count toward a protected branch's required
 * approvals, as Forgejo v11 decides — `official` set when a review is posted
 * (models/issues/review.go IsOfficialReviewer, models/git/protected_branch.go
 * IsUserOfficialReviewer), `stale` after the head moves (services/pull/pull.go),
 * the merge check counting official approvals only (models/issues/pull.go
 * GetGrantedApprovalsCount), and the approvals whitelist of the protection API
 * (updateApprovalWhitelist keeps users with explicit read access).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import { call, type Json, newRepo, newUser } from "../../../tests/helpers/emulator_api.ts";

const R = "alice/app";
const NOT_ENOUGH = "not allowed to merge [reason: Does not have enough approvals]";

Deno.test("forgejo fidelity: official reviews and the approvals that count", async (t) => {
  let clock = Date.parse("2025-06-01T00:00:00Z");
  const em = await startEmulator({ now: () => clock, mergeCheckMs: 1_000 });
  try {
    const alice = await newUser(em, "alice");
    const users = {
      writer: await newUser(em, "bob"),
      reader: await newUser(em, "carol"),
      stranger: await newUser(em, "erin"),
    };
    await newRepo(em, "alice", "app");
    const as = (auth: string) => (method: string, path: string, body?: unknown) =>
      call(em, method, `/repos/${R}${path}`, { auth, ...(body === undefined ? {} : { body }) });
    const owner = as(alice.auth);
    await owner("PUT", "/collaborators/bob", { permission: "write" });
    await owner("PUT", "/collaborators/carol", { permission: "read" });
    let pulls = 0;
    const openPull = async () => {
      const head = `p${++pulls}`;
      await owner("POST", "/branches", { new_branch_name: head });
      await owner("POST", `/contents/${head}.txt`, { content: btoa(head), branch: head });
      const reply = await owner("POST", "/pulls", { head, base: "main", title: head });
      assert.equal(reply.status, 201, reply.text);
      clock += 1_000;
      return { n: reply.body.number as number, head };
    };
    const review = async (auth: string, n: number, event: string, body = "ok") => {
      const reply = await as(auth)("POST", `/pulls/${n}/reviews`, { event, body });
      assert.equal(reply.status, 200, reply.text);
      return reply.body;
    };
    const merge = (n: number) => owner("POST", `/pulls/${n}/merge`, { Do: "merge" });
    const listed = async (n: number) =>
      (await owner("GET", `/pulls/${n}/reviews`)).body.map((
        r: Json,
      ) => [r.user.login, r.state, r.official, r.stale, r.dismissed]);

    await t.step("without a rule, a writer's approval is official, a reader's is not", async () => {
      const { n } = await openPull();
      assert.equal((await review(users.reader.auth, n, "APPROVED")).official, false);
      assert.equal((await review(users.writer.auth, n, "APPROVED")).official, true);
      assert.deepEqual(await listed(n), [
        ["carol", "APPROVED", false, false, false],
        ["bob", "APPROVED", true, false, false],
      ]);
    });

    await t.step(
      "a read-only collaborator's approval does not satisfy required approvals",
      async () => {
        const rule = await owner("POST", "/branch_protections", {
          rule_name: "main",
          required_approvals: 1,
        });
        assert.equal(rule.status, 201, rule.text);
        const { n } = await openPull();
        const approved = await review(users.reader.auth, n, "APPROVED");
        assert.equal(approved.official, false);
        const blocked = await merge(n);
        assert.equal(blocked.status, 405);
        assert.equal(blocked.body.message, NOT_ENOUGH);
        assert.equal((await review(users.writer.auth, n, "APPROVED")).official, true);
        assert.equal((await merge(n)).status, 200);
      },
    );

    await t.step(
      "the approvals whitelist keeps explicit readers: not a stranger to a public repo, not a site admin",
      async () => {
        const reply = await owner("PATCH", "/branch_protections/main", {
          enable_approvals_whitelist: true,
          approvals_whitelist_username: ["carol", "erin", em.admin.user, "bob"],
          approvals_whitelist_teams: ["reviewers"],
        });
        assert.equal(reply.status, 200, reply.text);
        assert.equal(reply.body.enable_approvals_whitelist, true);
        assert.deepEqual(reply.body.approvals_whitelist_username, ["carol", "bob"]);
        // A user's repo has no teams: the names are ignored (routers/api/v1/repo/branch.go).
        assert.deepEqual(reply.body.approvals_whitelist_teams, []);
        const read = await owner("GET", "/branch_protections/main");
        assert.deepEqual(read.body.approvals_whitelist_username, ["carol", "bob"]);
        await owner("PATCH", "/branch_protections/main", {
          approvals_whitelist_username: ["carol"],
        });
      },
    );

    await t.step(
      "a whitelisted read-only user's approval counts; a writer off the list does not",
      async () => {
        const { n } = await openPull();
        assert.equal((await review(users.writer.auth, n, "APPROVED")).official, false);
        assert.equal((await review(users.stranger.auth, n, "APPROVED")).official, false);
        assert.equal((await merge(n)).body.message, NOT_ENOUGH);
        assert.equal((await review(users.reader.auth, n, "APPROVED")).official, true);
        assert.equal((await merge(n)).status, 200);
      },
    );

    await t.step(
      "a comment is never official and a reviewer's new verdict unofficials the old",
      async () => {
        const { n } = await openPull();
        await review(users.reader.auth, n, "APPROVED");
        assert.equal((await review(users.reader.auth, n, "COMMENT", "a note")).official, false);
        await review(users.reader.auth, n, "REQUEST_CHANGES", "not yet");
        assert.deepEqual((await listed(n)).map((r: Json[]) => [r[1], r[2]]), [
          ["APPROVED", false],
          ["COMMENT", false],
          ["REQUEST_CHANGES", true],
        ]);
        assert.equal((await merge(n)).body.message, NOT_ENOUGH);
        await review(users.reader.auth, n, "APPROVED");
        assert.equal((await merge(n)).status, 200);
      },
    );

    await t.step(
      "block_on_rejected_reviews: an official rejection blocks, an unofficial one does not",
      async () => {
        await owner("PATCH", "/branch_protections/main", {
          required_approvals: 0,
          block_on_rejected_reviews: true,
        });
        const { n } = await openPull();
        await review(users.writer.auth, n, "REQUEST_CHANGES", "off the list");
        assert.equal((await merge(n)).status, 200);
        const second = await openPull();
        await review(users.reader.auth, second.n, "REQUEST_CHANGES", "on the list");
        const blocked = await merge(second.n);
        assert.equal(blocked.status, 405);
        assert.equal(
          blocked.body.message,
          "not allowed to merge [reason: There are requested changes]",
        );
        await review(users.reader.auth, second.n, "APPROVED");
        assert.equal((await merge(second.n)).status, 200);
      },
    );

    await t.step(
      "a push to the head makes earlier reviews stale; ignore_stale_approvals drops them",
      async () => {
        await owner("PATCH", "/branch_protections/main", {
          required_approvals: 1,
          block_on_rejected_reviews: false,
        });
        const { n, head } = await openPull();
        await review(users.reader.auth, n, "APPROVED");
        await owner("POST", `/contents/${head}-more.txt`, { content: btoa("more"), branch: head });
        assert.deepEqual(await listed(n), [["carol", "APPROVED", true, true, false]]);
        await owner("PATCH", "/branch_protections/main", { ignore_stale_approvals: true });
        assert.equal((await merge(n)).body.message, NOT_ENOUGH);
        await owner("PATCH", "/branch_protections/main", { ignore_stale_approvals: false });
        assert.equal((await merge(n)).status, 200);
      },
    );

    await t.step(
      "the event is matched exactly; a rejection or comment needs a body (preparePullReviewType)",
      async () => {
        const { n } = await openPull();
        const post = (event: string, body = "") =>
          as(users.writer.auth)("POST", `/pulls/${n}/reviews`, { event, body });
        for (
          const [event, message] of [
            ["REQUEST_CHANGES", "review event REQUEST_CHANGES requires a body"],
            ["COMMENT", "review event COMMENT requires a body or a comment"],
            ["APPROVE", "review event APPROVE requires a body"],
          ]
        ) {
          const reply = await post(event!);
          assert.equal(reply.status, 422, event);
          assert.equal(reply.body.message, message);
        }
        const pending = await post("approved", "lower case");
        assert.equal(pending.status, 200);
        assert.deepEqual([pending.body.state, pending.body.official], ["PENDING", false]);
        assert.equal((await post("APPROVED")).body.state, "APPROVED");
      },
    );
  } finally {
    await em.dispose();
  }
});
