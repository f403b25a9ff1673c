/** Test helpers: a temporary factory root and an invocation of the fake CLI in it. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { Project } from "../../../../core/config/project.ts";
import type { AgentInvocation } from "../../../../core/plugin.ts";

export const FAKE_CLAUDE = fileURLToPath(
  new URL("../../../../tests/fixtures/fake_claude.sh", import.meta.url),
);

export const PROJECT: Project = {
  name: "demo",
  repo: "acme/demo",
  forge_url: "http://127.0.0.1:3000",
  primary_branch: "main",
  file: "projects/demo.toml",
  tables: {},
};

/** Run `work` with a fresh factory root, removed afterwards. */
export async function withRoot<T>(work: (root: string) => Promise<T>): Promise<T> {
  const root = await mkdtemp(join(tmpdir(), "agent-runner-"));
  try {
    return await work(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** An invocation in `root` whose CLI is the fake (CLAUDE_BIN), on the OAuth login by default. */
export function invocation(
  root: string,
  env: Record<string, string> = {},
  extra: Partial<AgentInvocation> = {},
): AgentInvocation {
  return {
    role: "dev",
    project: PROJECT,
    root,
    issue: 7,
    workdir: root,
    prompt: "Fix issue 7",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: root,
      CLAUDE_BIN: FAKE_CLAUDE,
      CLAUDE_CONFIG_DIR: join(root, "claude"),
      ...env,
    },
    signal: new AbortController().signal,
    ...extra,
  };
}
