import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { acquireLock } from "../../core/lock/flock_lock.ts";
import { type Harness, harness } from "./harness.ts";
import process from "node:process";

const CLAIMERS = ["dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f", "dev-g", "dev-h"];

/** A factory initialised with 8 agent identities. */
async function initialised(): Promise<Harness> {
  const h = await harness();
  await mkdir(join(h.root, "projects"));
  const agents = CLAIMERS.flatMap((user) => [
    `[agents.${user}]`,
    `base_url = "http://127.0.0.1:9"`,
    `roles = ["dev"]`,
    `forge_user = "${user}"`,
    "",
  ]);
  await writeFile(
    join(h.root, "projects/app.toml"),
    ['name = "app"', 'repo = "acme/app"', `forge_url = "${h.emulator.url}"`, "", ...agents].join(
      "\n",
    ),
  );
  const init = await h.run(["init", "acme/app", "--yes"]);
  assert.equal(init.code, 0, init.stderr + init.stdout);
  return h;
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The comments of an issue, oldest first, from the emulator's model. */
function comments(h: Harness, n: number): string[] {
  const issue = h.issue("acme/app", n);
  return h.emulator.forge.state.issueEvents(issue).filter((e) => e.type === "comment").map((e) =>
    e.body
  );
}

/** Write requests on the API, label ids made generic. */
function writePaths(h: Harness): string[] {
  return h.emulator.writes().map((e) =>
    `${e.method} ${e.path.replace(/^\/api\/v1/, "").replace(/\/labels\/\d+$/, "/labels/ID")}`
  );
}

Deno.test("8 claimers racing for 50 backlog issues: each issue claimed exactly once", async () => {
  const h = await initialised();
  try {
    const numbers: number[] = [];
    for (let i = 0; i < 50; i++) {
      numbers.push(await h.addIssue("acme/app", `task ${i}`, ["backlog"]));
    }
    const results = await Promise.all(
      CLAIMERS.map((user, i) =>
        h.run(["--json", "issue", "claim", ...shuffled(numbers, i + 1).map(String), "--as", user])
      ),
    );
    const winners = new Map<number, string[]>();
    results.forEach((result, i) => {
      for (const line of result.stdout.trim().split("\n")) {
        const parsed = JSON.parse(line);
        if (parsed.claimed) {
          winners.set(parsed.issue, [...(winners.get(parsed.issue) ?? []), CLAIMERS[i]!]);
        }
      }
    });
    for (const n of numbers) {
      const issue = h.issue("acme/app", n);
      assert.equal(winners.get(n)?.length, 1, `#${n} winners ${winners.get(n)}`);
      assert.deepEqual(issue.assignees, winners.get(n));
      assert.deepEqual(h.labelNames("acme/app", n), ["in-progress"]);
    }
    // The claims really overlapped: some issue got claim comments from several claimers.
    assert.ok(numbers.some((n) => comments(h, n).length > 1));
  } finally {
    await h.dispose();
  }
});

Deno.test("claim assigns before labelling, release and block undo it", async () => {
  const h = await initialised();
  try {
    const n = await h.addIssue("acme/app", "one", ["backlog"]);
    h.emulator.clearRequestLog();
    const claim = await h.run(["issue", "claim", String(n), "--as", "dev-a"]);
    assert.equal(claim.code, 0, claim.stderr);
    assert.match(claim.stdout, new RegExp(`^claimed #${n}$`, "m"));
    assert.deepEqual(writePaths(h), [
      `POST /repos/acme/app/issues/${n}/comments`,
      `PATCH /repos/acme/app/issues/${n}`,
      `POST /repos/acme/app/issues/${n}/labels`,
      `DELETE /repos/acme/app/issues/${n}/labels/ID`,
    ]);
    assert.ok(h.emulator.writes().every((e) => e.user === "dev-a"));
    assert.deepEqual(h.issue("acme/app", n).assignees, ["dev-a"]);
    assert.deepEqual(h.labelNames("acme/app", n), ["in-progress"]);

    h.emulator.clearRequestLog();
    const again = await h.run(["issue", "claim", String(n), "--as", "dev-b"]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /not claimed #\d+: already claimed by dev-a/);
    assert.deepEqual(h.emulator.writes(), []);

    const release = await h.run(["issue", "release", String(n), "--as", "dev-a"]);
    assert.equal(release.code, 0, release.stderr);
    assert.deepEqual(h.issue("acme/app", n).assignees, []);
    assert.deepEqual(h.labelNames("acme/app", n), ["backlog"]);
    // After a release, a new claim can win.
    assert.equal((await h.run(["issue", "claim", String(n), "--as", "dev-b"])).code, 0);
    assert.deepEqual(h.issue("acme/app", n).assignees, ["dev-b"]);
    const block = await h.run([
      "issue",
      "block",
      String(n),
      "--reason",
      "needs a decision",
      "--as",
      "dev-b",
    ]);
    assert.equal(block.code, 0, block.stderr);
    assert.deepEqual(h.labelNames("acme/app", n), ["blocked"]);
    assert.deepEqual(h.issue("acme/app", n).assignees, []);
    const at = new Date(h.clock.time).toISOString();
    assert.match(
      comments(h, n).at(-1)!,
      new RegExp(`Blocked at ${at} by @dev-b: needs a decision`),
    );
    // block without --reason and a bad issue number are usage errors.
    assert.equal((await h.run(["issue", "block", String(n), "--as", "dev-b"])).code, 2);
    assert.equal((await h.run(["issue", "claim", "x1", "--as", "dev-b"])).code, 2);
  } finally {
    await h.dispose();
  }
});

Deno.test("issue commands act as FORGE_TOKEN by default and need one", async () => {
  const h = await initialised();
  try {
    const n = await h.addIssue("acme/app", "one", ["backlog"]);
    const result = await h.run(["issue", "claim", String(n)]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(h.issue("acme/app", n).assignees, ["dev-bot"]);
    const missing = await h.run(["issue", "claim", String(n), "--as", "nobody"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /FORGE_TOKEN_NOBODY is not set/);
  } finally {
    await h.dispose();
  }
});

Deno.test("sweep: grace period, latest addition, non-dev labels and assignees", async () => {
  const h = await initialised();
  try {
    const state = h.emulator.forge.state;
    const inProgress = h.labels("acme/app").find((l) => l.name === "in-progress")!.id;
    // Virtual time runs from t=0 s to the sweep at t=300 s; each label change is an event then.
    const readded = await h.addIssue("acme/app", "re-added", ["in-progress"]); // added t=0
    const nonDev = await h.addIssue("acme/app", "bug", ["in-progress", "bug-report"]);
    const assigned = await h.addIssue("acme/app", "taken", ["in-progress"]);
    await h.adminApi("PATCH", `/repos/acme/app/issues/${assigned}`, { assignees: ["dev-a"] });
    h.clock.advance(100);
    await h.adminApi("DELETE", `/repos/acme/app/issues/${readded}/labels/${inProgress}`);
    h.clock.advance(80);
    const old = await h.addIssue("acme/app", "old", ["in-progress"]); // t=180: 120 s old
    const removedSince = await h.addIssue("acme/app", "removed since", ["in-progress"]);
    h.clock.advance(110);
    const fresh = await h.addIssue("acme/app", "fresh", ["in-progress"]); // t=290: 10 s old
    await h.adminApi("POST", `/repos/acme/app/issues/${readded}/labels`, { labels: [inProgress] });
    h.clock.advance(5);
    // A removal 5 s ago, while the label stays on (as on an issue migrated with its labels,
    // which carries them without an addition event): only the addition 120 s ago counts.
    await h.adminApi("DELETE", `/repos/acme/app/issues/${removedSince}/labels/${inProgress}`);
    h.issue("acme/app", removedSince).labels.push(inProgress);
    h.clock.advance(5);
    const eventsBefore = (n: number) => state.issueEvents(h.issue("acme/app", n)).length;
    const untouched = [nonDev, assigned, fresh, readded].map(eventsBefore);

    h.emulator.clearRequestLog();
    const result = await h.run(["--json", "issue", "sweep"]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      issues: Array<{ issue: number; stale: boolean; relabelled: boolean; reason: string }>;
    };
    const relabelled = report.issues.filter((i) => i.relabelled).map((i) => i.issue).sort();
    assert.deepEqual(relabelled, [old, removedSince].sort());
    const reason = (n: number) => report.issues.find((i) => i.issue === n)?.reason ?? "";
    assert.match(reason(fresh), /added 10 s ago/);
    assert.match(reason(readded), /added 10 s ago/);
    assert.match(reason(nonDev), /non-dev label "bug-report"/);
    assert.match(reason(assigned), /assigned to dev-a/);

    assert.deepEqual(h.labelNames("acme/app", old), ["blocked"]);
    assert.deepEqual(h.labelNames("acme/app", removedSince), ["blocked"]);
    assert.deepEqual(h.labelNames("acme/app", fresh), ["in-progress"]);
    assert.deepEqual(h.labelNames("acme/app", readded), ["in-progress"]);
    assert.deepEqual(h.labelNames("acme/app", nonDev), ["bug-report", "in-progress"]);
    assert.deepEqual(h.labelNames("acme/app", assigned), ["in-progress"]);
    assert.deepEqual([nonDev, assigned, fresh, readded].map(eventsBefore), untouched);
    // Writes only on the two stale issues.
    for (const path of writePaths(h)) {
      assert.match(path, new RegExp(`/issues/(${old}|${removedSince})(/|$)`), path);
    }
    const now = new Date(h.clock.time).toISOString();
    const comment = comments(h, old).at(-1)!;
    assert.match(comment, /stale: in-progress \(added 120 s ago\)/);
    assert.ok(comment.includes(`Blocked at ${now}`), comment);
    assert.match(comments(h, removedSince).at(-1)!, /stale: in-progress \(added 120 s ago\)/);
    // Text mode reports what it relabelled.
    const text = await h.run(["issue", "sweep"]);
    assert.match(text.stdout, /4 in-progress issue\(s\) checked, 0 relabelled blocked/);
  } finally {
    await h.dispose();
  }
});

Deno.test("status counts issues and PRs with limit=1 requests and lists agents", async () => {
  const h = await initialised();
  try {
    for (const title of ["a", "b", "c"]) await h.addIssue("acme/app", title, ["backlog"]);
    await h.addIssue("acme/app", "d", ["blocked"]);
    const closed = await h.addIssue("acme/app", "done", ["backlog"]);
    await h.adminApi("PATCH", `/repos/acme/app/issues/${closed}`, { state: "closed" });
    await h.adminApi("POST", "/repos/acme/app/branches", {
      new_branch_name: "fix/issue-1",
      old_ref_name: "main",
    });
    await h.adminApi("POST", "/repos/acme/app/contents/notes.md", {
      content: btoa("notes\n"),
      message: "notes",
      branch: "fix/issue-1",
    });
    await h.adminApi("POST", "/repos/acme/app/pulls", {
      title: "fix",
      head: "fix/issue-1",
      base: "main",
    });
    const urls: string[] = [];
    h.fetchOverride = (input, init) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const result = await h.run(["--json", "status"]);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.equal(status.reachable, true);
    assert.deepEqual(status.issues, { backlog: 3, in_progress: 0, blocked: 1 });
    assert.equal(status.open_prs, 1);
    assert.deepEqual(status.agents, CLAIMERS);
    const counts = urls.filter((url) => /\/(issues|pulls)\?/.test(url));
    assert.equal(counts.length, 4, counts.join("\n"));
    for (const url of counts) assert.equal(new URL(url).searchParams.get("limit"), "1", url);
    const text = await h.run(["status"]);
    assert.match(text.stdout, /issues: 3 backlog, 0 in-progress, 1 blocked/);
  } finally {
    await h.dispose();
  }
});

Deno.test("a held agent lock keeps an issue out of the sweep and shows in status", async () => {
  const h = await initialised();
  try {
    const locked = await h.addIssue("acme/app", "locked", ["in-progress"]);
    const pidLocked = await h.addIssue("acme/app", "pid", ["in-progress"]);
    const free = await h.addIssue("acme/app", "free", ["in-progress"]);
    h.clock.advance(600);
    await mkdir(join(h.root, "state/locks"), { recursive: true });
    const handle = await acquireLock(join(h.root, `state/locks/dev-issue-${locked}.lock`), {
      timeoutSeconds: 0,
    });
    await writeFile(join(h.root, `state/dev-issue-${pidLocked}.pid`), `${process.pid}\n`);
    try {
      const status = JSON.parse((await h.run(["--json", "status"])).stdout);
      assert.deepEqual(status.locks, [
        { file: `state/dev-issue-${pidLocked}.pid`, pid: process.pid },
        { file: `state/locks/dev-issue-${locked}.lock`, pid: null },
      ]);
      const sweep = JSON.parse((await h.run(["--json", "issue", "sweep"])).stdout) as {
        issues: Array<{ issue: number; relabelled: boolean }>;
      };
      assert.deepEqual(sweep.issues.filter((i) => i.relabelled).map((i) => i.issue), [free]);
      assert.deepEqual(h.labelNames("acme/app", locked), ["in-progress"]);
      assert.deepEqual(h.labelNames("acme/app", free), ["blocked"]);
    } finally {
      handle.release();
    }
  } finally {
    await h.dispose();
  }
});

Deno.test("a claimer that cannot assign (read-only) releases its claim for the others", async () => {
  const h = await initialised();
  try {
    const n = await h.addIssue("acme/app", "one", ["backlog"]);
    // review-bot only reads the project repo: the forge refuses its assignment.
    const failed = await h.run(["issue", "claim", String(n), "--as", "review-bot"]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /HTTP 403/);
    const refused = h.emulator.requestLog().find((e) => e.status === 403)!;
    assert.deepEqual([refused.method, refused.user], ["PATCH", "review-bot"]);
    assert.deepEqual(h.issue("acme/app", n).assignees, []);
    const next = await h.run(["issue", "claim", String(n), "--as", "dev-a"]);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.deepEqual(h.issue("acme/app", n).assignees, ["dev-a"]);
  } finally {
    await h.dispose();
  }
});
