/**
 * `disinto status [--json]` (SPEC §6.3): per project, forge reachability,
 * open backlog / in-progress / blocked counts, open PRs (each a `limit=1`
 * request read through X-Total-Count), hired agents and lock holders.
 * `--json` prints one object per project, one per line.
 */
import type { Command } from "@commander-js/extra-typings";
import { resolveClaudeConfigDir } from "../../../core/compose/claude.ts";
import { claudeLogin } from "../../../core/compose/claude_login.ts";
import type { Project } from "../../../core/config/project.ts";
import { join } from "node:path";
import { BadInputError, oneLine } from "../../../core/errors.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import { type Credentials, ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { readProjectDocument } from "../init/project_file.ts";
import {
  type Factory,
  forgeUrlOf,
  type HeldLock,
  liveLocks,
  loadProjects,
  openFactory,
} from "../project_context.ts";

export interface ProjectStatus {
  project: string;
  repo: string;
  forge_url: string;
  reachable: boolean;
  version?: string;
  error?: string;
  issues?: { backlog: number; in_progress: number; blocked: number };
  /** The first in-progress issues: what the agents work on now. */
  in_progress?: InProgressIssue[];
  open_prs?: number;
  agents: string[];
  locks: HeldLock[];
  /** Whether the agents' shared Claude config dir holds a login (its `.credentials.json`). */
  claude: { logged_in: boolean; file?: string; reason?: string };
  /** Each plugin's `status` hook fields under its name (`{ error }` when the hook failed). */
  plugins?: Record<string, Record<string, unknown>>;
}

export interface InProgressIssue {
  number: number;
  title: string;
  assignees: string[];
}

/** How many in-progress issues status names (the count covers them all). */
const IN_PROGRESS_SHOWN = 5;

/** Every plugin's `status` hook, in registry order; a failing hook is reported, not thrown. */
async function pluginStatuses(
  host: CommandHost,
  factory: Factory,
  project: Project,
): Promise<ProjectStatus["plugins"]> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const plugin of host.plugins?.() ?? []) {
    const hook = plugin.hooks?.status;
    if (!hook) continue;
    try {
      out[plugin.name] = await hook({ project, root: factory.root, context: host.context });
    } catch (error) {
      out[plugin.name] = { error: host.redactor.redact(oneLine(error)) };
    }
  }
  return Object.keys(out).length ? out : undefined;
}

async function claudeOf(factory: Factory): Promise<ProjectStatus["claude"]> {
  const keys = ["HOME", "CLAUDE_CONFIG_DIR"] as const;
  try {
    const env = Object.fromEntries(keys.map((key) => [key, factory.setting(key)]));
    const login = await claudeLogin(resolveClaudeConfigDir(env));
    return login.loggedIn
      ? { logged_in: true, file: login.file }
      : { logged_in: false, file: login.file, reason: login.reason };
  } catch (error) {
    return { logged_in: false, reason: oneLine(error) };
  }
}

function credentialsOf(factory: Factory): Credentials {
  const token = factory.setting("FORGE_TOKEN");
  if (token) return { kind: "token", token };
  const pass = factory.setting("FORGE_ADMIN_PASS");
  if (pass) {
    return {
      kind: "basic",
      user: factory.setting("FORGE_ADMIN_USER") || "disinto-admin",
      password: pass,
    };
  }
  return { kind: "none" };
}

async function statusOf(
  host: CommandHost,
  factory: Factory,
  project: Project,
): Promise<ProjectStatus> {
  const forgeUrl = forgeUrlOf(factory, project);
  const agentsTable = project.tables.agents ?? (await readProjectDocument(project.file))?.agents;
  const status: ProjectStatus = {
    project: project.name,
    repo: project.repo,
    forge_url: forgeUrl,
    reachable: false,
    agents: typeof agentsTable === "object" && agentsTable !== null ? Object.keys(agentsTable) : [],
    locks: await liveLocks(factory.root),
    claude: await claudeOf(factory),
  };
  const http = new ForgejoHttp(forgeUrl, credentialsOf(factory), {
    fetch: host.context.fetch,
    signal: host.context.signal,
    timeoutMs: 5000,
    schedule: { name: "status", attempts: 2, delayMs: () => 200 },
    sleep: (ms, signal) => host.context.clock.sleep(ms, signal),
  });
  try {
    status.version = await api.getVersion(http);
    status.reachable = true;
    const labels = new Set((await api.listLabels(http, project.repo)).map((label) => label.name));
    // A label filter naming no existing label is ignored by the forge: count 0 instead.
    const count = (label: string) =>
      labels.has(label)
        ? api.countIssues(http, project.repo, { state: "open", labels: label })
        : Promise.resolve(0);
    const [backlog, inProgress, blocked, prs] = await Promise.all([
      count("backlog"),
      count("in-progress"),
      count("blocked"),
      api.countPulls(http, project.repo, { state: "open" }),
    ]);
    status.issues = { backlog, in_progress: inProgress, blocked };
    if (inProgress > 0) {
      const issues = await api.listIssues(http, project.repo, {
        state: "open",
        labels: "in-progress",
        max: IN_PROGRESS_SHOWN,
      });
      status.in_progress = issues.map((issue) => ({
        number: issue.number,
        title: issue.title,
        assignees: (issue.assignees ?? []).map((user) => user.login),
      }));
    }
    status.open_prs = prs;
  } catch (error) {
    status.error = host.redactor.redact(oneLine(error));
  }
  const fromPlugins = await pluginStatuses(host, factory, project);
  if (fromPlugins) status.plugins = fromPlugins;
  return status;
}

function render(status: ProjectStatus): string {
  const lines = [`${status.project} (${status.repo} on ${status.forge_url})`];
  lines.push(
    status.reachable
      ? `  forge: reachable (${status.version})`
      : `  forge: unreachable${status.error ? ` (${status.error})` : ""}`,
  );
  if (status.reachable && status.error) lines.push(`  error: ${status.error}`);
  if (status.issues) {
    lines.push(
      `  issues: ${status.issues.backlog} backlog, ${status.issues.in_progress} in-progress, ${status.issues.blocked} blocked`,
    );
  }
  for (const issue of status.in_progress ?? []) {
    const who = issue.assignees.length ? issue.assignees.join(", ") : "nobody assigned";
    lines.push(`    #${issue.number} ${issue.title} (${who})`);
  }
  if (status.open_prs !== undefined) lines.push(`  open PRs: ${status.open_prs}`);
  lines.push(`  agents: ${status.agents.length ? status.agents.join(", ") : "none hired"}`);
  lines.push(
    `  locks: ${
      status.locks.length
        ? status.locks.map((l) => `${l.file} (${l.pid === null ? "flock" : `pid ${l.pid}`})`).join(
          ", ",
        )
        : "none held"
    }`,
  );
  const claude = status.claude;
  lines.push(
    claude.logged_in
      ? `  claude: logged in (${claude.file})`
      : `  claude: not logged in (${[claude.file, claude.reason].filter(Boolean).join(": ")})`,
  );
  for (const [name, fields] of Object.entries(status.plugins ?? {})) {
    lines.push(`  ${name}: ${describeFields(fields)}`);
  }
  return lines.join("\n") + "\n";
}

/** "poller pid 42, last_run dev #3 success": a hook's fields on one line. */
function describeFields(fields: Record<string, unknown>): string {
  const shown = Object.entries(fields).map(([key, value]) =>
    `${key} ${typeof value === "string" ? value : JSON.stringify(value)}`
  );
  return shown.length ? shown.join(", ") : "nothing to report";
}

export function registerStatusCommand(program: Command, host: CommandHost): void {
  program
    .command("status")
    .description("per project: forge reachability, issue and PR counts, agents, lock holders")
    .action(() =>
      host.run(async () => {
        const factory = await openFactory(host);
        const projects = await loadProjects(host, factory);
        if (projects.length === 0) {
          // Bad input like `issue` and `release` without a project: exit 2.
          throw new BadInputError(
            `${join(factory.root, "projects")}: no project TOML; expected one (run disinto init)`,
          );
        }
        const statuses = await Promise.all(projects.map((p) => statusOf(host, factory, p)));
        for (const status of statuses) {
          host.context.stdout.write(
            host.globals().json ? JSON.stringify(status) + "\n" : render(status),
          );
        }
        const failedHook = (status: ProjectStatus) =>
          Object.values(status.plugins ?? {}).some((fields) => "error" in fields);
        return statuses.every((s) => s.reachable && !s.error && !failedHook(s)) ? 0 : 1;
      })
    );
}
