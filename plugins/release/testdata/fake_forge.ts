/**
 * A small Forgejo stand-in for release tests, served on 127.0.0.1: the API
 * routes a release uses (branch, tag lookup, tag creation) backed by real
 * bare git repositories, and git's dumb HTTP protocol (static files of the
 * bare repository, behind basic auth with the token as password) so the SSH
 * path can fetch the tag exactly as from a forge. Every request is logged
 * (method, path, status), never credentials.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { type RunningServer, serve } from "../../../core/runtime/serve.ts";

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
}

/** An environment for git in tests: no system or user config, a fixed identity. */
export function gitEnv(home: string): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
  };
}

export function git(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(" ")}: ${String(stderr).trim()}`));
      else resolve(String(stdout).trim());
    });
  });
}

export interface FakeForge {
  url: string;
  token: string;
  dir: string;
  env: Record<string, string>;
  log: LoggedRequest[];
  /** The bare repository of owner/repo. */
  repoDir(repo: string): string;
  /** Create owner/repo with commits on `main`; returns the head SHA. */
  createRepo(repo: string, commits?: number): Promise<string>;
  /** Make `repo` hold the same history as `from` (a mirror in sync). */
  copyRepo(from: FakeForge, repo: string): Promise<void>;
  /** Add a commit on main; returns the new head SHA. */
  commit(repo: string, message: string): Promise<string>;
  tagCommit(repo: string, tag: string): Promise<string | null>;
  dispose(): Promise<void>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export async function startFakeForge(token = "forge-token-0123456789"): Promise<FakeForge> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-forge-"));
  const env = gitEnv(dir);
  const log: LoggedRequest[] = [];
  const repoDir = (repo: string) => join(dir, "repos", `${repo.toLowerCase()}.git`);
  const rev = (repo: string, ref: string) =>
    git(["-C", repoDir(repo), "rev-parse", "--verify", "--quiet", ref], env).catch(() => null);
  const exposed = (repo: string) => git(["-C", repoDir(repo), "update-server-info"], env);

  const api = async (request: Request, path: string): Promise<Response> => {
    if (request.headers.get("authorization") !== `token ${token}`) {
      return json(401, { message: "token is required" });
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/(branches|tags)(?:\/(.+))?$/.exec(path);
    if (!match) return json(404, { message: "not found" });
    const repo = `${match[1]}/${match[2]}`;
    const name = match[4] === undefined ? undefined : decodeURIComponent(match[4]);
    if (await rev(repo, "HEAD") === null) return json(404, { message: "repo not found" });
    if (match[3] === "branches" && request.method === "GET" && name) {
      const sha = await rev(repo, `refs/heads/${name}`);
      return sha ? json(200, { name, commit: { id: sha } }) : json(404, { message: "no branch" });
    }
    if (match[3] === "tags" && request.method === "GET" && name) {
      const sha = await rev(repo, `refs/tags/${name}^{commit}`);
      return sha ? json(200, { name, commit: { sha } }) : json(404, { message: "no tag" });
    }
    if (match[3] === "tags" && request.method === "POST" && !name) {
      const body = await request.json() as { tag_name: string; target: string; message: string };
      if (await rev(repo, `refs/tags/${body.tag_name}`)) {
        return json(409, { message: "tag already exists" });
      }
      const target = await rev(repo, `${body.target}^{commit}`);
      if (!target) return json(404, { message: "target not found" });
      await git(
        ["-C", repoDir(repo), "tag", "-a", "-m", body.message, body.tag_name, target],
        env,
      );
      await exposed(repo);
      return json(201, { name: body.tag_name, message: body.message, commit: { sha: target } });
    }
    return json(405, { message: "method not allowed" });
  };

  const gitFiles = async (request: Request, path: string): Promise<Response> => {
    const auth = request.headers.get("authorization") ?? "";
    const password = auth.startsWith("Basic ")
      ? atob(auth.slice(6)).split(":").slice(1).join(":")
      : "";
    if (password !== token) {
      return new Response("auth required", {
        status: 401,
        headers: { "www-authenticate": 'Basic realm="fake"' },
      });
    }
    const match = /^\/([^/]+\/[^/]+)\.git\/(.+)$/.exec(path);
    const file = match ? normalize(match[2]!) : "..";
    if (!match || file.startsWith("..")) return new Response("not found", { status: 404 });
    try {
      const data = await readFile(join(repoDir(match[1]!), file));
      return new Response(data, { headers: { "content-type": "application/octet-stream" } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  };

  const server: RunningServer = await serve(async (request) => {
    const path = new URL(request.url).pathname;
    const response = path.startsWith("/api/v1/")
      ? await api(request, path.slice("/api/v1".length))
      : request.method === "GET"
      ? await gitFiles(request, path)
      : new Response("read only", { status: 403 });
    log.push({ method: request.method, path, status: response.status });
    return response;
  }, { hostname: "127.0.0.1", port: 0 });

  const forge: FakeForge = {
    url: server.url,
    token,
    dir,
    env,
    log,
    repoDir,
    async createRepo(repo, commits = 2) {
      const work = join(dir, "work", repo);
      await mkdir(work, { recursive: true });
      await git(["init", "--quiet", "-b", "main", work], env);
      for (let index = 1; index <= commits; index++) {
        await git(["-C", work, "commit", "--quiet", "--allow-empty", "-m", `commit ${index}`], env);
      }
      await git(["clone", "--quiet", "--bare", work, repoDir(repo)], env);
      await exposed(repo);
      return (await rev(repo, "refs/heads/main"))!;
    },
    async copyRepo(from, repo) {
      await git(["clone", "--quiet", "--bare", from.repoDir(repo), repoDir(repo)], env);
      await exposed(repo);
    },
    async commit(repo, message) {
      const work = join(dir, "work", repo);
      await git(["-C", work, "commit", "--quiet", "--allow-empty", "-m", message], env);
      await git(["-C", work, "push", "--quiet", repoDir(repo), "main"], env);
      await exposed(repo);
      return (await rev(repo, "refs/heads/main"))!;
    },
    tagCommit: (repo, tag) => rev(repo, `refs/tags/${tag}^{commit}`),
    async dispose() {
      await server.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return forge;
}
