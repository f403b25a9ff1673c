/**
 * The dev role looking after its own issue, against the emulator: a review
 * asking for changes is answered with a push; failed CI is fixed at most 3
 * times per PR, then the issue is blocked; a failing agent gives the issue
 * back (released, blocked on the third failure or when nothing changed).
 */
import assert from "node:assert/strict";
import {
  type AgentsKit,
  agentsKit,
  editWorktree,
  failCi,
  fakeAgent,
  openPr,
  outcome,
  putBackInBacklog,
  SLUG,
} from "./_agents_kit.ts";

type Named = { name: string };
const labels = async (kit: AgentsKit, n: number) =>
  (await kit.get(`/repos/${SLUG}/issues/${n}`)).labels.map((l: Named) => l.name).sort();
const assignees = async (kit: AgentsKit, n: number) =>
  ((await kit.get(`/repos/${SLUG}/issues/${n}`)).assignees ?? []).map((a: { login: string }) =>
    a.login
  );

Deno.test("a review asking for changes: the agent gets its text, pushes a fix; re-review approves; merged", async () => {
  const kit = await agentsKit();
  try {
    const { n, pr } = await openPr(kit);
    const reviewer = fakeAgent(() =>
      outcome({ resultText: "Please rename foo to bar.\nVERDICT: REQUEST_CHANGES" })
    );
    assert.equal((await kit.run(["agents", "poll", "review"], { runner: reviewer })).code, 0);
    const dev = fakeAgent(async (invocation) => {
      await editWorktree(invocation, "renamed");
      return outcome({ sessionId: "session-fix" });
    });
    const fix = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(fix.code, 0, fix.stderr + fix.stdout);
    assert.equal(dev.calls.length, 1);
    assert.match(dev.calls[0]!.prompt, /Please rename foo to bar\./);
    // The fix continues the session that wrote the code (the kit's agent answers "session-1").
    assert.equal(dev.calls[0]!.resume, "session-1");
    assert.match(fix.stdout, /review fix 1 pushed/);
    const after = await kit.get(`/repos/${SLUG}/pulls/${pr.number}`);
    assert.notEqual(after.head.sha, pr.head.sha);
    assert.equal(await kit.git("show", `${after.head.sha}:issue-${n}.txt`), "renamed");
    assert.equal((await kit.get(`/repos/${SLUG}/pulls?state=all`)).length, 1, "no second PR");

    // Nothing new from the reviewer: the dev cycle waits, no agent run.
    const wait = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.match(wait.stdout, /waits for review or CI/);
    assert.equal(dev.calls.length, 1);

    const approve = await kit.run(["agents", "poll", "review"]);
    assert.match(approve.stdout, /APPROVED/);
    const merge = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.match(merge.stdout, /merged/);
    assert.equal((await kit.get(`/repos/${SLUG}/issues/${n}`)).state, "closed");
  } finally {
    await kit.dispose();
  }
});

Deno.test("a kept session Claude no longer has: the fix starts a new session instead", async () => {
  const kit = await agentsKit();
  try {
    await openPr(kit);
    const reviewer = fakeAgent(() =>
      outcome({ resultText: "Rename it.\nVERDICT: REQUEST_CHANGES" })
    );
    assert.equal((await kit.run(["agents", "poll", "review"], { runner: reviewer })).code, 0);
    // As the real CLI answers a --resume of an unknown session: an error before any turn.
    const dev = fakeAgent(async (invocation) => {
      if (invocation.resume) {
        return outcome({ success: false, turns: 0, detail: "no conversation" });
      }
      await editWorktree(invocation, "renamed");
      return outcome({ sessionId: "session-new" });
    });
    const fix = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(fix.code, 0, fix.stderr + fix.stdout);
    assert.deepEqual(dev.calls.map((call) => call.resume), ["session-1", undefined]);
    assert.match(fix.stdout, /session session-1 could not be resumed; starting a new one/);
    assert.match(fix.stdout, /review fix 1 pushed/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("failed CI: at most 3 fix attempts on the PR, then the issue is blocked", async () => {
  const kit = await agentsKit();
  try {
    const { n, pr } = await openPr(kit);
    const dev = fakeAgent(async (invocation, call) => {
      await editWorktree(invocation, `ci fix ${call}`);
      return outcome();
    });
    const fail = () => failCi(kit, pr.number, "2 tests failed");
    for (let attempt = 1; attempt <= 3; attempt++) {
      await fail();
      const run = await kit.run(["agents", "poll", "dev"], { runner: dev });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`ci fix ${attempt} pushed`));
      assert.match(dev.calls.at(-1)!.prompt, /ci\/test: failure 2 tests failed/);
      assert.match(dev.calls.at(-1)!.prompt, new RegExp(`attempt ${attempt} of 3`));
    }
    await fail();
    const last = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(last.code, 0);
    assert.match(last.stdout, /blocked after 3 ci fix attempts/);
    assert.equal(dev.calls.length, 3, "no fourth attempt");
    assert.deepEqual(await labels(kit, n), ["blocked"]);
    assert.deepEqual(await assignees(kit, n), []);
    const comments = await kit.get(`/repos/${SLUG}/issues/${n}/comments`);
    assert.match(comments.at(-1).body, /CI still fails on PR #\d+ after 3 fix attempts/);
  } finally {
    await kit.dispose();
  }
});

Deno.test("agent failure: the issue is released twice, blocked on the third failure; never left claimed", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Hard task");
    const failing = fakeAgent(() => outcome({ success: false, detail: "error_max_turns" }));
    for (let round = 1; round <= 2; round++) {
      const run = await kit.run(["agents", "poll", "dev"], { runner: failing });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`#${n}: released \\(error_max_turns\\)`));
      assert.deepEqual(await labels(kit, n), ["backlog"]);
      assert.deepEqual(await assignees(kit, n), []);
    }
    const third = await kit.run(["agents", "poll", "dev"], { runner: failing });
    assert.match(third.stdout, new RegExp(`#${n}: blocked`));
    assert.deepEqual(await labels(kit, n), ["blocked"]);
    assert.deepEqual(await assignees(kit, n), []);
    assert.equal(failing.calls.length, 3);
    assert.deepEqual(await kit.get(`/repos/${SLUG}/pulls?state=all`), []);
  } finally {
    await kit.dispose();
  }
});

Deno.test("an agent run that changes nothing blocks the issue at once (a retry would do the same)", async () => {
  const kit = await agentsKit();
  try {
    const n = await kit.issue("Vague task");
    const idle = fakeAgent(() => outcome({ resultText: "Nothing to do." }));
    const run = await kit.run(["agents", "poll", "dev"], { runner: idle });
    assert.equal(run.code, 0);
    assert.deepEqual(await labels(kit, n), ["blocked"]);
    const comments = await kit.get(`/repos/${SLUG}/issues/${n}/comments`);
    assert.match(comments.at(-1).body, /without changing anything/);
    assert.deepEqual(await kit.get(`/repos/${SLUG}/pulls?state=all`), []);
  } finally {
    await kit.dispose();
  }
});

Deno.test("an issue blocked after 3 CI fixes and put back in the backlog by a person gets 3 new attempts", async () => {
  const kit = await agentsKit();
  try {
    const { n, pr } = await openPr(kit);
    const dev = fakeAgent(async (invocation, call) => {
      await editWorktree(invocation, `work ${call}`);
      return outcome();
    });
    const fail = async () => {
      await failCi(kit, pr.number);
      return await kit.run(["agents", "poll", "dev"], { runner: dev });
    };
    for (let attempt = 1; attempt <= 3; attempt++) await fail();
    assert.match((await fail()).stdout, /blocked after 3 ci fix attempts/);
    // A person looked, and puts the issue back in the backlog.
    await putBackInBacklog(kit, n);
    const again = await kit.run(["agents", "poll", "dev"], { runner: dev });
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, new RegExp(`#${n}: claimed`));
    assert.equal((await kit.get(`/repos/${SLUG}/pulls?state=all`)).length, 1, "the same PR");
    const next = await fail();
    assert.match(next.stdout, /ci fix 1 pushed/);
    assert.deepEqual(await labels(kit, n), ["in-progress"]);
  } finally {
    await kit.dispose();
  }
});
