/** The checked inputs of `disinto init` (plugins/forge/commands/init.ts builds them). */
import type { HttpOptions } from "../../../core/forgejo/mod.ts";
import type { Plugin } from "../../../core/plugin.ts";
import type { RepoArg } from "../repo_arg.ts";
import type { AgentRoleUsers } from "./protection.ts";

export interface InitOptions {
  repo: RepoArg;
  forgeUrl: string;
  branch: string;
  repoRoot?: string;
  adminUser: string;
  adminPass: string;
  rotate: boolean;
  dryRun: boolean;
  installCron: boolean;
  root: string;
  /** Forge users of `[agents.*]` in the project TOML. */
  agentUsers: readonly string[];
  /** Those whose roles include dev (they merge) and review (they approve): protection.ts. */
  agentRoleUsers?: AgentRoleUsers;
  /** The project file (projects/<name>.toml). */
  projectFile: string;
  json: boolean;
  quiet: boolean;
  concurrency?: number;
  /** Other plugins' init steps run after the forge's own. */
  plugins?: readonly Plugin[];
  /** Overrides for the HTTP layer (tests, benchmarks). */
  http?: Partial<HttpOptions>;
}
