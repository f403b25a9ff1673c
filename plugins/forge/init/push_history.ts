/**
 * Push a local checkout's history to a new repo on the forge. Credentials go
 * through a one-shot git credential helper reading them from the environment,
 * never into the remote URL or the command line.
 */
import { execFile } from "node:child_process";
import { RuntimeFailure } from "../../../core/errors.ts";
import { CREDENTIAL_HELPER_ARGS, credentialEnv } from "../../../core/git/credential_helper.ts";
import { redactUrl } from "../../../core/redact.ts";

export interface PushOptions {
  repoRoot: string;
  remote: string;
  branch: string;
  user: string;
  password: string;
  env: Readonly<Record<string, string | undefined>>;
}

export function pushLocalHistory(options: PushOptions): Promise<void> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  Object.assign(env, credentialEnv(options.user, options.password), { GIT_TERMINAL_PROMPT: "0" });
  const args = [
    "-C",
    options.repoRoot,
    ...CREDENTIAL_HELPER_ARGS,
    "push",
    options.remote,
    `HEAD:refs/heads/${options.branch}`,
  ];
  return new Promise((resolve, reject) => {
    execFile("git", args, { env, timeout: 120_000 }, (error, _stdout, stderr) => {
      if (!error) return resolve();
      const why = String(stderr).trim().split("\n").at(-1) ?? "";
      reject(new RuntimeFailure(`git push to ${redactUrl(options.remote)} failed: ${why}`));
    });
  });
}
