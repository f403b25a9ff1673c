/**
 * Real bare git repositories for the emulator: refs, commits made without a
 * work tree (auto-init, file creation, merges), and smart HTTP through git's
 * own `git http-backend`. Every git call runs with the user's and the system's
 * git configuration shut out, so the machine's settings never leak in.
 */
import { spawn } from "node:child_process";
import { chmod, mkdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PRE_RECEIVE_HOOK } from "./git_push_hook.ts";

export interface GitUser {
  name: string;
  email: string;
}
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

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const FIELD = "%00";
const COMMIT_FORMAT = ["%(refname)", "%(objectname)", "%(objecttype)", "%(*objectname)"].join(
  FIELD,
);

export class GitStore {
  readonly #root: string;
  readonly #now: () => number;
  readonly #seen = new Map<string, number>();
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #env: Record<string, string>;
  #hooks: Promise<string> | undefined;

  constructor(rootDir: string, options: { now?: () => number } = {}) {
    this.#root = rootDir;
    this.#now = options.now ?? Date.now;
    this.#env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      HOME: rootDir,
      LANG: "C",
      GIT_TERMINAL_PROMPT: "0",
    };
  }

  get root(): string {
    return this.#root;
  }

  repoPath(owner: string, repo: string): string {
    return join(this.#root, owner.toLowerCase(), `${repo.toLowerCase()}.git`);
  }

  async exists(owner: string, repo: string): Promise<boolean> {
    return await stat(join(this.repoPath(owner, repo), "HEAD")).then(() => true, () => false);
  }

  create(
    owner: string,
    repo: string,
    options: { autoInit: boolean; defaultBranch: string; author: GitUser },
  ): Promise<void> {
    return this.#serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      await mkdir(dir, { recursive: true });
      await this.#git(dir, [
        "init",
        "--bare",
        "--quiet",
        `--initial-branch=${options.defaultBranch}`,
      ]);
      await this.#git(dir, ["config", "http.receivepack", "true"]);
      if (!options.autoInit) return;
      const blob = await this.#git(dir, ["hash-object", "-w", "--stdin"], `# ${repo}\n`);
      const tree = await this.#git(dir, ["mktree"], `100644 blob ${blob}\tREADME.md\n`);
      const commit = await this.#commitTree(dir, tree, [], "Initial commit", options.author);
      await this.#git(dir, ["update-ref", `refs/heads/${options.defaultBranch}`, commit]);
      this.#markSeen(owner, repo, `refs/heads/${options.defaultBranch}`);
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
    return this.#serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      await mkdir(dir, { recursive: true });
      await this.#git(dir, ["init", "--bare", "--quiet"]);
      await this.#git(dir, ["config", "http.receivepack", "true"]);
      await this.#git(dir, [
        "fetch",
        "--quiet",
        source,
        "+refs/heads/*:refs/heads/*",
        "+refs/tags/*:refs/tags/*",
      ]);
      const head = await this.#run(dir, ["ls-remote", "--symref", source, "HEAD"]);
      const symref = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(head.stdout);
      if (symref) await this.#git(dir, ["symbolic-ref", "HEAD", `refs/heads/${symref[1]}`]);
      for (const ref of await this.#refs(dir, "refs/")) this.#markSeen(owner, repo, ref.name);
    });
  }

  async defaultBranch(owner: string, repo: string): Promise<string> {
    const out = await this.#run(this.repoPath(owner, repo), ["symbolic-ref", "HEAD"]);
    return out.stdout.trim().replace(/^refs\/heads\//, "") || "main";
  }

  async branches(owner: string, repo: string): Promise<GitRef[]> {
    const refs = await this.#refs(this.repoPath(owner, repo), "refs/heads/");
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

  createBranch(owner: string, repo: string, name: string, from: string): Promise<GitRef> {
    return this.#serial(owner, repo, async () => {
      const sha = await this.resolve(owner, repo, from);
      if (!sha) throw new GitNotFound(`ref ${from} does not exist`);
      await this.#git(this.repoPath(owner, repo), ["update-ref", `refs/heads/${name}`, sha]);
      this.#markSeen(owner, repo, `refs/heads/${name}`);
      return { name, commit: await this.commit(owner, repo, sha) };
    });
  }

  async deleteBranch(owner: string, repo: string, name: string): Promise<void> {
    await this.#run(this.repoPath(owner, repo), ["update-ref", "-d", `refs/heads/${name}`]);
  }

  async tags(owner: string, repo: string): Promise<GitTag[]> {
    const refs = await this.#refs(this.repoPath(owner, repo), "refs/tags/");
    return await Promise.all(refs.map((r) => this.#tagOf(owner, repo, r)));
  }

  async tag(owner: string, repo: string, name: string): Promise<GitTag | null> {
    const refs = await this.#refs(this.repoPath(owner, repo), `refs/tags/${name}`);
    const ref = refs.find((r) => r.name === `refs/tags/${name}`);
    return ref ? await this.#tagOf(owner, repo, ref) : null;
  }

  createTag(
    owner: string,
    repo: string,
    name: string,
    target: string,
    message: string | undefined,
    tagger: GitUser,
  ): Promise<GitTag> {
    return this.#serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      const sha = await this.resolve(owner, repo, target);
      if (!sha) throw new GitNotFound(`ref ${target} does not exist`);
      if (message) {
        await this.#git(
          dir,
          ["tag", "-a", name, sha, "-m", message],
          undefined,
          this.#identity(tagger),
        );
      } else {
        await this.#git(dir, ["update-ref", `refs/tags/${name}`, sha]);
      }
      this.#markSeen(owner, repo, `refs/tags/${name}`);
      return (await this.tag(owner, repo, name))!;
    });
  }

  async deleteTag(owner: string, repo: string, name: string): Promise<boolean> {
    const result = await this.#run(this.repoPath(owner, repo), [
      "update-ref",
      "-d",
      `refs/tags/${name}`,
    ]);
    return result.code === 0;
  }

  /** The commit sha a branch, tag or sha names, or null. */
  async resolve(owner: string, repo: string, ref: string): Promise<string | null> {
    const result = await this.#run(this.repoPath(owner, repo), [
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
    const result = await this.#run(this.repoPath(owner, repo), [
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
    const refs = await this.#refs(this.repoPath(owner, repo), "refs/");
    const ref = refs.find((r) => r.name.startsWith(prefix));
    return ref ? { name: ref.name, sha: ref.sha } : null;
  }

  async commit(owner: string, repo: string, sha: string): Promise<GitCommitInfo> {
    const out = await this.#git(this.repoPath(owner, repo), [
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
    const result = await this.#run(this.repoPath(owner, repo), [
      "cat-file",
      "-e",
      `${sha}:${path}`,
    ]);
    return result.code === 0;
  }

  /** Push every branch and tag to a remote (push mirrors); loopback and local only. */
  async pushMirror(owner: string, repo: string, remote: string): Promise<void> {
    if (!isLocalSource(remote)) throw new Error("the emulator reaches no network beyond loopback");
    const result = await this.#run(this.repoPath(owner, repo), [
      "push",
      "--quiet",
      "--mirror",
      remote,
    ]);
    if (result.code !== 0) {
      throw new Error(result.stderr.trim().replace(/\/\/[^@/]*@/g, "//") || "push failed");
    }
  }

  async isAncestor(
    owner: string,
    repo: string,
    ancestor: string,
    descendant: string,
  ): Promise<boolean> {
    const result = await this.#run(this.repoPath(owner, repo), [
      "merge-base",
      "--is-ancestor",
      ancestor,
      descendant,
    ]);
    return result.code === 0;
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
    return this.#serial(owner, repo, async () => {
      const dir = this.repoPath(owner, repo);
      const parent = await this.resolve(owner, repo, `refs/heads/${options.branch}`);
      const index = join(this.#root, `.index-${crypto.randomUUID()}`);
      const env = { GIT_INDEX_FILE: index };
      try {
        if (parent) await this.#git(dir, ["read-tree", parent], undefined, env);
        const blob = await this.#git(dir, ["hash-object", "-w", "--stdin"], options.content);
        await this.#git(
          dir,
          ["update-index", "--add", "--cacheinfo", `100644,${blob},${options.path}`],
          undefined,
          env,
        );
        const tree = await this.#git(dir, ["write-tree"], undefined, env);
        const sha = await this.#commitTree(
          dir,
          tree,
          parent ? [parent] : [],
          options.message,
          options.author,
        );
        const target = options.newBranch ?? options.branch;
        await this.#git(dir, ["update-ref", `refs/heads/${target}`, sha]);
        this.#markSeen(owner, repo, `refs/heads/${target}`);
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
    return this.#serial(owner, repo, async () => {
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
        const tree = await this.#run(dir, ["merge-tree", "--write-tree", baseSha, headSha]);
        if (tree.code !== 0) return { merged: false, reason: "conflict" } as const;
        const treeSha = tree.stdout.split("\n")[0]!.trim();
        // Rebase styles are written as one commit on top of base (a squash);
        // the resulting tree is the same as a real rebase's when it applies.
        const parents = options.style === "merge" ? [baseSha, headSha] : [baseSha];
        sha = await this.#commitTree(dir, treeSha, parents, options.message, options.author);
      }
      await this.#git(dir, ["update-ref", `refs/heads/${base}`, sha, baseSha]);
      return { merged: true, sha } as const;
    });
  }

  /** When a ref was first seen (ms since epoch), for the branch-indexing delay. */
  firstSeen(owner: string, repo: string, ref: string): number | undefined {
    return this.#seen.get(seenKey(owner, repo, ref));
  }

  /** Refs that existed before this process started count as seen long ago. */
  async seedSeen(owner: string, repo: string): Promise<void> {
    for (const ref of await this.#refs(this.repoPath(owner, repo), "refs/")) {
      const key = seenKey(owner, repo, ref.name);
      if (!this.#seen.has(key)) this.#seen.set(key, 0);
    }
  }

  /**
   * Smart HTTP through `git http-backend` (CGI). The caller has authenticated
   * and decided the access; a push runs the emulator's pre-receive hook with
   * `pushHookEnv` (git_push_hook.ts), which refuses what Forgejo's hook refuses.
   */
  async handleHttp(
    request: Request,
    owner: string,
    repo: string,
    pathInRepo: string,
    access: { user: string | null; pushHookEnv?: Record<string, string> },
  ): Promise<Response> {
    const url = new URL(request.url);
    const service = url.searchParams.get("service") ?? "";
    const pushing = pathInRepo === "git-receive-pack" || service === "git-receive-pack";
    if (pushing && !access.pushHookEnv) return new Response("Forbidden\n", { status: 403 });
    const before = pushing ? await this.#refs(this.repoPath(owner, repo), "refs/") : [];
    const env: Record<string, string> = {
      ...this.#env,
      GIT_PROJECT_ROOT: this.#root,
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: `/${owner.toLowerCase()}/${repo.toLowerCase()}.git/${pathInRepo}`,
      REQUEST_METHOD: request.method,
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: request.headers.get("content-type") ?? "",
      REMOTE_ADDR: "127.0.0.1",
      GIT_COMMITTER_NAME: access.user ?? "anonymous",
      GIT_COMMITTER_EMAIL: `${access.user ?? "anonymous"}@noreply.localhost`,
    };
    if (access.user) env.REMOTE_USER = access.user;
    if (pushing) {
      Object.assign(env, access.pushHookEnv, {
        GIT_CONFIG_COUNT: "1",
        GIT_CONFIG_KEY_0: "core.hooksPath",
        GIT_CONFIG_VALUE_0: await this.#hooksDir(),
      });
    }
    const encoding = request.headers.get("content-encoding");
    if (encoding) env.HTTP_CONTENT_ENCODING = encoding;
    const protocol = request.headers.get("git-protocol");
    if (protocol) env.GIT_PROTOCOL = protocol;
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : new Uint8Array();
    env.CONTENT_LENGTH = String(body.length);
    const result = await runProcess("git", ["http-backend"], env, this.#root, body);
    if (pushing && pathInRepo === "git-receive-pack") {
      const old = new Map(before.map((r) => [r.name, r.sha]));
      for (const ref of await this.#refs(this.repoPath(owner, repo), "refs/")) {
        if (old.get(ref.name) !== ref.sha) this.#markSeen(owner, repo, ref.name);
      }
    }
    return cgiResponse(result.stdout);
  }

  /** The directory holding the pre-receive hook, written once per process. */
  #hooksDir(): Promise<string> {
    this.#hooks ??= (async () => {
      const dir = join(this.#root, ".hooks");
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, "pre-receive"), PRE_RECEIVE_HOOK, { mode: 0o755 });
      await chmod(join(dir, "pre-receive"), 0o755);
      return dir;
    })();
    return this.#hooks;
  }

  async #tagOf(owner: string, repo: string, ref: RawRef): Promise<GitTag> {
    const name = ref.name.slice("refs/tags/".length);
    if (ref.type !== "tag") return { name, commit: await this.commit(owner, repo, ref.sha) };
    const body = await this.#git(this.repoPath(owner, repo), ["cat-file", "-p", ref.sha]);
    const message = body.slice(body.indexOf("\n\n") + 2);
    return {
      name,
      commit: await this.commit(owner, repo, ref.peeled),
      tagObjectSha: ref.sha,
      message,
    };
  }

  #markSeen(owner: string, repo: string, ref: string): void {
    this.#seen.set(seenKey(owner, repo, ref), this.#now());
  }

  #identity(user: GitUser): Record<string, string> {
    const date = `${Math.floor(this.#now() / 1000)} +0000`;
    return {
      GIT_AUTHOR_NAME: user.name,
      GIT_AUTHOR_EMAIL: user.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: user.name,
      GIT_COMMITTER_EMAIL: user.email,
      GIT_COMMITTER_DATE: date,
    };
  }

  async #commitTree(
    dir: string,
    tree: string,
    parents: string[],
    message: string,
    author: GitUser,
  ): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
    return await this.#git(dir, args, message, this.#identity(author));
  }

  async #refs(dir: string, prefix: string): Promise<RawRef[]> {
    const out = await this.#run(dir, ["for-each-ref", `--format=${COMMIT_FORMAT}`, prefix]);
    if (out.code !== 0) return [];
    return out.stdout.split("\n").filter(Boolean).map((line) => {
      const [name, sha, type, peeled] = line.split("\0") as [string, string, string, string];
      return { name, sha, type, peeled: peeled || sha };
    });
  }

  /** One write at a time per repository; git's ref locks guard other processes. */
  #serial<T>(owner: string, repo: string, work: () => Promise<T>): Promise<T> {
    const key = `${owner}/${repo}`.toLowerCase();
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#queues.set(key, next.catch(() => {}));
    return next;
  }

  async #git(
    dir: string,
    args: string[],
    input?: string | Uint8Array,
    env: Record<string, string> = {},
  ) {
    const result = await this.#run(dir, args, input, env);
    if (result.code !== 0) {
      throw new Error(`git ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    }
    return result.stdout.trim();
  }

  async #run(
    dir: string,
    args: string[],
    input?: string | Uint8Array,
    env: Record<string, string> = {},
  ): Promise<GitResult> {
    const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
    const result = await runProcess(
      "git",
      args,
      { ...this.#env, GIT_DIR: dir, ...env },
      this.#root,
      data,
    );
    return {
      code: result.code,
      stdout: new TextDecoder().decode(result.stdout),
      stderr: result.stderr,
    };
  }
}

interface RawRef {
  name: string;
  sha: string;
  type: string;
  peeled: string;
}

function seenKey(owner: string, repo: string, ref: string): string {
  return `${owner}/${repo}`.toLowerCase() + `\0${ref}`;
}

function isLocalSource(source: string): boolean {
  if (source.startsWith("/") || source.startsWith("file://")) return true;
  try {
    const url = new URL(source);
    return (url.protocol === "http:" || url.protocol === "https:") &&
      ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

function runProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  input?: Uint8Array,
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    child.stdout.on("data", (chunk: Uint8Array) => out.push(chunk));
    child.stderr.on("data", (chunk: Uint8Array) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      resolve({
        code: code ?? 1,
        stdout: concat(out),
        stderr: new TextDecoder().decode(concat(err)),
      });
    });
    child.stdin.on("error", () => {}); // the child may exit before reading everything
    child.stdin.end(input ?? new Uint8Array());
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.length;
  }
  return all;
}

/** Split a CGI answer into status, headers and body. */
function cgiResponse(output: Uint8Array): Response {
  let end = -1;
  let skip = 0;
  for (let i = 0; i < output.length - 1; i++) {
    if (output[i] === 10 && output[i + 1] === 10) {
      end = i;
      skip = 2;
      break;
    }
    if (output[i] === 13 && output[i + 1] === 10 && output[i + 2] === 13 && output[i + 3] === 10) {
      end = i;
      skip = 4;
      break;
    }
  }
  if (end < 0) return new Response("git http-backend gave no answer\n", { status: 500 });
  const head = new TextDecoder().decode(output.subarray(0, end));
  const headers = new Headers();
  let status = 200;
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 200;
    else headers.append(name, value);
  }
  const body = output.slice(end + skip);
  return new Response(status === 204 || status === 304 ? null : body, { status, headers });
}
