/**
 * Steps 7–9 of init and the other plugins' steps: branch protection, the
 * `.env` summary and the project TOML, the crontab line.
 */
import { selfBinary } from "../../../core/runtime/self_binary.ts";
import { settleLimit } from "../../../core/concurrency/map_limit.ts";
import { applyEnvUpdates, parseEnv, readEnvText } from "../../../core/config/env_file.ts";
import { loadProjectFile } from "../../../core/config/project.ts";
import { shadowedSecretWarnings } from "../../../core/config/secret_shadow.ts";
import { oneLine } from "../../../core/errors.ts";
import type { IdentityRow } from "../identities.ts";
import { ensureCron } from "./cron.ts";
import type { InitRun } from "./init_run.ts";
import { ensureProjectFile } from "./project_file.ts";
import { BranchNotVisible, ensureProtection, opsRule, projectRule } from "./protection.ts";

/** 7. Branch protection (after collaborators: the merge whitelist needs dev-bot's write). */
export async function protections(run: InitRun): Promise<void> {
  const { options, report } = run;
  const rules = [
    { slug: options.repo.slug, rule: projectRule(options.branch, options.agentRoleUsers) },
    { slug: run.opsSlug, rule: opsRule(options.branch) },
  ];
  await settleLimit(rules, 2, async ({ slug, rule }) => {
    const name = `protection ${slug}:${options.branch}`;
    try {
      const status = await run.stepRetry(() =>
        ensureProtection(run.http, slug, options.branch, rule, {
          dryRun: options.dryRun,
          sleep: run.sleep,
          now: () => run.context.clock.now(),
          signal: run.context.signal,
          progress: (line) => report.progress(line),
          repoMissing: run.missingRepos.has(slug),
        })
      );
      run.record(name, status);
    } catch (error) {
      const why = error instanceof BranchNotVisible ? error.message : run.failure(error);
      report.error(
        `branch protection on ${slug} "${options.branch}": ${why}; security rules not applied`,
      );
      run.record(name, "failed", why);
    }
  });
}

/** 8. The `.env` file (with a warning per shell secret that differs from it). */
export async function envStep(run: InitRun, identities: readonly IdentityRow[]): Promise<void> {
  const { options, report, envBefore } = run;
  const envAfter = options.dryRun
    ? applyEnvUpdates(envBefore, Object.assign({}, ...run.envWriter.applied))
    : await readEnvText(run.envPath);
  const identitiesChanged = report.steps.some((step) =>
    step.name.startsWith("identity ") && step.status !== "unchanged"
  );
  const secretKeys = identities.flatMap((identity) => [identity.tokenKey, identity.passKey]);
  for (const text of shadowedSecretWarnings(secretKeys, run.context.env, parseEnv(envAfter))) {
    report.warn(text);
  }
  run.record(
    ".env",
    envBefore === ""
      ? "created"
      : envAfter !== envBefore || (options.dryRun && identitiesChanged)
      ? "updated"
      : "unchanged",
  );
}

/** 8. The project TOML's core keys. */
export async function projectStep(run: InitRun): Promise<void> {
  const { options } = run;
  const name = `project ${relativeTo(options.root, options.projectFile)}`;
  try {
    const status = await ensureProjectFile(options.projectFile, {
      name: run.projectName,
      repo: options.repo.slug,
      ops_repo: run.opsSlug,
      forge_url: options.forgeUrl,
      primary_branch: options.branch,
      ...(options.repoRoot ? { repo_root: options.repoRoot } : {}),
    }, { root: options.root, dryRun: options.dryRun });
    run.record(name, status);
  } catch (error) {
    run.record(name, "failed", run.failure(error));
  }
}

/** 9. The poll schedule in crontab (only with --install-cron; a missing crontab only warns). */
export async function cronStep(run: InitRun): Promise<void> {
  const { options, context, report } = run;
  if (!options.installCron) return;
  report.step({
    name: "cron",
    ...await ensureCron({
      project: run.projectName,
      root: options.root,
      // cron has a bare PATH: the line names this binary by its full path.
      binary: context.env.DISINTO_BIN ?? selfBinary() ?? "disinto",
      env: context.env,
      dryRun: options.dryRun,
      warn: (text) => report.warn(text),
    }),
  });
}

/** Other plugins' steps, in registry order, on the project as now written (not in a dry run). */
export async function pluginSteps(run: InitRun): Promise<void> {
  const { options, context, report } = run;
  const plugins = (options.plugins ?? []).filter((plugin) =>
    plugin.name !== "forge" && plugin.hooks?.initSteps
  );
  if (options.dryRun || plugins.length === 0) return;
  const settings = (options.plugins ?? []).flatMap((plugin) => plugin.settings ?? []);
  const project = await loadProjectFile(options.projectFile, settings);
  const input = { project, root: options.root, dryRun: options.dryRun, context };
  for (const plugin of plugins) {
    for (const step of plugin.hooks!.initSteps!(input)) {
      try {
        const outcome = await step.run(input);
        report.step({ name: step.name, ...outcome });
      } catch (error) {
        report.step({ name: step.name, status: "failed", detail: oneLine(error) });
      }
    }
  }
}

function relativeTo(root: string, file: string): string {
  return file.startsWith(root + "/") ? file.slice(root.length + 1) : file;
}
