/**
 * Real bare git repositories for the emulator: created, mirrored, written
 * without a work tree (auto-init, file creation, merges) and served over smart
 * HTTP; reading is in git_refs.ts, running git in git_process.ts.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { type HttpAccess, httpBackend } from "./git_http_backend.ts";
import { isLocalSource } from "./git_process.ts";
import {
  type GitCommitInfo,
  GitNotFound,
  type GitRef,
  GitRefs,
  type GitTag,
  type GitUser,
  type MergeResult,
  type MergeStyle,
} from "./git_refs.ts";

export type { GitCommitInfo, GitRef, GitTag, GitUser, MergeResult, MergeStyle };
export { GitNotFound };

export class GitStore extends GitRefs {
  create(
    owner: string,
    repo: string,
    options: { autoInit: boolean; defaultBranch: string; author: GitUser },
  ): Promise<void> {
    return this.runner.serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      await mkdir(dir, { recursive: true });
      await this.runner.git(dir, [
        "init",
        "--bare",
        "--quiet",
        `--initial-branch=${options.defaultBranch}`,
      ]);
      await this.runner.git(dir, ["config", "http.receivepack", "true"]);
      if (!options.autoInit) return;
      const blob = await this.runner.git(dir, ["hash-object", "-w", "--stdin"], `# ${repo}\n`);
      const tree = await this.runner.git(dir, ["mktree"], `100644 blob ${blob}\tREADME.md\n`);
      const commit = await this.runner.commitTree(dir, tree, [], "Initial commit", options.author);
      await this.runner.git(dir, ["update-ref", `refs/heads/${options.defaultBranch}`, commit]);
      this.markSeen(owner, repo, `refs/heads/${options.defaultBranch}`);
    });
  }

  async remove(owner: string, repo: string): Promise<void> {
    await rm(this.repoPath(owner, repo), { recursive: true, force: true });
  }

  /** `git clone --mirror` from a local path, file:// or a loopback http(s) URL. */
  mirrorFrom(owner: string, repo: string, source: string): Promise<void> {
    if (!isLocalSource(source)) {
      return Promise.reject(
        new Error(`cannot mirror from ${source}: only local paths and loopback URLs`),
      );
    }
    return this.runner.serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      await mkdir(dir, { recursive: true });
      await this.runner.git(dir, ["init", "--bare", "--quiet"]);
      await this.runner.git(dir, ["config", "http.receivepack", "true"]);
      await this.runner.git(dir, [
        "fetch",
        "--quiet",
        source,
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
      ]);
      const head = await this.runner.run(dir, ["ls-remote", "--symref", source, "HEAD"]);
      const symref = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(head.stdout);
      if (symref) await this.runner.git(dir, ["symbolic-ref", "HEAD", `refs/heads/${symref[1]}`]);
      for (const ref of await this.listRefs(dir, "refs/")) this.markSeen(owner, repo, ref.name);
    });
  }

  createBranch(owner: string, repo: string, name: string, from: string): Promise<GitRef> {
    return this.runner.serial(owner, repo, async () => {
      const sha = await this.resolve(owner, repo, from);
      if (!sha) throw new GitNotFound(`ref ${from} does not exist`);
      await this.runner.git(this.repoPath(owner, repo), ["update-ref", `refs/heads/${name}`, sha]);
      this.markSeen(owner, repo, `refs/heads/${name}`);
      return { name, commit: await this.commit(owner, repo, sha) };
    });
  }

  async deleteBranch(owner: string, repo: string, name: string): Promise<void> {
    await this.runner.run(this.repoPath(owner, repo), ["update-ref", "-d", `refs/heads/${name}`]);
  }

  createTag(
    owner: string,
    repo: string,
    name: string,
    target: string,
    message: string | undefined,
    tagger: GitUser,
  ): Promise<GitTag> {
    return this.runner.serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      const sha = await this.resolve(owner, repo, target);
      if (!sha) throw new GitNotFound(`ref ${target} does not exist`);
      if (message) {
        await this.runner.git(
          dir,
          ["tag", "-a", name, sha, "-m", message],
          undefined,
          this.runner.identity(tagger),
        );
      } else {
        await this.runner.git(dir, ["update-ref", `refs/tags/${name}`, sha]);
      }
      this.markSeen(owner, repo, `refs/tags/${name}`);
      return (await this.tag(owner, repo, name))!;
    });
  }

  async deleteTag(owner: string, repo: string, name: string): Promise<boolean> {
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "update-ref",
      "-d",
      `refs/tags/${name}`,
    ]);
    return result.code === 0;
  }

  /** Push every branch and tag to a remote (push mirrors); loopback and local only. */
  async pushMirror(owner: string, repo: string, remote: string): Promise<void> {
    if (!isLocalSource(remote)) throw new Error("the emulator reaches no network beyond loopback");
    const result = await this.runner.run(this.repoPath(owner, repo), [
      "push",
      "--quiet",
      "--mirror",
      remote,
    ]);
    if (result.code !== 0) {
      throw new Error(result.stderr.trim().replace(/\/\/[^@/]*@/g, "//") || "push failed");
    }
  }

  /** Create or replace one file on a branch (optionally starting a new branch from it). */
  writeFile(
    owner: string,
    repo: string,
    options: {
      branch: string;
      newBranch?: string;
      path: string;
      content: Uint8Array;
      message: string;
      author: GitUser;
    },
  ): Promise<{ commit: GitCommitInfo; blobSha: string }> {
    return this.runner.serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      const parent = await this.resolve(owner, repo, `refs/heads/${options.branch}`);
      const index = join(this.root, `.index-${crypto.randomUUID()}`);
      const env = { GIT_INDEX_FILE: index };
      try {
        if (parent) await this.runner.git(dir, ["read-tree", parent], undefined, env);
        const blob = await this.runner.git(dir, ["hash-object", "-w", "--stdin"], options.content);
        await this.runner.git(
          dir,
          ["update-index", "--add", "--cacheinfo", `100644,${blob},${options.path}`],
          undefined,
          env,
        );
        const tree = await this.runner.git(dir, ["write-tree"], undefined, env);
        const sha = await this.runner.commitTree(
          dir,
          tree,
          parent ? [parent] : [],
          options.message,
          options.author,
        );
        const target = options.newBranch ?? options.branch;
        await this.runner.git(dir, ["update-ref", `refs/heads/${target}`, sha]);
        this.markSeen(owner, repo, `refs/heads/${target}`);
        return { commit: await this.commit(owner, repo, sha), blobSha: blob };
      } finally {
        await rm(index, { force: true });
      }
    });
  }

  /** Merge head into base without a work tree (git merge-tree --write-tree). */
  merge(
    owner: string,
    repo: string,
    base: string,
    head: string,
    options: { style: MergeStyle; message: string; author: GitUser },
  ): Promise<MergeResult> {
    return this.runner.serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      const baseSha = await this.resolve(owner, repo, `refs/heads/${base}`);
      const headSha = await this.resolve(owner, repo, head);
      if (!baseSha || !headSha) return { merged: false, reason: "missing-ref" } as const;
      const fastForward = await this.isAncestor(owner, repo, baseSha, headSha);
      let sha: string;
      if (options.style === "fast-forward-only") {
        if (!fastForward) return { merged: false, reason: "not-fast-forward" } as const;
        sha = headSha;
      } else {
        const tree = await this.runner.run(dir, ["merge-tree", "--write-tree", baseSha, headSha]);
        if (tree.code !== 0) return { merged: false, reason: "conflict" } as const;
        const treeSha = tree.stdout.split("\n")[0]!.trim();
        // Rebase styles are written as one commit on top of base (a squash);
        // the resulting tree is the same as a real rebase's when it applies.
        const parents = options.style === "merge" ? [baseSha, headSha] : [baseSha];
        sha = await this.runner.commitTree(dir, treeSha, parents, options.message, options.author);
      }
      await this.runner.git(dir, ["update-ref", `refs/heads/${base}`, sha, baseSha]);
      return { merged: true, sha } as const;
    });
  }

  /**
   * Smart HTTP (git_http_backend.ts). The caller has authenticated and
   * decided the access; refs a push changed count as seen now.
   */
  async handleHttp(
    request: Request,
    owner: string,
    repo: string,
    pathInRepo: string,
    access: HttpAccess,
  ): Promise<Response> {
    const receiving = pathInRepo === "git-receive-pack";
    const before = receiving ? await this.listRefs(this.repoPath(owner, repo), "refs/") : [];
    const response = await httpBackend(this.runner, request, owner, repo, pathInRepo, access);
    if (receiving) {
      const old = new Map(before.map((r) => [r.name, r.sha]));
      for (const ref of await this.listRefs(this.repoPath(owner, repo), "refs/")) {
        if (old.get(ref.name) !== ref.sha) this.markSeen(owner, repo, ref.name);
      }
    }
    return response;
  }
}
