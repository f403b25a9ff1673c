/**
 * The git side of the SSH path. The tag to push is fetched from the project's
 * forge into a temporary bare repository (so the mirrors get the forge's own
 * annotated tag object, whatever the state of any local checkout), then
 * pushed from there with `git push <mirror> refs/tags/<v>`. The forge token
 * reaches git through a one-shot credential helper reading it from the
 * environment of that one fetch: never inside a URL or on a command line.
 * Pushes run with the operator's environment, so `GIT_SSH_COMMAND` and SSH
 * keys under ~/.ssh apply; file URLs and local paths are plain `git push`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RuntimeFailure } from "../../core/errors.ts";
import { CREDENTIAL_HELPER_ARGS, credentialEnv } from "../../core/git/credential_helper.ts";
import { redactUrl } from "../../core/redact.ts";

export type Env = Readonly<Record<string, string | undefined>>;

function git(args: string[], env: Env, extra: Record<string, string> = {}): Promise<string> {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) childEnv[key] = value;
  Object.assign(childEnv, { GIT_TERMINAL_PROMPT: "0", ...extra });
  return new Promise((resolve, reject) => {
    execFile("git", args, { env: childEnv, timeout: 120_000 }, (error, stdout, stderr) => {
      if (!error) return resolve(String(stdout));
      const why = gitFailureLine(String(stderr)) || error.message.split("\n")[0];
      reject(new RuntimeFailure(why || "git failed"));
    });
  });
}

/**
 * The line that says why git failed: its first `fatal:` (or `error:`) line.
 * The last line is usually generic advice ("and the repository exists.").
 */
export function gitFailureLine(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines.find((line) => line.startsWith("fatal:")) ??
    lines.find((line) => line.startsWith("error:")) ??
    lines.filter((line) => !line.startsWith("hint:")).at(-1) ?? "";
}

/** A temporary bare repository holding one tag fetched from the forge. */
export interface TagSource {
  dir: string;
  /** Push the tag to `url`; rejects with one line (URL redacted) on failure. */
  push(url: string, tag: string): Promise<void>;
  dispose(): Promise<void>;
}

/** The git URL of a forge repo: `<forge>/<owner>/<repo>.git`. */
export function forgeGitUrl(forgeUrl: string, repo: string): string {
  return `${forgeUrl.replace(/\/+$/, "")}/${repo}.git`;
}

export async function fetchTag(
  sourceUrl: string,
  tag: string,
  token: string | undefined,
  env: Env,
): Promise<TagSource> {
  const dir = await mkdtemp(join(tmpdir(), "disinto-release-"));
  try {
    await git(["init", "--quiet", "--bare", dir], env);
    const auth = token ? credentialEnv("disinto", token) : {};
    await git(
      [
        "-C",
        dir,
        ...CREDENTIAL_HELPER_ARGS,
        "fetch",
        "--quiet",
        "--no-tags",
        sourceUrl,
        `refs/tags/${tag}:refs/tags/${tag}`,
      ],
      env,
      auth,
    ).catch((error: Error) => {
      throw new RuntimeFailure(`git fetch ${tag} from ${redactUrl(sourceUrl)}: ${error.message}`);
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    dir,
    push: async (url, name) => {
      await git(["-C", dir, "push", "--quiet", url, `refs/tags/${name}:refs/tags/${name}`], env)
        .catch((error: Error) => {
          throw new RuntimeFailure(`git push to ${redactUrl(url)}: ${error.message}`);
        });
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
