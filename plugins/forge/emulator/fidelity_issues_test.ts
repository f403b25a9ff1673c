/**
 * Fidelity: labels, issue labels, issues, comments and the timeline as
 * Forgejo v11 answers them (shared/FORGEJO-API.md §2.5, §2.6, §2.7, §3).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  errorBody,
  type Json,
  newIssue,
  newLabel,
  newRepo,
  newUser,
} from "../../../tests/helpers/emulator_api.ts";

const R = "alice/work";

Deno.test("forgejo fidelity: labels, issues, comments and timeline", async (t) => {
  const em = await startEmulator();
  const as = (auth: string) => (method: string, path: string, body?: unknown) =>
    call(em, method, path, { auth, ...(body === undefined ? {} : { body }) });
  const admin = as(adminAuth(em));
  const names = (labels: Json[]) => labels.map((l: Json) => l.name);
  const timeline = async (n: number) =>
    (await admin("GET", `/repos/${R}/issues/${n}/timeline`)).body;
  try {
    const alice = await newUser(em, "alice");
    const bob = await newUser(em, "bob");
    await newRepo(em, "alice", "work");
    await newRepo(em, "alice", "other");

    // --- labels
    await t.step("label ids are global across repositories", async () => {
      const first = await newLabel(em, R, "bug");
      const elsewhere = await newLabel(em, "alice/other", "bug");
      const second = await newLabel(em, R, "feature");
      assert.equal(elsewhere, first + 1);
      assert.equal(second, first + 2);
    });

    await t.step("label colours come back as six lowercase hex digits without #", async () => {
      for (
        const [input, stored] of [["#ABC", "aabbcc"], ["A1B2C3", "a1b2c3"], ["#0f0", "00ff00"]]
      ) {
        const reply = await admin("POST", `/repos/${R}/labels`, {
          name: `c-${input}`,
          color: input,
        });
        assert.equal(reply.status, 201);
        assert.equal(reply.body.color, stored);
      }
    });

    await t.step("a bad colour is 422 bad color code", async () => {
      const reply = await admin("POST", `/repos/${R}/labels`, { name: "x", color: "red" });
      assert.equal(reply.status, 422);
      assert.match(reply.body.message, /^bad color code: /);
    });

    await t.step("a label of the same name is created again (201, no uniqueness)", async () => {
      const reply = await admin("POST", `/repos/${R}/labels`, { name: "bug", color: "#ff0000" });
      assert.equal(reply.status, 201);
      const list = await admin("GET", `/repos/${R}/labels`);
      assert.equal(names(list.body).filter((n: string) => n === "bug").length, 2);
    });

    await t.step("labels are listed by name, all of them without page", async () => {
      const list = await admin("GET", `/repos/${R}/labels?limit=1`);
      assert.ok(list.body.length > 1);
      assert.deepEqual(names(list.body), [...names(list.body)].sort());
      assert.equal(list.headers.get("x-total-count"), String(list.body.length));
      assert.equal(list.headers.get("link"), null);
    });

    await t.step("a label is found by id or by name", async () => {
      const id = await newLabel(em, R, "docs");
      assert.equal((await admin("GET", `/repos/${R}/labels/${id}`)).body.name, "docs");
      assert.equal((await admin("GET", `/repos/${R}/labels/docs`)).body.id, id);
      assert.equal((await admin("GET", `/repos/${R}/labels/absent`)).status, 404);
    });

    await t.step("creating a label needs write access: 403 for a reader", async () => {
      const reply = await call(em, "POST", `/repos/${R}/labels`, {
        auth: bob.auth,
        body: { name: "x", color: "fff" },
      });
      assert.equal(reply.status, 403);
      assert.deepEqual(
        reply.body,
        errorBody(em, "user should have a permission to write to a repo"),
      );
    });

    await t.step("deleting a label is 204 even when it does not exist", async () => {
      assert.equal((await admin("DELETE", `/repos/${R}/labels/999999`)).status, 204);
    });

    // --- issue labels
    const bug = await newLabel(em, R, "kind/bug");
    const ready = await newLabel(em, R, "ready");
    const foreign = await newLabel(em, "alice/other", "foreign");

    await t.step("adding labels is 200 with the issue's complete label list", async () => {
      const n = await newIssue(em, R, "labelled");
      const first = await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [bug] });
      assert.equal(first.status, 200);
      const second = await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [ready] });
      assert.equal(second.status, 200);
      assert.deepEqual(names(second.body).sort(), ["kind/bug", "ready"]);
    });

    await t.step("unknown label ids and other repos' labels are dropped silently", async () => {
      const n = await newIssue(em, R, "drops");
      const reply = await admin("POST", `/repos/${R}/issues/${n}/labels`, {
        labels: [999999, foreign, ready],
      });
      assert.equal(reply.status, 200);
      assert.deepEqual(names(reply.body), ["ready"]);
    });

    await t.step("labels may be given by name; a numeric string is a name", async () => {
      const n = await newIssue(em, R, "by name");
      const reply = await admin("POST", `/repos/${R}/issues/${n}/labels`, {
        labels: ["ready", String(bug)],
      });
      assert.deepEqual(names(reply.body), ["ready"]);
    });

    await t.step("mixing ids and names is 400", async () => {
      const n = await newIssue(em, R, "mixed");
      const mixed = await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [bug, "x"] });
      assert.equal(mixed.status, 400);
      assert.equal(mixed.body.message, "labels should be an array of strings or integers");
      const other = await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [true] });
      assert.equal(other.status, 400);
      assert.equal(other.body.message, "a label must be an integer or a string");
    });

    await t.step("removing a label that is not attached is 204", async () => {
      const n = await newIssue(em, R, "not attached");
      const reply = await admin("DELETE", `/repos/${R}/issues/${n}/labels/${ready}`);
      assert.equal(reply.status, 204);
      // No events: ListIssueCommentsAndTimeline answers null (see fidelity_lists_test.ts).
      assert.equal(await timeline(n), null);
    });

    await t.step("removing a label by name or an unknown id is 422", async () => {
      const n = await newIssue(em, R, "by name removal");
      const byName = await admin("DELETE", `/repos/${R}/issues/${n}/labels/ready`);
      assert.equal(byName.status, 422);
      assert.equal(byName.body.message, "label does not exist [label_id: 0]");
      const unknown = await admin("DELETE", `/repos/${R}/issues/${n}/labels/999999`);
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.message, "label does not exist [label_id: 999999]");
    });

    await t.step("changing labels without write access is 403 with an empty body", async () => {
      const n = await newIssue(em, R, "guarded");
      const reply = await call(em, "POST", `/repos/${R}/issues/${n}/labels`, {
        auth: bob.auth,
        body: { labels: [ready] },
      });
      assert.equal(reply.status, 403);
      assert.equal(reply.text, "");
    });

    await t.step("PUT replaces the label set and [] clears it", async () => {
      const n = await newIssue(em, R, "replace", { labels: [bug] });
      const replaced = await admin("PUT", `/repos/${R}/issues/${n}/labels`, { labels: [ready] });
      assert.equal(replaced.status, 200);
      assert.deepEqual(names(replaced.body), ["ready"]);
      const cleared = await admin("PUT", `/repos/${R}/issues/${n}/labels`, { labels: [] });
      assert.deepEqual(cleared.body, []);
    });

    await t.step("DELETE on the labels clears them (204), one removal event each", async () => {
      const n = await newIssue(em, R, "clear", { labels: [bug, ready] });
      assert.equal((await admin("DELETE", `/repos/${R}/issues/${n}/labels`)).status, 204);
      const removals = (await timeline(n)).filter((e: Json) => e.type === "label" && e.body === "");
      assert.equal(removals.length, 2);
    });

    await t.step(
      "an exclusive label replaces others of its scope, with a removal event",
      async () => {
        const high = await newLabel(em, R, "priority/high", { exclusive: true });
        const low = await newLabel(em, R, "priority/low", { exclusive: true });
        const n = await newIssue(em, R, "exclusive", { labels: [high] });
        const reply = await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [low] });
        assert.deepEqual(names(reply.body), ["priority/low"]);
        const events = (await timeline(n)).map((e: Json) => [e.label.name, e.body]);
        assert.deepEqual(events, [["priority/high", "1"], ["priority/high", ""], [
          "priority/low",
          "1",
        ]]);
      },
    );

    // --- timeline
    await t.step("label additions and removals are both type label, body 1 and empty", async () => {
      const n = await newIssue(em, R, "events");
      await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [ready] });
      await admin("DELETE", `/repos/${R}/issues/${n}/labels/${ready}`);
      const events = await timeline(n);
      assert.deepEqual(events.map((e: Json) => [e.type, e.body, e.label.id]), [
        ["label", "1", ready],
        ["label", "", ready],
      ]);
      assert.ok(!events.some((e: Json) => ["labeled", "unlabeled"].includes(e.type)));
    });

    await t.step("creating an issue with labels writes one label event each", async () => {
      const n = await newIssue(em, R, "born labelled", { labels: [bug, ready] });
      const events = await timeline(n);
      assert.deepEqual(events.map((e: Json) => [e.type, e.body]), [["label", "1"], ["label", "1"]]);
    });

    await t.step("deleting a label removes its timeline events", async () => {
      const doomed = await newLabel(em, R, "doomed");
      const n = await newIssue(em, R, "loses events", { labels: [doomed, ready] });
      await admin("DELETE", `/repos/${R}/labels/${doomed}`);
      const events = await timeline(n);
      assert.deepEqual(events.map((e: Json) => e.label.id), [ready]);
      const issue = await admin("GET", `/repos/${R}/issues/${n}`);
      assert.deepEqual(names(issue.body.labels), ["ready"]);
    });

    await t.step("assignee changes are type assignees with removed_assignee", async () => {
      await call(em, "PUT", `/repos/${R}/collaborators/bob`, { auth: alice.auth, body: {} });
      const n = await newIssue(em, R, "assigned", { assignees: ["alice"] });
      const patched = await admin("PATCH", `/repos/${R}/issues/${n}`, { assignees: ["bob"] });
      assert.equal(patched.status, 201);
      const events = (await timeline(n)).map((e: Json) => [
        e.type,
        e.assignee.login,
        e.removed_assignee,
      ]);
      // Replacing writes the removal first, then the addition.
      assert.deepEqual(events, [
        ["assignees", "alice", false],
        ["assignees", "alice", true],
        ["assignees", "bob", false],
      ]);
    });

    await t.step("title changes, closing and reopening have their own types", async () => {
      const n = await newIssue(em, R, "old title");
      await admin("PATCH", `/repos/${R}/issues/${n}`, { title: "new title" });
      await admin("PATCH", `/repos/${R}/issues/${n}`, { state: "closed" });
      await admin("PATCH", `/repos/${R}/issues/${n}`, { state: "open" });
      const events = await timeline(n);
      assert.deepEqual(events.map((e: Json) => e.type), ["change_title", "close", "reopen"]);
      assert.equal(events[0].old_title, "old title");
      assert.equal(events[0].new_title, "new title");
    });

    await t.step("timeline users always show the placeholder email", async () => {
      const n = await newIssue(em, R, "email", { labels: [ready] });
      const [event] = await timeline(n);
      assert.equal(event.user.email, `${em.admin.user}@noreply.${new URL(em.url).hostname}`);
    });

    await t.step("the timeline filters on since", async () => {
      const n = await newIssue(em, R, "aged", { labels: [ready] });
      em.control.ageTimeline("alice", "work", n, 3600);
      await admin("POST", `/repos/${R}/issues/${n}/comments`, { body: "fresh" });
      const since = new Date(Date.now() - 60_000).toISOString();
      const reply = await admin("GET", `/repos/${R}/issues/${n}/timeline?since=${since}`);
      assert.deepEqual(reply.body.map((e: Json) => e.type), ["comment"]);
    });

    await t.step("a bad since on the timeline is 422", async () => {
      const n = await newIssue(em, R, "bad since");
      const reply = await admin("GET", `/repos/${R}/issues/${n}/timeline?since=yesterday`);
      assert.equal(reply.status, 422);
    });

    await t.step("the timeline of an unknown issue is 404 IsErrIssueNotExist", async () => {
      const reply = await admin("GET", `/repos/${R}/issues/9999/timeline`);
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "IsErrIssueNotExist");
      assert.equal(reply.body.errors.length, 1);
    });

    // --- issues
    await t.step("issue numbers are per repo while issue ids are global", async () => {
      const a = await admin("POST", `/repos/alice/other/issues`, { title: "one" });
      const b = await admin("POST", `/repos/alice/other/issues`, { title: "two" });
      assert.equal(a.body.number, 1);
      assert.equal(b.body.number, 2);
      assert.ok(a.body.id > 2);
    });

    await t.step("an issue with no assignees has assignee null and assignees null", async () => {
      const reply = await admin("POST", `/repos/alice/other/issues`, { title: "lonely" });
      assert.equal(reply.body.assignee, null);
      assert.equal(reply.body.assignees, null);
      assert.deepEqual(reply.body.labels, []);
      assert.equal(reply.body.pull_request, null);
      assert.equal(reply.body.state, "open");
    });

    await t.step("issue creation takes label ids only (strings are 422)", async () => {
      const reply = await admin("POST", `/repos/${R}/issues`, { title: "x", labels: ["ready"] });
      assert.equal(reply.status, 422);
    });

    await t.step("an unknown assignee on creation is 422", async () => {
      const reply = await admin("POST", `/repos/${R}/issues`, {
        title: "x",
        assignees: ["ghost1"],
      });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "Assignee does not exist: [name: ghost1]");
    });

    await t.step("an unknown assignee on edit is a blank 500", async () => {
      const n = await newIssue(em, R, "edit assignee");
      const reply = await admin("PATCH", `/repos/${R}/issues/${n}`, { assignees: ["ghost1"] });
      assert.equal(reply.status, 500);
      assert.deepEqual(reply.body, errorBody(em, ""));
    });

    await t.step("a title is required (422 [Title]: Required)", async () => {
      const reply = await admin("POST", `/repos/${R}/issues`, { body: "no title" });
      assert.equal(reply.status, 422);
      assert.equal(reply.body.message, "[Title]: Required");
    });

    await t.step("a reader's labels and assignees are dropped on creation", async () => {
      await newRepo(em, "alice", "open-door");
      const label = await newLabel(em, "alice/open-door", "x");
      const reply = await call(em, "POST", "/repos/alice/open-door/issues", {
        auth: bob.auth,
        body: { title: "from a reader", labels: [label], assignees: ["alice"] },
      });
      assert.equal(reply.status, 201);
      assert.deepEqual(reply.body.labels, []);
      assert.equal(reply.body.assignees, null);
    });

    await t.step("editing someone else's issue without write access is 403 empty", async () => {
      const reply = await call(em, "PATCH", "/repos/alice/open-door/issues/1", {
        auth: (await newUser(em, "carol")).auth,
        body: { title: "hijack" },
      });
      assert.equal(reply.status, 403);
      assert.equal(reply.text, "");
    });

    await t.step("an unknown or non-numeric issue number is 404", async () => {
      assert.equal((await admin("GET", `/repos/${R}/issues/9999`)).status, 404);
      assert.equal((await admin("GET", `/repos/${R}/issues/abc`)).status, 404);
    });

    await t.step("the issue list defaults to open issues, newest first", async () => {
      await newRepo(em, "alice", "list");
      const one = await newIssue(em, "alice/list", "one");
      const two = await newIssue(em, "alice/list", "two");
      const closed = await newIssue(em, "alice/list", "closed", { closed: true });
      const open = await admin("GET", "/repos/alice/list/issues");
      assert.deepEqual(open.body.map((i: Json) => i.number), [two, one]);
      assert.equal(open.headers.get("x-total-count"), "2");
      const all = await admin("GET", "/repos/alice/list/issues?state=all&sort=oldest");
      assert.deepEqual(all.body.map((i: Json) => i.number), [one, two, closed]);
      const onlyClosed = await admin("GET", "/repos/alice/list/issues?state=closed");
      assert.deepEqual(onlyClosed.body.map((i: Json) => i.number), [closed]);
    });

    await t.step("the labels filter takes names with AND; unknown names are dropped", async () => {
      await newRepo(em, "alice", "filter");
      const a = await newLabel(em, "alice/filter", "a");
      const b = await newLabel(em, "alice/filter", "b");
      const both = await newIssue(em, "alice/filter", "both", { labels: [a, b] });
      const onlyA = await newIssue(em, "alice/filter", "only a", { labels: [a] });
      const none = await newIssue(em, "alice/filter", "none");
      const list = async (q: string) =>
        (await admin("GET", `/repos/alice/filter/issues?${q}`)).body.map((i: Json) => i.number)
          .sort();
      assert.deepEqual(await list("labels=a,b"), [both]);
      assert.deepEqual(await list("labels=a,zzz"), [both, onlyA].sort());
      // None of the names exist: no filter at all.
      assert.deepEqual(await list("labels=zzz"), [both, onlyA, none].sort());
      assert.deepEqual(await list(`labels=${a}`), [both, onlyA, none].sort());
    });

    await t.step("created_by and assigned_by filter by username; unknown is 404", async () => {
      await newRepo(em, "alice", "people");
      await call(em, "PUT", "/repos/alice/people/collaborators/bob", {
        auth: alice.auth,
        body: { permission: "write" },
      });
      const byBob = (await call(em, "POST", "/repos/alice/people/issues", {
        auth: bob.auth,
        body: { title: "bob's", assignees: ["alice"] },
      })).body.number;
      await newIssue(em, "alice/people", "admin's");
      const created = await admin("GET", "/repos/alice/people/issues?created_by=BOB");
      assert.deepEqual(created.body.map((i: Json) => i.number), [byBob]);
      const assigned = await admin("GET", "/repos/alice/people/issues?assigned_by=alice");
      assert.deepEqual(assigned.body.map((i: Json) => i.number), [byBob]);
      const unknown = await admin("GET", "/repos/alice/people/issues?created_by=ghost1");
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.errors.length, 1);
    });

    await t.step("PATCH with assignees [] clears them; leaving them out keeps them", async () => {
      const n = await newIssue(em, R, "keep", { assignees: ["alice"] });
      const kept = await admin("PATCH", `/repos/${R}/issues/${n}`, { body: "text" });
      assert.equal(kept.body.assignees.length, 1);
      const cleared = await admin("PATCH", `/repos/${R}/issues/${n}`, { assignees: [] });
      assert.equal(cleared.body.assignees, null);
      assert.equal(cleared.body.assignee, null);
    });

    // --- comments
    await t.step("a comment is 201 and listed oldest first, paging ignored", async () => {
      const n = await newIssue(em, R, "chatty");
      for (const body of ["first", "second", "third"]) {
        const reply = await admin("POST", `/repos/${R}/issues/${n}/comments`, { body });
        assert.equal(reply.status, 201);
        assert.equal(reply.body.body, body);
      }
      await admin("POST", `/repos/${R}/issues/${n}/labels`, { labels: [ready] });
      const list = await admin("GET", `/repos/${R}/issues/${n}/comments?limit=1&page=2`);
      assert.deepEqual(list.body.map((c: Json) => c.body), ["first", "second", "third"]);
      assert.equal(list.headers.get("x-total-count"), "3");
      const issue = await admin("GET", `/repos/${R}/issues/${n}`);
      assert.equal(issue.body.comments, 3);
    });

    await t.step("comments of an unknown issue are 404 IsErrIssueNotExist", async () => {
      const reply = await admin("GET", `/repos/${R}/issues/9999/comments`);
      assert.equal(reply.status, 404);
      assert.equal(reply.body.message, "IsErrIssueNotExist");
      assert.match(
        reply.body.errors[0],
        /^issue does not exist \[id: 0, repo_id: \d+, index: 9999\]$/,
      );
    });

    await t.step("commenting anonymously is 401", async () => {
      const reply = await call(em, "POST", `/repos/${R}/issues/1/comments`, {
        body: { body: "x" },
      });
      assert.equal(reply.status, 401);
    });
  } finally {
    await em.dispose();
  }
});
