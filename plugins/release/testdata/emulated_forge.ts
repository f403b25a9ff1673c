/**
 * A Forgejo emulator holding `acme/demo` for release tests: a regular user
 * `acme` owns the private repository, its history is pushed over git HTTP
 * from a local work tree, and a `write:repository` token is created through
 * the API (the token a release gets as FORGE_TOKEN or CODEBERG_TOKEN). The
 * same work tree can feed a second instance playing the mirror forge.
 */
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type StartedEmulator, startEmulator } from "../../../tests/helpers/emulator.ts";
import { newRepo, newToken, newUser } from "../../../tests/helpers/emulator_api.ts";
import process from "node:process";

export const OWNER = "acme";
export const REPO = "acme/demo";

/** An environment for git in tests: no system or user config, a fixed identity. */
export function gitEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
  };
}

export function git(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { env }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args[0]}: ${String(stderr).trim()}`));
      else resolve(String(stdout).trim());
    });
  });
}

export interface EmulatedForge {
  emulator: StartedEmulator;
  url: string;
  /** A write:repository token of `acme`, made through the tokens API. */
  token: string;
  /** `<url>/acme/demo.git` */
  gitUrl: string;
  /** acme's basic credentials, for git over HTTP. */
  ownerAuth: string;
  /** GET on the forge's API as `acme` (token auth); answers status and JSON. */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }>;
  /** The commit a tag peels to, read with `git ls-remote` (null when absent). */
  lsRemoteTag(tag: string): Promise<string | null>;
  /** Another token of `acme`, with these scopes. */
  newToken(name: string, scopes: string[]): Promise<string>;
  dispose(): Promise<void>;
}

/** A started emulator with `acme/demo` (private, empty) and acme's token. */
export async function startEmulatedForge(env: Record<string, string>): Promise<EmulatedForge> {
  const emulator = await startEmulator();
  const { url } = emulator;
  const owner = await newUser(emulator, OWNER);
  await newRepo(emulator, OWNER, "demo", { private: true, auto_init: false });
  const ownerToken = (name: string, scopes: string[]) => newToken(emulator, owner, scopes, name);
  const token = await ownerToken("release", ["write:repository"]);
  const gitUrl = `${url}/${REPO}.git`;
  return {
    emulator,
    url,
    token,
    gitUrl,
    ownerAuth: owner.auth,
    async api(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `token ${token}`);
      if (init.body) headers.set("content-type", "application/json");
      const response = await fetch(`${url}/api/v1${path}`, { ...init, headers });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async lsRemoteTag(tag) {
      const out = await git(
        ["-c", `http.extraHeader=Authorization: ${owner.auth}`, "ls-remote", gitUrl],
        env,
      );
      return peeledTag(out, tag);
    },
    newToken: ownerToken,
    dispose: () => emulator.dispose(),
  };
}

/** The commit of `refs/tags/<tag>` in `git ls-remote` output (peeled for annotated tags). */
export function peeledTag(lsRemote: string, tag: string): string | null {
  const refs = new Map(
    lsRemote.split("\n").filter(Boolean).map((line) => {
      const [sha, ref] = line.split("\t");
      return [ref!, sha!] as const;
    }),
  );
  return refs.get(`refs/tags/${tag}^{}`) ?? refs.get(`refs/tags/${tag}`) ?? null;
}

/** A local work tree on `main` that pushes to emulated forges as `acme`. */
export interface WorkTree {
  dir: string;
  /** Add an empty commit; returns the new head SHA. */
  commit(message: string): Promise<string>;
  /** Push a branch (main by default) to the forge's acme/demo. */
  pushTo(forge: EmulatedForge, branch?: string): Promise<void>;
  /** Fetch the forge's main; returns its SHA (the commit is then readable here). */
  fetchFrom(forge: EmulatedForge): Promise<string>;
}

export async function workTree(dir: string, env: Record<string, string>): Promise<WorkTree> {
  await mkdir(dir, { recursive: true });
  await git(["init", "--quiet", "-b", "main", dir], env);
  return {
    dir,
    async commit(message) {
      await git(["-C", dir, "commit", "--quiet", "--allow-empty", "-m", message], env);
      return await git(["-C", dir, "rev-parse", "HEAD"], env);
    },
    async pushTo(forge, branch = "main") {
      await git([
        "-C",
        dir,
        "-c",
        `http.extraHeader=Authorization: ${forge.ownerAuth}`,
        "push",
        "--quiet",
        forge.gitUrl,
        `${branch}:${branch}`,
      ], env);
    },
    async fetchFrom(forge) {
      await git([
        "-C",
        dir,
        "-c",
        `http.extraHeader=Authorization: ${forge.ownerAuth}`,
        "fetch",
        "--quiet",
        forge.gitUrl,
        "main",
      ], env);
      return await git(["-C", dir, "rev-parse", "FETCH_HEAD"], env);
    },
  };
}

/** A local bare repository for a file-URL mirror; returns its file URL. */
export async function bareMirror(dir: string, env: Record<string, string>): Promise<string> {
  await git(["init", "--quiet", "--bare", dir], env);
  return `file://${join(dir)}`;
}

/** The commit a tag peels to in a local bare repository (null when absent). */
export function tagInBare(fileUrl: string, tag: string, env: Record<string, string>) {
  return git([
    "--git-dir",
    fileUrl.slice("file://".length),
    "rev-parse",
    "--verify",
    "--quiet",
    `refs/tags/${tag}^{commit}`,
  ], env).catch(() => null);
}

/** A file's text and its commit's subject on a branch of `repo` on the forge (fetched as acme). */
export async function fileOnBranch(
  forge: EmulatedForge,
  repo: string,
  branch: string,
  path: string,
  scratch: string,
  env: Record<string, string>,
): Promise<{ text: string; subject: string }> {
  await git(["init", "--quiet", "--bare", scratch], env);
  await git([
    "--git-dir",
    scratch,
    "-c",
    `http.extraHeader=Authorization: ${forge.ownerAuth}`,
    "fetch",
    "--quiet",
    `${forge.url}/${repo}.git`,
    branch,
  ], env);
  return {
    text: await git(["--git-dir", scratch, "show", `FETCH_HEAD:${path}`], env),
    subject: await git(["--git-dir", scratch, "log", "-1", "--format=%s", "FETCH_HEAD"], env),
  };
}
