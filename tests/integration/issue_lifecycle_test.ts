import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { acquireLock } from "../../core/lock/flock_lock.ts";
import { join } from "node:path";
import { harness } from "./harness.ts";

const CLAIMERS = ["dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f", "dev-g", "dev-h"];

/** A factory initialised with 8 agent identities. */
async function initialised() {
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
    ['name = "app"', 'repo = "acme/app"', `forge_url = "${h.forge.url}"`, "", ...agents].join("\n"),
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

Deno.test("8 claimers racing for 50 backlog issues: each issue claimed exactly once", async () => {
  const h = await initialised();
  try {
    const numbers = Array.from(
      { length: 50 },
      (_, i) => h.forge.addIssue("acme/app", `task ${i}`, ["backlog"]),
    );
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
    const repo = h.forge.repos.get("acme/app")!;
    const label = (name: string) => repo.labels.find((l) => l.name === name)!.id;
    for (const n of numbers) {
      const issue = repo.issues.find((i) => i.number === n)!;
      assert.equal(winners.get(n)?.length, 1, `#${n} winners ${winners.get(n)}`);
      assert.deepEqual(issue.assignees, winners.get(n));
      assert.ok(issue.labels.includes(label("in-progress")));
      assert.ok(!issue.labels.includes(label("backlog")));
      // Assign first, then label: the assignee event precedes in-progress in time.
    }
  } finally {
    await h.dispose();
  }
});

Deno.test("claim assigns before labelling, release and block undo it", async () => {
  const h = await initialised();
  try {
    const n = h.forge.addIssue("acme/app", "one", ["backlog"]);
    h.forge.log = [];
    const claim = await h.run(["issue", "claim", String(n), "--as", "dev-a"]);
    assert.equal(claim.code, 0, claim.stderr);
    assert.match(claim.stdout, new RegExp(`^claimed #${n}$`, "m"));
    const writes = h.forge.writes().map((r) =>
      `${r.method} ${r.path.replace(/\/labels\/\d+$/, "/labels/ID")}`
    );
    assert.deepEqual(writes, [
      `POST /repos/acme/app/issues/${n}/comments`,
      `PATCH /repos/acme/app/issues/${n}`,
      `POST /repos/acme/app/issues/${n}/labels`,
      `DELETE /repos/acme/app/issues/${n}/labels/ID`,
    ]);
    const again = await h.run(["issue", "claim", String(n), "--as", "dev-b"]);
    assert.equal(again.code, 1);
    assert.match(again.stdout, /not claimed #\d+: already claimed by dev-a/);

    const release = await h.run(["issue", "release", String(n), "--as", "dev-a"]);
    assert.equal(release.code, 0, release.stderr);
    const issue = h.forge.repos.get("acme/app")!.issues.find((i) => i.number === n)!;
    assert.deepEqual(issue.assignees, []);
    // After a release, a new claim can win.
    assert.equal((await h.run(["issue", "claim", String(n), "--as", "dev-b"])).code, 0);
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
    const names = issue.labels.map((id) =>
      h.forge.repos.get("acme/app")!.labels.find((l) => l.id === id)!.name
    );
    assert.deepEqual(names.sort(), ["blocked"]);
    assert.match(
      issue.comments.at(-1)!.body,
      /Blocked at \d{4}-\d\d-\d\dT[\d:.]+Z by @dev-b: needs a decision/,
    );
    // block without --reason is a usage error.
    assert.equal((await h.run(["issue", "block", String(n), "--as", "dev-b"])).code, 2);
    assert.equal((await h.run(["issue", "claim", "x1", "--as", "dev-b"])).code, 2);
  } finally {
    await h.dispose();
  }
});

Deno.test("issue commands act as FORGE_TOKEN by default and need one", async () => {
  const h = await initialised();
  try {
    const n = h.forge.addIssue("acme/app", "one", ["backlog"]);
    const result = await h.run(["issue", "claim", String(n)]);
    assert.equal(result.code, 0, result.stderr);
    const issue = h.forge.repos.get("acme/app")!.issues.find((i) => i.number === n)!;
    assert.deepEqual(issue.assignees, ["dev-bot"]);
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
    const fresh = h.forge.addIssue("acme/app", "fresh", ["in-progress"]);
    const old = h.forge.addIssue("acme/app", "old", ["in-progress"]);
    h.forge.age("acme/app", old, 120);
    const nonDev = h.forge.addIssue("acme/app", "bug", ["in-progress", "bug-report"]);
    h.forge.age("acme/app", nonDev, 600);
    const assigned = h.forge.addIssue("acme/app", "taken", ["in-progress"]);
    h.forge.age("acme/app", assigned, 600);
    h.forge.repos.get("acme/app")!.issues.find((i) => i.number === assigned)!.assignees = ["dev-a"];

    const result = await h.run(["--json", "issue", "sweep"]);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as {
      issues: Array<{ issue: number; relabelled: boolean }>;
    };
    const relabelled = report.issues.filter((i) => i.relabelled).map((i) => i.issue);
    assert.deepEqual(relabelled, [old]);
    const repo = h.forge.repos.get("acme/app")!;
    const names = (n: number) =>
      repo.issues.find((i) => i.number === n)!.labels.map((id) =>
        repo.labels.find((l) => l.id === id)!.name
      ).sort();
    assert.deepEqual(names(old), ["blocked"]);
    assert.deepEqual(names(fresh), ["in-progress"]);
    assert.deepEqual(names(nonDev), ["bug-report", "in-progress"]);
    assert.deepEqual(names(assigned), ["in-progress"]);
    const comment = repo.issues.find((i) => i.number === old)!.comments.at(-1)!.body;
    assert.match(comment, /stale: in-progress \(added 120 s ago\)/);
    assert.match(comment, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/);
    // Text mode reports what it relabelled.
    const text = await h.run(["issue", "sweep"]);
    assert.match(text.stdout, /in-progress issue\(s\) checked, 0 relabelled blocked/);
  } finally {
    await h.dispose();
  }
});

Deno.test("status counts issues and PRs with limit=1 requests and lists agents", async () => {
  const h = await initialised();
  try {
    h.forge.addIssue("acme/app", "a", ["backlog"]);
    h.forge.addIssue("acme/app", "b", ["backlog"]);
    h.forge.addIssue("acme/app", "c", ["blocked"]);
    h.forge.log = [];
    const result = await h.run(["--json", "status"]);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout);
    assert.equal(status.reachable, true);
    assert.deepEqual(status.issues, { backlog: 2, in_progress: 0, blocked: 1 });
    assert.equal(status.open_prs, 0);
    assert.deepEqual(status.agents, CLAIMERS);
    assert.ok(h.forge.log.filter((r) => /\/(issues|pulls)$/.test(r.path)).length === 4);
    const text = await h.run(["status"]);
    assert.match(text.stdout, /issues: 2 backlog, 0 in-progress, 1 blocked/);
  } finally {
    await h.dispose();
  }
});

Deno.test("a held agent lock keeps an issue out of the sweep and shows in status", async () => {
  const h = await initialised();
  try {
    const locked = h.forge.addIssue("acme/app", "locked", ["in-progress"]);
    const pidLocked = h.forge.addIssue("acme/app", "pid", ["in-progress"]);
    const free = h.forge.addIssue("acme/app", "free", ["in-progress"]);
    for (const n of [locked, pidLocked, free]) h.forge.age("acme/app", n, 600);
    await mkdir(join(h.root, "state/locks"), { recursive: true });
    const handle = await acquireLock(join(h.root, `state/locks/dev-issue-${locked}.lock`), {
      timeoutSeconds: 0,
    });
    await writeFile(join(h.root, `state/dev-issue-${pidLocked}.pid`), `${Deno.pid}\n`);
    try {
      const status = JSON.parse((await h.run(["--json", "status"])).stdout);
      assert.deepEqual(status.locks, [
        { file: `state/dev-issue-${pidLocked}.pid`, pid: Deno.pid },
        { file: `state/locks/dev-issue-${locked}.lock`, pid: null },
      ]);
      const sweep = JSON.parse((await h.run(["--json", "issue", "sweep"])).stdout) as {
        issues: Array<{ issue: number; relabelled: boolean }>;
      };
      assert.deepEqual(sweep.issues.filter((i) => i.relabelled).map((i) => i.issue), [free]);
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
    const n = h.forge.addIssue("acme/app", "one", ["backlog"]);
    // review-bot only reads the project repo: the forge refuses its assignment.
    const failed = await h.run(["issue", "claim", String(n), "--as", "review-bot"]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /HTTP 403/);
    const next = await h.run(["issue", "claim", String(n), "--as", "dev-a"]);
    assert.equal(next.code, 0, next.stdout + next.stderr);
  } finally {
    await h.dispose();
  }
});
