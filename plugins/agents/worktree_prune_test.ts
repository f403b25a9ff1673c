/**
 * Left-over worktrees, against the emulator: a review run killed mid-way
 * leaves `pr-<n>`, a dev run `issue-<n>`; the next cycle removes every one
 * that no live PID lock holds, directories and git's records alike.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { acquirePidLock } from "../../core/lock/pid_lock.ts";
import { agentsKit } from "./_agents_kit.ts";

const git = (dir: string, ...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(
      "git",
      ["--git-dir", dir, ...args],
      (error, stdout) => error ? reject(error) : resolve(String(stdout)),
    )
  );

Deno.test("a cycle removes left-over worktrees that no PID lock holds and keeps a held one", async () => {
  const kit = await agentsKit();
  try {
    await kit.issue("Make it faster");
    assert.equal((await kit.run(["agents", "poll", "dev"])).code, 0);
    assert.match((await kit.run(["agents", "poll", "review"])).stdout, /APPROVED/);
    const work = join(kit.h.root, "state", "work", "app", "review-bot");
    const clone = join(work, "clone.git");
    // What killed runs leave: a registered review worktree, a locked (half-made) one,
    // a directory git no longer knows; and a worktree whose issue a live process holds.
    await git(clone, "worktree", "add", "--detach", join(work, "pr-1"), "refs/remotes/origin/main");
    await git(clone, "worktree", "add", "--detach", join(work, "pr-2"), "refs/remotes/origin/main");
    await git(clone, "worktree", "lock", "--reason", "initializing", join(work, "pr-2"));
    await mkdir(join(work, "issue-7"));
    await writeFile(join(work, "issue-7", "half.txt"), "half\n");
    await git(
      clone,
      "worktree",
      "add",
      "--detach",
      join(work, "issue-9"),
      "refs/remotes/origin/main",
    );
    await mkdir(join(work, "notes"));
    const lock = await acquirePidLock(join(kit.h.root, "state/agents/app-issue-9.pid"), {
      pid: process.pid,
    });
    assert.ok(lock.acquired);
    try {
      const run = await kit.run(["agents", "poll", "review"]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /review: removed left-over worktrees /);
      assert.deepEqual((await readdir(work)).sort(), ["clone.git", "issue-9", "notes"]);
      const listed = (await git(clone, "worktree", "list", "--porcelain"))
        .split("\n").filter((line) => line.startsWith("worktree ")).map((line) =>
          line.slice("worktree ".length).split("/").at(-1)
        );
      assert.deepEqual(listed, ["clone.git", "issue-9"]);
    } finally {
      if (lock.acquired) await lock.release();
    }
    // The lock released (its holder died): issue-9 is a left-over too, and then nothing is.
    const next = await kit.run(["agents", "poll", "review"]);
    assert.match(next.stdout, /review: removed left-over worktrees issue-9\n/);
    assert.deepEqual((await readdir(work)).sort(), ["clone.git", "notes"]);
    const quiet = await kit.run(["agents", "poll", "review"]);
    assert.doesNotMatch(quiet.stdout, /left-over/);
  } finally {
    await kit.dispose();
  }
});
