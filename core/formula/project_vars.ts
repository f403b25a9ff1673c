/**
 * What a project supplies to a formula: variables named after project keys
 * (used when the formula declares them and they are not given) and the
 * checkouts its context files are read from.
 */
import { basename, dirname, resolve } from "node:path";
import type { Project } from "../config/project.ts";

/** `project`, `repo`, `ops_repo`, `forge_url`, `primary_branch`, `repo_root` (when set). */
export function projectVariables(project: Project): Record<string, string> {
  const vars: Record<string, string> = {
    project: project.name,
    repo: project.repo,
    forge_url: project.forge_url,
    primary_branch: project.primary_branch,
  };
  if (project.ops_repo !== undefined) vars.ops_repo = project.ops_repo;
  if (project.repo_root !== undefined) vars.repo_root = project.repo_root;
  return vars;
}

/**
 * The project's checkout (`repo_root`, relative to the factory root) and the
 * ops repo's: `OPS_REPO_ROOT`, else a sibling of the project checkout named
 * after the ops repo.
 */
export function contextRoots(
  project: Project,
  root: string,
  env: Readonly<Record<string, string | undefined>>,
): { repoRoot?: string; opsRoot?: string } {
  const repoRoot = project.repo_root === undefined ? undefined : resolve(root, project.repo_root);
  const opsRoot = env.OPS_REPO_ROOT
    ? resolve(root, env.OPS_REPO_ROOT)
    : repoRoot !== undefined && project.ops_repo !== undefined
    ? resolve(dirname(repoRoot), basename(project.ops_repo))
    : undefined;
  return {
    ...(repoRoot === undefined ? {} : { repoRoot }),
    ...(opsRoot === undefined ? {} : { opsRoot }),
  };
}
