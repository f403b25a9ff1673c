/**
 * The agents' git side: one bare clone per project (fetched over HTTP at
 * every use) and a worktree per piece of work. The forge token reaches git
 * only through an `http.extraHeader` given in the environment of the fetch
 * and push commands (GIT_CONFIG_COUNT/KEY/VALUE): never in a remote URL, a
 * command line or a config file, and never in the agent's worktree config.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { RuntimeFailure } from "../../core/errors.ts";
import { redactUrl } from "../../core/redact.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export interface WorkspaceOptions {
  /** This project's directory under the work root. */
  dir: string;
  /** `<forge>/<owner>/<repo>.git`, with no credentials. */
  remoteUrl: string;
  login: string;
  token: string;
  /** The environment git runs with (PATH, HOME…). */
  env: Env;
}

const GIT_TIMEOUT_MS = 300_000;
/** The names `worktree()` is given: `issue-<n>` (dev) and `pr-<n>` (review). */
const WORKTREE_NAME = /^(issue|pr)-\d+$/;

export class GitWorkspace {
  readonly clone: string;

  constructor(readonly options: WorkspaceOptions) {
    this.clone = join(options.dir, "clone.git");
  }

  /** Run git; `auth` adds the token header for talking to the forge. */
  git(args: readonly string[], cwd: string, auth = false): Promise<string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.options.env)) {
      if (value !== undefined) env[key] = value;
    }
    Object.assign(env, { GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" });
    if (auth) {
      const basic = btoa(`${this.options.login}:${this.options.token}`);
      Object.assign(env, {
        GIT_CONFIG_COUNT: "2",
        GIT_CONFIG_KEY_0: "http.extraHeader",
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
        GIT_CONFIG_KEY_1: "credential.helper",
        GIT_CONFIG_VALUE_1: "",
      });
    }
    return new Promise((resolve, reject) => {
      execFile("git", [...args], { cwd, env, timeout: GIT_TIMEOUT_MS }, (error, stdout, stderr) => {
        if (!error) return resolve(String(stdout));
        const lines = String(stderr).trim().split("\n").filter((line) => !line.startsWith("hint:"));
        const why = lines.at(-1) || error.message.split("\n")[0] || "failed";
        reject(new RuntimeFailure(`git ${args[0]}: ${redactUrl(why)}`));
      });
    });
  }

  /** Create the bare clone if needed (committing as `login`), then fetch every branch. */
  async fetch(): Promise<void> {
    if (!(await exists(this.clone))) {
      await mkdir(this.options.dir, { recursive: true });
      await this.git(["init", "--quiet", "--bare", this.clone], this.options.dir);
      await this.git(["remote", "add", "origin", this.options.remoteUrl], this.clone);
      await this.git(
        ["config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*"],
        this.clone,
      );
      await this.git(["config", "user.name", this.options.login], this.clone);
      await this.git(["config", "user.email", `${this.options.login}@disinto.invalid`], this.clone);
    }
    await removeStaleLocks(this.clone, Date.now() - GIT_TIMEOUT_MS);
    await this.git(["fetch", "--quiet", "--prune", "origin"], this.clone, true);
  }

  async hasRemoteBranch(branch: string): Promise<boolean> {
    return await this.git(
      ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${branch}`],
      this.clone,
    ).then(() => true, () => false);
  }

  /**
   * A fresh worktree at `name`: on `branch` started from `start` (a remote
   * branch name), or detached at `start` when no branch is given.
   */
  async worktree(name: string, start: string, branch?: string): Promise<string> {
    const path = join(this.options.dir, name);
    await this.remove(path);
    const target = `refs/remotes/origin/${start}`;
    await this.git(
      branch
        ? ["worktree", "add", "--quiet", "--force", "--no-track", "-B", branch, path, target]
        : ["worktree", "add", "--quiet", "--force", "--detach", path, target],
      this.clone,
    );
    return path;
  }

  async remove(path: string): Promise<void> {
    // A run killed inside `worktree add` leaves the worktree locked ("initializing"):
    // one --force does not remove it and prune skips it, so it would block the path
    // and its branch for good. Unlock it first.
    await this.git(["worktree", "unlock", path], this.clone).catch(() => {});
    await this.git(["worktree", "remove", "--force", path], this.clone).catch(() => {});
    await rm(path, { recursive: true, force: true });
    await this.git(["worktree", "prune"], this.clone).catch(() => {});
  }

  /**
   * Remove the worktrees (`issue-<n>`, `pr-<n>`) that `inUse` does not claim:
   * a run killed mid-way (SIGKILL, OOM) never reached its `remove`. Their
   * directories and git's records of them both go; a later run would replace
   * one of the same name, but the others accumulate. Returns the names removed.
   */
  async prune(inUse: (name: string) => Promise<boolean>): Promise<string[]> {
    if (!(await exists(this.clone))) return [];
    const removed: string[] = [];
    const entries = await readdir(this.options.dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !WORKTREE_NAME.test(entry.name)) continue;
      if (await inUse(entry.name)) continue;
      await this.remove(join(this.options.dir, entry.name));
      removed.push(entry.name);
    }
    await this.git(["worktree", "prune"], this.clone).catch(() => {});
    return removed;
  }

  /** Commit whatever the agent left uncommitted; false when there was nothing. */
  async commitAll(path: string, message: string): Promise<boolean> {
    if ((await this.git(["status", "--porcelain"], path)).trim() === "") return false;
    await this.git(["add", "--all"], path);
    await this.git(["commit", "--quiet", "--no-verify", "-m", message], path);
    return true;
  }

  /** The commit HEAD of the worktree points at. */
  async head(path: string): Promise<string> {
    return (await this.git(["rev-parse", "HEAD"], path)).trim();
  }

  /** Commits on HEAD that `origin/<base>` lacks. */
  async commitsAhead(path: string, base: string): Promise<number> {
    const out = await this.git(["rev-list", "--count", `refs/remotes/origin/${base}..HEAD`], path);
    return Number(out.trim());
  }

  /** The commits (author name, subject) on `origin/<branch>` that `origin/<base>` lacks. */
  async commitsOn(branch: string, base: string): Promise<{ author: string; subject: string }[]> {
    const out = await this.git(
      ["log", "--format=%an%x00%s", `refs/remotes/origin/${base}..refs/remotes/origin/${branch}`],
      this.clone,
    );
    return out.split("\n").filter((line) => line !== "").map((line) => {
      const [author = "", subject = ""] = line.split("\0");
      return { author, subject };
    });
  }

  async push(path: string, branch: string): Promise<void> {
    await this.git(["push", "--quiet", "origin", `HEAD:refs/heads/${branch}`], path, true);
  }
}

/**
 * Delete the `*.lock` files a killed git left in the clone (a SIGKILLed fetch
 * leaves `refs/remotes/origin/<b>.lock` or `packed-refs.lock`, and every later
 * fetch fails "File exists"). Only locks older than `before`: a git command
 * still running is killed at GIT_TIMEOUT_MS, so an older lock has no owner.
 */
async function removeStaleLocks(dir: string, before: number): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "objects") await removeStaleLocks(path, before);
    } else if (entry.name.endsWith(".lock")) {
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < before) await rm(path, { force: true });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false);
}
