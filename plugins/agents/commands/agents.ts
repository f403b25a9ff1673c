/**
 * `disinto agents run [--once] [--roles dev,review] [--interval S]` (the
 * container entrypoint) and `disinto agents poll <role> [--once]` (one cycle
 * of one role, for cron and debugging). Both take the project's poller PID
 * lock, so one poller per project (and agent identity) runs per container.
 * Log lines go to stdout, one per step, timestamped, secrets redacted.
 */
import type { Command } from "@commander-js/extra-typings";
import { join } from "node:path";
import { buildAgentRunner } from "../../../core/agent/runner_chain.ts";
import { oneLine, RuntimeFailure } from "../../../core/errors.ts";
import type { Project } from "../../../core/config/project.ts";
import { acquirePidLock } from "../../../core/lock/pid_lock.ts";
import type { AgentRunner, CommandHost } from "../../../core/plugin.ts";
import { forgeUrlOf, loadProject, loadProjects, openFactory } from "../../forge/project_context.ts";
import { devCycle } from "../dev_cycle.ts";
import { roleEnabled } from "../enable_flags.ts";
import { runLoop } from "../loop.ts";
import { reviewCycle } from "../review_cycle.ts";
import { openRoleContext, PID } from "../role_context.ts";
import { pruneWorktrees } from "../worktree_prune.ts";
import { loopSettings, parseRole, parseRoles, type Role, roleIdentity } from "../settings.ts";

export interface AgentsCommandOptions {
  /** The innermost agent runner (the Claude CLI by default); tests inject their own. */
  baseRunner(host: CommandHost): AgentRunner;
}

interface RunFlags {
  roles?: string | undefined;
  interval?: string | undefined;
  once: boolean;
}

/** The poller's PID lock: per project, and per agent identity when FORGE_USER is set. */
export function pollerLockFile(root: string, project: string, user: string | undefined): string {
  return join(root, "state", "agents", `poller-${project}${user ? `-${user}` : ""}.pid`);
}

/** Each project's PID lock, all or none: a project another poller runs stops the start. */
async function lockProjects(root: string, projects: readonly Project[], user: string | undefined) {
  const held: { release(): Promise<void> }[] = [];
  for (const project of projects) {
    const lockFile = pollerLockFile(root, project.name, user);
    const lock = await acquirePidLock(lockFile, { pid: PID });
    if (!lock.acquired) {
      for (const taken of held) await taken.release();
      throw new RuntimeFailure(
        `Another poller (pid ${lock.holder}) runs project "${project.name}" (${lockFile})`,
      );
    }
    held.push(lock);
  }
  return { release: async () => void await Promise.all(held.map((lock) => lock.release())) };
}

/**
 * The poll loop over the selected project, or every project of the factory
 * (the shared agents container of a factory with several projects): each
 * role's cycle runs for each project in turn; one project's failure is logged
 * and the others still run.
 */
async function runAgents(host: CommandHost, flags: RunFlags, options: AgentsCommandOptions) {
  const { context } = host;
  if (flags.roles !== undefined) parseRoles(flags.roles, "--roles");
  const factory = await openFactory(host);
  const projects = await loadProjects(host, factory);
  if (projects.length === 0) await loadProject(host, factory); // the "no project" bad input
  // Loop settings (roles, interval) come from the environment or the first project's table.
  const settings = loopSettings(flags, factory.setting, projects[0]!);
  for (const role of settings.roles) host.redactor.add(roleIdentity(role, factory.setting).token);
  const forgeUrls = new Map(projects.map((project) => [project, forgeUrlOf(factory, project)]));
  const log = (line: string) =>
    context.stdout.write(`${new Date(context.clock.now()).toISOString()} ${line}\n`);
  const lock = await lockProjects(factory.root, projects, factory.setting("FORGE_USER"));
  try {
    const runner = buildAgentRunner(host.plugins?.() ?? [], options.baseRunner(host));
    const names = projects.map((project) => project.name).join(", ");
    log(
      `agents: project${projects.length > 1 ? "s" : ""} ${names}, roles ${
        settings.roles.join(",")
      }` + (flags.once ? ", once" : `, every ${settings.intervalSeconds} s`),
    );
    const several = projects.length > 1;
    const cycleOf = async (role: Role, project: Project) => {
      const projectLog = several ? (line: string) => log(`${project.name}: ${line}`) : log;
      const ctx = await openRoleContext({
        role,
        root: factory.root,
        project,
        forgeUrl: forgeUrls.get(project)!,
        setting: factory.setting,
        env: context.env,
        fetch: context.fetch,
        sleep: (ms, signal) => context.clock.sleep(ms, signal),
        now: () => context.clock.now(),
        stop: context.signal,
        runner,
        log: projectLog,
        redact: (text) => host.redactor.redact(text),
      });
      await pruneWorktrees(ctx);
      if (role === "dev") projectLog(`dev: cycle done: ${await devCycle(ctx)}`);
      else {
        const report = await reviewCycle(ctx);
        projectLog(`review: cycle done: ${report.reviewed.length} reviewed`);
      }
    };
    return await runLoop<Role>({
      roles: settings.roles,
      intervalMs: settings.intervalSeconds * 1000,
      once: flags.once,
      signal: context.signal,
      sleep: (ms, signal) => context.clock.sleep(ms, signal),
      enabled: (role) => roleEnabled(factory.root, role),
      log,
      async cycle(role) {
        if (!several) return await cycleOf(role, projects[0]!);
        const failed: string[] = [];
        for (const project of projects) {
          if (context.signal.aborted) break;
          try {
            await cycleOf(role, project);
          } catch (error) {
            failed.push(project.name);
            log(`${project.name}: ${role}: cycle failed: ${oneLine(error)}`);
          }
        }
        if (failed.length > 0) throw new Error(`failed for ${failed.join(", ")}`);
      },
    });
  } finally {
    await lock.release();
  }
}

export function registerAgentsCommands(
  program: Command,
  host: CommandHost,
  options: AgentsCommandOptions,
): void {
  const agents = program.command("agents").description(
    "the agents' poll loop: dev and review cycles against the forge",
  );
  agents.command("run")
    .description("the container entrypoint: poll every POLL_INTERVAL seconds until SIGTERM")
    .option("--once", "run one cycle of each role, then exit")
    .option("--roles <list>", "comma list of roles (default AGENT_ROLES, else dev,review)")
    .option("--interval <seconds>", "seconds between cycles (default POLL_INTERVAL, else 300)")
    .action((flags) =>
      host.run(() =>
        runAgents(
          host,
          { roles: flags.roles, interval: flags.interval, once: !!flags.once },
          options,
        )
      )
    );
  agents.command("poll")
    .description("one poll cycle of one role (cron, debugging)")
    .argument("<role>", "dev or review")
    .option("--once", "one cycle (the default; accepted for cron lines)")
    .action((role) =>
      host.run(() => {
        parseRole(role, "agents poll <role>");
        return runAgents(host, { roles: role, once: true }, options);
      })
    );
}
