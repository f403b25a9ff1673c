/**
 * The git workspace after a crash: what a SIGKILLed poller leaves in the
 * clone (a worktree locked by an interrupted `worktree add`, a ref lock of an
 * interrupted fetch) must not stop the next run. Real git, a local "forge".
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitWorkspace } from "./git_workspace.ts";

const env = {
  PATH: "/usr/bin:/bin",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};

function git(cwd: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      "git",
      args,
      { cwd, env: { ...env, HOME: cwd } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`git ${args[0]}: ${stderr}`)) : resolve(String(stdout).trim()),
    )
  );
}

/** A bare "forge" repo with `main`, a workspace cloning it, and a way to add commits. */
async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "ws-"));
  const remote = join(dir, "remote.git");
  await git(dir, "init", "--quiet", "--bare", remote);
  const seed = join(dir, "seed");
  await git(dir, "init", "--quiet", seed);
  const commit = async (name: string) => {
    await writeFile(join(seed, name), `${name}\n`);
    await git(seed, "add", name);
    await git(seed, "commit", "--quiet", "-m", name);
    await git(seed, "push", "--quiet", remote, "HEAD:refs/heads/main");
  };
  await commit("a");
  const ws = new GitWorkspace({
    dir: join(dir, "work"),
    remoteUrl: remote,
    login: "dev-bot",
    token: "t0ken",
    env: { ...env, HOME: dir },
  });
  return { dir, ws, commit, dispose: () => rm(dir, { recursive: true, force: true }) };
}

Deno.test("a worktree left locked by a killed `worktree add` is replaced by the next run", async () => {
  const s = await setup();
  try {
    await s.ws.fetch();
    const path = await s.ws.worktree("issue-1", "main", "fix/issue-1");
    // What `git worktree add` holds while it populates the directory; SIGKILL leaves it.
    await git(s.ws.clone, "worktree", "lock", "--reason", "initializing", path);
    await rm(path, { recursive: true, force: true });

    const again = await s.ws.worktree("issue-1", "main", "fix/issue-1");
    assert.equal(again, path);
    assert.equal(await git(again, "rev-parse", "--abbrev-ref", "HEAD"), "fix/issue-1");
    await s.ws.remove(again);
    assert.doesNotMatch(await git(s.ws.clone, "worktree", "list"), /issue-1/);
  } finally {
    await s.dispose();
  }
});

Deno.test("a ref lock left by a killed fetch is cleared once it is older than any live git", async () => {
  const s = await setup();
  try {
    await s.ws.fetch();
    await s.commit("b");
    const lock = join(s.ws.clone, "refs", "remotes", "origin", "main.lock");
    await writeFile(lock, "");
    // A fresh lock may belong to a git still running: left alone, so this fetch fails.
    await assert.rejects(s.ws.fetch(), /git fetch/);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(lock, hourAgo, hourAgo);
    await s.ws.fetch();
    const tip = await git(s.ws.clone, "rev-parse", "refs/remotes/origin/main");
    assert.equal(tip, await git(join(s.dir, "seed"), "rev-parse", "HEAD"));
  } finally {
    await s.dispose();
  }
});
