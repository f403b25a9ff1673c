/**
 * `disinto init`: the ordered steps of SPEC §6.1, each reporting created /
 * updated / unchanged / failed. Independent API work runs concurrently with a
 * small bound. Every step re-reads the forge before it writes, so a second
 * run makes no write request and a run killed anywhere converges when re-run;
 * a step that hits a transient forge failure is retried as a whole.
 *
 * The steps: forge_steps.ts (forge, admin, repos), identity_steps.ts
 * (identities, labels), file_steps.ts (protection, .env, project TOML, cron,
 * other plugins' steps); what they share: init_run.ts.
 */
import type { Context } from "../../../core/context.ts";
import type { Redactor } from "../../../core/redact.ts";
import { cronStep, envStep, pluginSteps, projectStep, protections } from "./file_steps.ts";
import { forgeAndAdmin, repos } from "./forge_steps.ts";
import { identitiesAndLabels } from "./identity_steps.ts";
import type { InitOptions } from "./init_options.ts";
import { startInitRun } from "./init_run.ts";

export type { InitOptions } from "./init_options.ts";

export async function runInit(
  context: Context,
  redactor: Redactor,
  options: InitOptions,
): Promise<number> {
  const run = await startInitRun(context, redactor, options);
  await forgeAndAdmin(run);
  const repoStep = await repos(run);
  if (repoStep.failed) {
    run.report.finish({ project: run.projectName });
    return 1;
  }
  const identities = await identitiesAndLabels(run);
  await protections(run);
  await envStep(run, identities);
  await projectStep(run);
  await cronStep(run);
  await pluginSteps(run);
  run.report.finish({ project: run.projectName, repo: options.repo.slug, ops_repo: run.opsSlug });
  return run.report.failed ? 1 : 0;
}
