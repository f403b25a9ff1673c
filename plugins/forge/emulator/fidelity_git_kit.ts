/** Running the git client in fidelity tests, with the machine's git configuration shut out. */
import { execFile } from "node:child_process";
import process from "node:process";

export interface GitRun {
  code: number;
  stderr: string;
}

export function git(cwd: string, ...args: string[]): Promise<GitRun> {
  return new Promise((resolve) => {
    execFile("git", args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: cwd,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_TERMINAL_PROMPT: "0",
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@example.test",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@example.test",
      },
    }, (error, _stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr: String(stderr) });
    });
  });
}

/** git, throwing with its stderr when it fails. */
export async function mustGit(cwd: string, ...args: string[]): Promise<void> {
  const run = await git(cwd, ...args);
  if (run.code !== 0) throw new Error(`git ${args.join(" ")}: ${run.stderr}`);
}
