/**
 * Fidelity: branches, branch protections, tags and contents as Forgejo v11
 * answers them (shared/FORGEJO-API.md §2.8, §3 items 6 and 12).
 */
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import { mustGit as git } from "./fidelity_git_kit.ts";
import {
  adminAuth,
  call,
  errorBody,
  type Json,
  newRepo,
  newUser,
  tokenAuth,
} from "../../../tests/helpers/emulator_api.ts";

const R = "alice/code";

Deno.test("forgejo fidelity: branches, protections, tags and contents", async (t) => {
  let clock = Date.parse("2025-06-01T00:00:00Z");
  const em = await startEmulator({ now: () => clock });
  const admin = (method: string, path: string, body?: unknown) =>
    call(em, method, path, { auth: adminAuth(em), ...(body === undefined ? {} : { body }) });
  const work = await mkdtemp(join(tmpdir(), "fidelity-code-"));
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    const reader = await newUser(em, "reader");
    await newRepo(em, "alice", "code");
    await call(em, "PUT", `/repos/${R}/collaborators/bob`, { auth: alice.auth, body: {} });

    // --- branches
    await t.step("an empty repo lists branches as the JSON literal null", async () => {
      await newRepo(em, "alice", "bare", { auto_init: false });
      const reply = await admin("GET", "/repos/alice/bare/branches");
      assert.equal(reply.status, 200);
      assert.equal(reply.text, "null\n");
      assert.equal(reply.headers.get("x-total-count"), "0");
    });

    await t.step("any branch of an empty repo is 404", async () => {
      const reply = await admin("GET", "/repos/alice/bare/branches/main");
      assert.equal(reply.status, 404);
    });

    await t.step("creating a branch in an empty repo is 404 Git Repository is empty.", async () => {
      const reply = await admin("POST", "/repos/alice/bare/branches", { new_branch_name: "x" });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "Git Repository is empty.");
    });

    await t.step("a missing branch is 404 with the git error in errors", async () => {
      const reply = await admin("GET", `/repos/${R}/branches/nope`);
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body, {
        ...errorBody(em, "The target couldn't be found."),
        errors: ["branch does not exist [name: nope]"],
      });
    });

    await t.step("a branch is created from the default branch (201) and read back", async () => {
      const created = await admin("POST", `/repos/${R}/branches`, { new_branch_name: "feature/x" });
      assert.equal(created.status, 201);
      assert.equal(created.body.name, "feature/x");
      const main = await admin("GET", `/repos/${R}/branches/main`);
      assert.equal(created.body.commit.id, main.body.commit.id);
    });

    await t.step("branch names with slashes are matched as a wildcard path", async () => {
      const reply = await admin("GET", `/repos/${R}/branches/feature/x`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.name, "feature/x");
    });

    await t.step("…/branches/{b}/protection is read as a branch name and is 404", async () => {
      const reply = await admin("GET", `/repos/${R}/branches/main/protection`);
      assert.equal(reply.status, 404);
      assert.deepEqual(reply.body.errors, ["branch does not exist [name: main/protection]"]);
    });

    await t.step("an existing branch is 409 The branch already exists.", async () => {
      const reply = await admin("POST", `/repos/${R}/branches`, { new_branch_name: "main" });
      assert.equal(reply.status, 409);
      assert.deepEqual(reply.body, errorBody(em, "The branch already exists."));
    });

    await t.step("a missing source branch is 404 The old branch does not exist", async () => {
      const reply = await admin("POST", `/repos/${R}/branches`, {
        new_branch_name: "y",
        old_ref_name: "ghost",
      });
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "The old branch does not exist");
    });

    await t.step("creating a branch needs write access (403 for a reader)", async () => {
      const reply = await call(em, "POST", `/repos/${R}/branches`, {
        auth: reader.auth,
        body: { new_branch_name: "z" },
      });
      assert.equal(reply.status, 403);
      assert.equal(reply.body.message, "user should have a permission to write to a repo");
    });

    await t.step("the branch list is paged with X-Total-Count and Link", async () => {
      const reply = await admin("GET", `/repos/${R}/branches?limit=1`);
      assert.equal(reply.body.length, 1);
      assert.equal(reply.headers.get("x-total-count"), "2");
      assert.match(reply.headers.get("link") ?? "", /rel="next"/);
    });

    await t.step("a pushed branch stays invisible to the API for the branch delay", async () => {
      const clone = `${work}/clone`;
      const remote = new URL(`${em.url.replace(/\/$/, "")}/alice/code.git`);
      remote.username = "alice";
      remote.password = alice.pass;
      await git(work, "clone", "-q", remote.toString(), clone);
      await git(clone, "checkout", "-q", "-b", "pushed");
      await writeFile(`${clone}/pushed.txt`, "hello\n");
      await git(clone, "add", "pushed.txt");
      await git(clone, "commit", "-q", "-m", "pushed");
      em.control.setBranchDelay(5_000);
      try {
        await git(clone, "push", "-q", "origin", "pushed");
        assert.equal((await admin("GET", `/repos/${R}/branches/pushed`)).status, 404);
        clock += 5_000;
        const seen = await admin("GET", `/repos/${R}/branches/pushed`);
        assert.equal(seen.status, 200);
        assert.equal(seen.body.commit.message.trim(), "pushed");
      } finally {
        em.control.setBranchDelay(0);
      }
    });

    // --- branch protections
    const protect = (body: Record<string, unknown>, auth = adminAuth(em)) =>
      call(em, "POST", `/repos/${R}/branch_protections`, { auth, body });

    await t.step("a protection rule needs no existing branch (201)", async () => {
      const reply = await protect({ rule_name: "release", required_approvals: 1 });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.rule_name, "release");
      assert.equal(reply.body.branch_name, "release");
      assert.equal(reply.body.required_approvals, 1);
    });

    await t.step("a rule on an empty repo works too", async () => {
      const reply = await call(em, "POST", "/repos/alice/bare/branch_protections", {
        auth: adminAuth(em),
        body: { rule_name: "main" },
      });
      assert.equal(reply.status, 201);
    });

    await t.step("an existing rule name is 403 Branch protection already exist", async () => {
      const reply = await protect({ rule_name: "release" });
      assert.equal(reply.status, 403);
      assert.deepEqual(reply.body, errorBody(em, "Branch protection already exist"));
    });

    await t.step("branch_name stands in for an empty rule_name; both empty is 400", async () => {
      const legacy = await protect({ branch_name: "legacy" });
      assert.equal(legacy.status, 201);
      assert.equal(legacy.body.rule_name, "legacy");
      const neither = await protect({});
      assert.equal(neither.status, 400);
      assert.equal(neither.body.message, "both rule_name and branch_name are empty");
    });

    await t.step("a glob rule has an empty branch_name and lists after plain rules", async () => {
      const glob = await protect({ rule_name: "release/*" });
      assert.equal(glob.body.branch_name, "");
      await protect({ rule_name: "zeta" });
      const list = await admin("GET", `/repos/${R}/branch_protections`);
      const order = list.body.map((p: Json) => p.rule_name);
      assert.equal(order.at(-1), "release/*");
      assert.equal(list.headers.get("x-total-count"), null);
    });

    await t.step("the push whitelist needs enable_push:true in the same body", async () => {
      const without = await protect({
        rule_name: "wl1",
        enable_push_whitelist: true,
        push_whitelist_usernames: ["alice"],
      });
      assert.equal(without.body.enable_push_whitelist, false);
      const withPush = await protect({
        rule_name: "wl2",
        enable_push: true,
        enable_push_whitelist: true,
        push_whitelist_usernames: ["alice"],
      });
      assert.equal(withPush.body.enable_push_whitelist, true);
      const patched = await admin("PATCH", `/repos/${R}/branch_protections/wl1`, {
        enable_push_whitelist: true,
      });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.enable_push_whitelist, false);
      const off = await admin("PATCH", `/repos/${R}/branch_protections/wl2`, {
        enable_push: false,
      });
      assert.equal(off.body.enable_push_whitelist, false);
    });

    await t.step(
      "whitelisted users without write access vanish; unknown ones are 422",
      async () => {
        const reply = await protect({
          rule_name: "wl3",
          enable_merge_whitelist: true,
          merge_whitelist_usernames: ["bob", "reader"],
          approvals_whitelist_username: ["reader"],
        });
        assert.equal(reply.status, 201);
        assert.deepEqual(reply.body.merge_whitelist_usernames, ["bob"]);
        // No collaborator: no explicit read access (IsRepoReader), so dropped too.
        assert.deepEqual(reply.body.approvals_whitelist_username, []);
        const unknown = await protect({
          rule_name: "wl4",
          merge_whitelist_usernames: ["nobody"],
        });
        assert.equal(unknown.status, 422);
        assert.equal(unknown.body.message, "user does not exist [uid: 0, name: nobody]");
      },
    );

    await t.step("fields unknown to v11 are ignored silently", async () => {
      const reply = await protect({
        rule_name: "extra",
        enable_force_push: true,
        admin_enforced: 1,
      });
      assert.equal(reply.status, 201);
      assert.equal("enable_force_push" in reply.body, false);
      assert.equal("admin_enforced" in reply.body, false);
      assert.equal(reply.body.apply_to_admins, false);
    });

    await t.step("a negative required_approvals becomes 0", async () => {
      const reply = await protect({ rule_name: "neg", required_approvals: -3 });
      assert.equal(reply.body.required_approvals, 0);
    });

    await t.step("PATCH changes only the keys sent (200)", async () => {
      const reply = await admin("PATCH", `/repos/${R}/branch_protections/release`, {
        block_on_rejected_reviews: true,
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.body.required_approvals, 1);
      assert.equal(reply.body.block_on_rejected_reviews, true);
    });

    await t.step("a rule is found by name; an unknown one is 404", async () => {
      assert.equal((await admin("GET", `/repos/${R}/branch_protections/release`)).status, 200);
      const missing = await admin("GET", `/repos/${R}/branch_protections/ghost`);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body.errors, []);
      const patch = await admin("PATCH", `/repos/${R}/branch_protections/ghost`, {});
      assert.equal(patch.status, 404);
    });

    await t.step("deleting a rule is 204", async () => {
      assert.equal((await admin("DELETE", `/repos/${R}/branch_protections/neg`)).status, 204);
      assert.equal((await admin("GET", `/repos/${R}/branch_protections/neg`)).status, 404);
    });

    await t.step("branch protections need a repo admin (403 for a writer)", async () => {
      const reply = await protect({ rule_name: "by-bob" }, bob.auth);
      assert.equal(reply.status, 403);
      assert.equal(
        reply.body.message,
        "user should be an owner or a collaborator with admin write of a repository",
      );
    });

    await t.step("a protected branch says so on the branch API", async () => {
      await protect({ rule_name: "main", required_approvals: 2 });
      const reply = await admin("GET", `/repos/${R}/branches/main`);
      assert.equal(reply.body.protected, true);
      assert.equal(reply.body.required_approvals, 2);
      assert.equal(reply.body.effective_branch_protection_name, "main");
    });

    // --- tags
    await t.step("a tag is created on the default branch (201) and read back", async () => {
      const created = await admin("POST", `/repos/${R}/tags`, {
        tag_name: "v1.0.0",
        message: "one",
      });
      assert.equal(created.status, 201);
      assert.equal(created.body.name, "v1.0.0");
      const main = await admin("GET", `/repos/${R}/branches/main`);
      assert.equal(created.body.commit.sha, main.body.commit.id);
      const read = await admin("GET", `/repos/${R}/tags/v1.0.0`);
      assert.equal(read.status, 200);
      assert.equal(read.body.commit.sha, main.body.commit.id);
    });

    await t.step("an existing tag is 409 tag already exists", async () => {
      const reply = await admin("POST", `/repos/${R}/tags`, { tag_name: "v1.0.0" });
      assert.equal(reply.status, 409);
      assert.deepEqual(reply.body, errorBody(em, "tag already exists [name: v1.0.0]"));
    });

    await t.step("a tag on a missing target is 404 target not found", async () => {
      const reply = await admin("POST", `/repos/${R}/tags`, { tag_name: "v9", target: "ghost" });
      assert.equal(reply.status, 404);
      assert.match(reply.body.message, /^target not found: /);
    });

    await t.step("an unknown tag is 404", async () => {
      assert.equal((await admin("GET", `/repos/${R}/tags/v0.0.0`)).status, 404);
    });

    // --- contents
    await t.step("creating a file on a new branch is 201 and makes the branch", async () => {
      const reply = await admin("POST", `/repos/${R}/contents/docs/a.md`, {
        content: btoa("hello\n"),
        message: "Add a",
        branch: "main",
        new_branch: "docs",
      });
      assert.equal(reply.status, 201);
      assert.equal(reply.body.content.path, "docs/a.md");
      assert.equal(reply.body.content.name, "a.md");
      const branch = await admin("GET", `/repos/${R}/branches/docs`);
      assert.equal(branch.body.commit.id, reply.body.commit.sha);
    });

    await t.step("creating a file that exists is 422", async () => {
      const reply = await admin("POST", `/repos/${R}/contents/docs/a.md`, {
        content: btoa("again\n"),
        branch: "docs",
      });
      assert.equal(reply.status, 422);
    });

    await t.step("a token with only read:repository cannot create files", async () => {
      const secret = (await call(em, "POST", "/users/alice/tokens", {
        auth: alice.auth,
        body: { name: "ro", scopes: ["read:repository"] },
      })).body.sha1;
      const reply = await call(em, "POST", `/repos/${R}/contents/b.md`, {
        auth: tokenAuth(secret),
        body: { content: btoa("b") },
      });
      assert.equal(reply.status, 403);
    });
  } finally {
    await em.dispose();
    await rm(work, { recursive: true, force: true });
  }
});
