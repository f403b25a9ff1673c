/**
 * Steps 1, 2 and 5 of init: the forge answers, the admin authenticates, the
 * project and ops repos exist.
 */
import { settleLimit } from "../../../core/concurrency/map_limit.ts";
import { RuntimeFailure } from "../../../core/errors.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { StepStatus } from "../../../core/plugin.ts";
import { createAdminInContainer, ensureForgeReady } from "./forge_ready.ts";
import type { InitRun } from "./init_run.ts";
import { ensureRepo, type RepoPlan } from "./repos.ts";

/** 1. The forge answers (started through docker compose if we manage it); 2. the admin logs in. */
export async function forgeAndAdmin(run: InitRun): Promise<void> {
  const { http, options, context, report } = run;
  const ready = await ensureForgeReady(http, {
    root: options.root,
    env: context.env,
    sleep: run.sleep,
    now: () => context.clock.now(),
    signal: context.signal,
    progress: (line) => report.progress(line),
    dryRun: options.dryRun,
  });
  run.record("forge", ready.status, `${options.forgeUrl}, ${ready.version}`);

  // The admin is created in the container when we started it.
  let adminCheck = await run.stepRetry(() => api.whoami(http, http.credentials));
  let adminStatus: StepStatus = "unchanged";
  if (
    !adminCheck.ok && adminCheck.reason === "unauthorized" && ready.composeFile && !options.dryRun
  ) {
    await createAdminInContainer(
      ready.composeFile,
      options.adminUser,
      options.adminPass,
      context.env,
      http,
    );
    adminCheck = await run.stepRetry(() => api.whoami(http, http.credentials));
    adminStatus = "created";
  }
  if (!adminCheck.ok) {
    run.record("admin", "failed", `${options.adminUser}: ${adminCheck.reason}`);
    throw new RuntimeFailure(
      `The forge rejects the admin "${options.adminUser}" (${adminCheck.reason}); check FORGE_ADMIN_USER / FORGE_ADMIN_PASS`,
    );
  }
  await run.envWriter.update({
    FORGE_URL: options.forgeUrl,
    FORGE_ADMIN_USER: options.adminUser,
    FORGE_ADMIN_PASS: options.adminPass,
  });
  run.record("admin", adminStatus, options.adminUser);
}

/** 5. The project repo and the ops repo (before identities: collaborators need them). */
export async function repos(run: InitRun): Promise<{ failed: boolean }> {
  const { options } = run;
  const plans: RepoPlan[] = [
    {
      slug: options.repo.slug,
      branch: options.branch,
      description: `disinto project ${run.projectName}`,
      ...(options.repo.cloneUrl ? { cloneUrl: options.repo.cloneUrl } : {}),
      ...(options.repoRoot ? { repoRoot: options.repoRoot } : {}),
    },
    {
      slug: run.opsSlug,
      branch: options.branch,
      description: `disinto ops repo of ${run.projectName}`,
    },
  ];
  const results = await settleLimit(plans, 2, (plan) =>
    run.stepRetry(() =>
      ensureRepo(plan, {
        admin: run.http,
        adminUser: options.adminUser,
        adminPass: options.adminPass,
        dryRun: options.dryRun,
        env: run.context.env,
      })
    ));
  results.forEach((result, i) => {
    const plan = plans[i]!;
    if (result.status === "fulfilled") {
      if (options.dryRun && result.value === "created") run.missingRepos.add(plan.slug);
      run.record(`repo ${plan.slug}`, result.value);
    } else run.record(`repo ${plan.slug}`, "failed", run.failure(result.reason));
  });
  return { failed: results.some((result) => result.status === "rejected") };
}
