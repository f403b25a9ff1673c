/**
 * Reading real bare git repositories for the emulator: refs, branches, tags,
 * commits, and when each ref was first seen (the branch-indexing delay).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { GitRunner, type GitUser } from "./git_process.ts";

export type { GitUser };
export interface GitCommitInfo {
  sha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  /** ISO 8601 */
  timestamp: string;
}
export interface GitRef {
  name: string;
  commit: GitCommitInfo;
}
export interface GitTag extends GitRef {
  /** Set for annotated tags. */
  tagObjectSha?: string;
  message?: string;
}
export type MergeStyle = "merge" | "squash" | "rebase" | "rebase-merge" | "fast-forward-only";
export type MergeResult =
  | { merged: true; sha: string }
  | { merged: false; reason: "conflict" | "not-fast-forward" | "missing-ref" };

export class GitNotFound extends Error {}

const FIELD = "%00";
const COMMIT_FORMAT = ["%(refname)", "%(objectname)", "%(objecttype)", "%(*objectname)"].join(
  FIELD,
);

export interface RawRef {
  name: string;
  sha: string;
  type: string;
  peeled: string;
}

export class GitRefs {
  protected readonly runner: GitRunner;
  readonly #seen = new Map<string, number>();

  constructor(rootDir: string, options: { now?: () => number } = {}) {
    this.runner = new GitRunner(rootDir, options.now ?? Date.now);
  }

  get root(): string {
    return this.runner.root;
  }

  repoPath(owner: string, repo: string): string {
    return join(this.root, owner.toLowerCase(), `${repo.toLowerCase()}.git`);
  }

  async exists(owner: string, repo: string): Promise<boolean> {
    return await stat(join(this.repoPath(owner, repo), "HEAD")).then(() => true, () => false);
  }

  async defaultBranch(owner: string, repo: string): Promise<string> {
    const out = await this.runner.run(this.repoPath(owner, repo), ["symbolic-ref", "HEAD"]);
    return out.stdout.trim().replace(/^refs\/heads\//, "") || "main";
  }

  async branches(owner: string, repo: string): Promise<GitRef[]> {
    const refs = await this.listRefs(this.repoPath(owner, repo), "refs/heads/");
    return await Promise.all(
      refs.map(async (r) => ({
        name: r.name.slice("refs/heads/".length),
        commit: await this.commit(owner, repo, r.sha),
      })),
    );
  }

  async branch(owner: string, repo: string, branch: string): Promise<GitRef | null> {
    const sha = await this.resolve(owner, repo, `refs/heads/${branch}`);
    return sha ? { name: branch, commit: await this.commit(owner, repo, sha) } : null;
  }

  async tags(owner: string, repo: string): Promise<GitTag[]> {
    const refs = await this.listRefs(this.repoPath(owner, repo), "refs/tags/");
    return await Promise.all(refs.map((r) => this.#tagOf(owner, repo, r)));
  }

  async tag(owner: string, repo: string, name: string): Promise<GitTag | null> {
    const refs = await this.listRefs(this.repoPath(owner, repo), `refs/tags/${name}`);
    const ref = refs.find((r) => r.name === `refs/tags/${name}`);
    return ref ? await this.#tagOf(owner, repo, ref) : null;
  }

  /** The commit sha a branch, tag or sha names, or null. */
  async resolve(owner: string, repo: string, ref: string): Promise<string | null> {
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "rev-parse",
      "--verify",
      "--quiet",
      `${ref}^{commit}`,
    ]);
    if (result.code === 0) return result.stdout.trim();
    if (!ref.startsWith("refs/")) {
      for (const prefix of ["refs/heads/", "refs/tags/"]) {
        const again = await this.resolve(owner, repo, prefix + ref);
        if (again) return again;
      }
    }
    return null;
  }

  /**
   * The object a revision names, unpeeled (an annotated tag's own object), or
   * null: what `git cat-file --batch-check` answers to Forgejo's ConvertToGitID.
   */
  async objectId(owner: string, repo: string, rev: string): Promise<string | null> {
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "rev-parse",
      "--verify",
      "--quiet",
      rev,
    ]);
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /** The first ref (by name) whose full name starts with `prefix`, as a plain string prefix. */
  async firstRefWithPrefix(
    owner: string,
    repo: string,
    prefix: string,
  ): Promise<{ name: string; sha: string } | null> {
    const refs = await this.listRefs(this.repoPath(owner, repo), "refs/");
    const ref = refs.find((r) => r.name.startsWith(prefix));
    return ref ? { name: ref.name, sha: ref.sha } : null;
  }

  async commit(owner: string, repo: string, sha: string): Promise<GitCommitInfo> {
    const out = await this.runner.git(this.repoPath(owner, repo), [
      "show",
      "-s",
      "--format=%H%x00%an%x00%ae%x00%aI%x00%B",
      sha,
    ]);
    const [full, authorName, authorEmail, timestamp, ...message] = out.split("\0");
    return {
      sha: full!,
      authorName: authorName!,
      authorEmail: authorEmail!,
      timestamp: timestamp!,
      message: message.join("\0").replace(/\n+$/, "\n"),
    };
  }

  async fileExists(owner: string, repo: string, sha: string, path: string): Promise<boolean> {
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "cat-file",
      "-e",
      `${sha}:${path}`,
    ]);
    return result.code === 0;
  }

  async isAncestor(
    owner: string,
    repo: string,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "merge-base",
      "--is-ancestor",
      ancestor,
      descendant,
    ]);
    return result.code === 0;
  }

  /** When a ref was first seen (ms since epoch), for the branch-indexing delay. */
  firstSeen(owner: string, repo: string, ref: string): number | undefined {
    return this.#seen.get(seenKey(owner, repo, ref));
  }

  /** Refs that existed before this process started count as seen long ago. */
  async seedSeen(owner: string, repo: string): Promise<void> {
    for (const ref of await this.listRefs(this.repoPath(owner, repo), "refs/")) {
      const key = seenKey(owner, repo, ref.name);
      if (!this.#seen.has(key)) this.#seen.set(key, 0);
    }
  }

  /** Note that a ref changed now. */
  protected markSeen(owner: string, repo: string, ref: string): void {
    this.#seen.set(seenKey(owner, repo, ref), this.runner.now());
  }

  protected async listRefs(dir: string, prefix: string): Promise<RawRef[]> {
    const out = await this.runner.run(dir, ["for-each-ref", `--format=${COMMIT_FORMAT}`, prefix]);
    if (out.code !== 0) return [];
    return out.stdout.split("\n").filter(Boolean).map((line) => {
      const [name, sha, type, peeled] = line.split("\0") as [string, string, string, string];
      return { name, sha, type, peeled: peeled || sha };
    });
  }

  async #tagOf(owner: string, repo: string, ref: RawRef): Promise<GitTag> {
    const name = ref.name.slice("refs/tags/".length);
    if (ref.type !== "tag") return { name, commit: await this.commit(owner, repo, ref.sha) };
    const body = await this.runner.git(this.repoPath(owner, repo), ["cat-file", "-p", ref.sha]);
    const message = body.slice(body.indexOf("\n\n") + 2);
    return {
      name,
      commit: await this.commit(owner, repo, ref.peeled),
      tagObjectSha: ref.sha,
      message,
    };
  }
}

function seenKey(owner: string, repo: string, ref: string): string {
  return `${owner}/${repo}`.toLowerCase() + `\0${ref}`;
}
