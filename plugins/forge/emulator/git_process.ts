/**
 * Running git for the emulator: every call with the user's and the system's
 * git configuration shut out, so the machine's settings never leak in; one
 * write at a time per repository; commits with a fixed identity and the
 * emulator's clock.
 */
import { spawn } from "node:child_process";
import process from "node:process";

export interface GitUser {
  name: string;
  email: string;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class GitRunner {
  readonly env: Record<string, string>;
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(readonly root: string, readonly now: () => number) {
    this.env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      HOME: root,
      LANG: "C",
      GIT_TERMINAL_PROMPT: "0",
    };
  }

  /** One write at a time per repository; git's ref locks guard other processes. */
  serial<T>(owner: string, repo: string, work: () => Promise<T>): Promise<T> {
    const key = `${owner}/${repo}`.toLowerCase();
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.#queues.set(key, next.catch(() => {}));
    return next;
  }

  identity(user: GitUser): Record<string, string> {
    const date = `${Math.floor(this.now() / 1000)} +0000`;
    return {
      GIT_AUTHOR_NAME: user.name,
      GIT_AUTHOR_EMAIL: user.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: user.name,
      GIT_COMMITTER_EMAIL: user.email,
      GIT_COMMITTER_DATE: date,
    };
  }

  async commitTree(
    dir: string,
    tree: string,
    parents: string[],
    message: string,
    author: GitUser,
  ): Promise<string> {
    const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])];
    return await this.git(dir, args, message, this.identity(author));
  }

  async git(
    dir: string,
    args: string[],
    input?: string | Uint8Array,
    env: Record<string, string> = {},
  ) {
    const result = await this.run(dir, args, input, env);
    if (result.code !== 0) {
      throw new Error(`git ${args[0]} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
    }
    return result.stdout.trim();
  }

  async run(
    dir: string,
    args: string[],
    input?: string | Uint8Array,
    env: Record<string, string> = {},
  ): Promise<GitResult> {
    const data = typeof input === "string" ? new TextEncoder().encode(input) : input;
    const result = await runProcess(
      "git",
      args,
      { ...this.env, GIT_DIR: dir, ...env },
      this.root,
      data,
    );
    return {
      code: result.code,
      stdout: new TextDecoder().decode(result.stdout),
      stderr: result.stderr,
    };
  }
}

/** A local path, file:// or a loopback http(s) URL: the only places the emulator reaches. */
export function isLocalSource(source: string): boolean {
  if (source.startsWith("/") || source.startsWith("file://")) return true;
  try {
    const url = new URL(source);
    return (url.protocol === "http:" || url.protocol === "https:") &&
      ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

export function runProcess(
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
