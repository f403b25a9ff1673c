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
import process from "node:process";

export const OWNER = "acme";
export const REPO = "acme/demo";
const OWNER_PASS = "acme-pass-4567";

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

const basic = (user: string, pass: string) => `Basic ${btoa(`${user}:${pass}`)}`;

export interface EmulatedForge {
  emulator: StartedEmulator;
  url: string;
  /** A write:repository token of `acme`, made through the tokens API. */
  token: string;
  /** `<url>/acme/demo.git` */
  gitUrl: string;
  /** GET on the forge's API as `acme` (token auth); answers status and JSON. */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }>;
  /** The commit a tag peels to, read with `git ls-remote` (null when absent). */
  lsRemoteTag(tag: string): Promise<string | null>;
  /** Another token of `acme`, with these scopes. */
  newToken(name: string, scopes: string[]): Promise<string>;
  dispose(): Promise<void>;
}

async function expectStatus(response: Response, status: number, what: string): Promise<unknown> {
  const text = await response.text();
  if (response.status !== status) {
    throw new Error(`${what}: HTTP ${response.status} ${text.slice(0, 200)}`);
  }
  return text ? JSON.parse(text) : null;
}

/** A started emulator with `acme/demo` (private, empty) and acme's token. */
export async function startEmulatedForge(env: Record<string, string>): Promise<EmulatedForge> {
  const emulator = await startEmulator();
  const { url } = emulator;
  const admin = basic(emulator.admin.user, emulator.admin.pass);
  const post = (path: string, auth: string, body: unknown) =>
    fetch(`${url}/api/v1${path}`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  await expectStatus(
    await post("/admin/users", admin, {
      username: OWNER,
      email: "acme@example.invalid",
      password: OWNER_PASS,
      must_change_password: false,
    }),
    201,
    "create user",
  );
  await expectStatus(
    await post(`/admin/users/${OWNER}/repos`, admin, { name: "demo", private: true }),
    201,
    "create repo",
  );
  const newToken = async (name: string, scopes: string[]) => {
    const made = await expectStatus(
      await post(`/users/${OWNER}/tokens`, basic(OWNER, OWNER_PASS), { name, scopes }),
      201,
      "create token",
    ) as { sha1: string };
    return made.sha1;
  };
  const token = await newToken("release", ["write:repository"]);
  const gitUrl = `${url}/${REPO}.git`;
  return {
    emulator,
    url,
    token,
    gitUrl,
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
        ["-c", `http.extraHeader=Authorization: ${basic(OWNER, OWNER_PASS)}`, "ls-remote", gitUrl],
        env,
      );
      return peeledTag(out, tag);
    },
    newToken,
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
        `http.extraHeader=Authorization: ${basic(OWNER, OWNER_PASS)}`,
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
        `http.extraHeader=Authorization: ${basic(OWNER, OWNER_PASS)}`,
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
