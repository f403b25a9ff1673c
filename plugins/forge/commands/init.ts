/**
 * `disinto init <repo-url-or-slug>` (SPEC §6.1). Every input is checked
 * before anything is written or requested: a bad slug or URL, a forge URL
 * that is not http(s), an unreadable or invalid project TOML, or `--yes`
 * without an admin password is exit 2 with one line.
 */
import type { Command } from "@commander-js/extra-typings";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readEnvFile } from "../../../core/config/env_file.ts";
import { loadProjectFile, type Project } from "../../../core/config/project.ts";
import { BadInputError } from "../../../core/errors.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import { agentForgeUsers } from "../identities.ts";
import { readProjectDocument } from "../init/project_file.ts";
import { runInit } from "../init/run_init.ts";
import { parseForgeUrl, parseRepoArg } from "../repo_arg.ts";

const DEFAULT_FORGE_URL = "http://localhost:3000";
const DEFAULT_ADMIN = "disinto-admin";
const BRANCH = /^(?!\/|.*(?:\/\/|\.\.|@\{|\/$|\.lock$))[A-Za-z0-9._\/-]+$/;

export function registerInitCommand(program: Command, host: CommandHost): void {
  program
    .command("init")
    .description("bootstrap a project on the forge: identities, repos, labels, branch protection")
    .argument("<repo-url-or-slug>", "owner/repo, or a clone URL to migrate from")
    .option("--forge-url <url>", "the forge (default: FORGE_URL, .env, or http://localhost:3000)")
    .option("--branch <branch>", "primary branch (default: main)")
    .option("--repo-root <path>", "a local checkout whose history a new repo gets")
    .option("--yes", "never prompt (the admin password must be in the environment or .env)")
    .option("--rotate-tokens", "regenerate every identity's password and token")
    .option("--dry-run", "print the plan; write nothing anywhere")
    .option("--install-cron", "install the poll schedule in the user's crontab")
    .action((repoArg, flags) =>
      host.run(async () => {
        const { context } = host;
        const globals = host.globals();
        const root = host.root();
        const dotenv = await readEnvFile(join(root, ".env"));
        const setting = (key: string) => context.env[key] ?? dotenv.get(key);

        const forgeUrlSource = flags.forgeUrl !== undefined
          ? "--forge-url"
          : context.env.FORGE_URL !== undefined
          ? "FORGE_URL"
          : dotenv.has("FORGE_URL")
          ? ".env FORGE_URL"
          : "default";
        const forgeUrlRaw = flags.forgeUrl ?? setting("FORGE_URL");
        const preliminaryForge = forgeUrlRaw ?? DEFAULT_FORGE_URL;
        const forgeUrl = parseForgeUrl(preliminaryForge, forgeUrlSource);
        const repo = parseRepoArg(repoArg, forgeUrl);

        const projectFile = globals.project
          ? resolveProjectSelector(root, globals.project)
          : join(root, "projects", `${repo.name}.toml`);
        const existing = await loadExistingProject(projectFile, host);

        const branch = flags.branch ?? existing?.primary_branch ?? "main";
        if (!BRANCH.test(branch)) {
          throw new BadInputError(`--branch: "${branch}" is not a valid branch name`);
        }
        let repoRoot: string | undefined;
        if (flags.repoRoot !== undefined) {
          repoRoot = resolve(context.cwd, flags.repoRoot);
          const info = await stat(join(repoRoot, ".git")).catch(() => null);
          if (!info) {
            throw new BadInputError(
              `--repo-root: "${flags.repoRoot}" is not a git checkout; expected a directory with .git`,
            );
          }
        }

        const adminUser = setting("FORGE_ADMIN_USER") || DEFAULT_ADMIN;
        let adminPass = setting("FORGE_ADMIN_PASS");
        if (!adminPass) {
          if (flags.yes || !context.promptSecret) {
            throw new BadInputError(
              `${
                flags.yes ? "--yes" : "no terminal"
              }: FORGE_ADMIN_PASS is not set; expected it in the environment or .env`,
            );
          }
          adminPass = await context.promptSecret(`Forge admin password for ${adminUser}: `);
          if (!adminPass) throw new BadInputError("admin password: expected a non-empty password");
        }

        const agentsTable = existing?.tables.agents ??
          (existing ? await rawAgentsTable(existing.file) : undefined);
        return await runInit(context, host.redactor, {
          repo,
          forgeUrl,
          branch,
          ...(repoRoot ? { repoRoot } : {}),
          adminUser,
          adminPass,
          rotate: flags.rotateTokens === true,
          dryRun: flags.dryRun === true,
          installCron: flags.installCron === true,
          root,
          agentUsers: agentForgeUsers(agentsTable),
          agentRoleUsers: {
            dev: agentForgeUsers(agentsTable, "dev"),
            review: agentForgeUsers(agentsTable, "review"),
          },
          projectFile,
          json: globals.json,
          quiet: globals.quiet,
          plugins: host.plugins?.() ?? [],
        });
      })
    );
}

function resolveProjectSelector(root: string, selector: string): string {
  if (selector.includes("/") || selector.endsWith(".toml")) return resolve(root, selector);
  return join(root, "projects", `${selector}.toml`);
}

/** The existing project file, validated (exit 2 when it does not parse or validate). */
async function loadExistingProject(file: string, host: CommandHost): Promise<Project | null> {
  const info = await stat(file).catch((error: NodeJS.ErrnoException) =>
    error.code === "ENOENT" ? null : error
  );
  if (info === null) return null;
  const settings = (host.plugins?.() ?? []).flatMap((plugin) => plugin.settings ?? []);
  return await loadProjectFile(file, settings);
}

/** `[agents]` read raw when no plugin declares it as a setting. */
async function rawAgentsTable(file: string): Promise<unknown> {
  return (await readProjectDocument(file))?.agents;
}
