/**
 * `disinto init`: the ordered steps of SPEC §6.1, each reporting created /
 * updated / unchanged / failed. Independent API work runs concurrently with a
 * small bound. Every step re-reads the forge before it writes, so a second
 * run makes no write request and a run killed anywhere converges when re-run;
 * a step that hits a transient forge failure is retried as a whole.
 */
import { join } from "node:path";
import { exponential, retry } from "../../../core/backoff/mod.ts";
import { settleLimit } from "../../../core/concurrency/map_limit.ts";
import { applyEnvUpdates, parseEnv, readEnvText } from "../../../core/config/env_file.ts";
import { loadProjectFile } from "../../../core/config/project.ts";
import { shadowedSecretWarnings } from "../../../core/config/secret_shadow.ts";
import type { Clock, Context } from "../../../core/context.ts";
import { oneLine, RuntimeFailure } from "../../../core/errors.ts";
import { combineOutcomes, ensureIdentity, EnvWriter } from "../../../core/identity/mod.ts";
import type { Plugin, StepStatus } from "../../../core/plugin.ts";
import type { Redactor } from "../../../core/redact.ts";
import * as api from "../../../core/forgejo/mod.ts";
import {
  ForgejoError,
  ForgejoHttp,
  type HttpOptions,
  isTransient,
} from "../../../core/forgejo/mod.ts";
import { identityForge } from "../../../core/forgejo/identity_forge.ts";
import { identityTable } from "../identities.ts";
import type { RepoArg } from "../repo_arg.ts";
import { ensureCron } from "./cron.ts";
import { createAdminInContainer, ensureForgeReady } from "./forge_ready.ts";
import { ensureLabels } from "./labels_step.ts";
import { ensureProjectFile } from "./project_file.ts";
import { BranchNotVisible, ensureProtection, opsRule, projectRule } from "./protection.ts";
import { InitReport } from "./report.ts";
import { ensureRepo } from "./repos.ts";

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

/** Step-level retries: whole ensure-verbs again after a transient failure. */
const STEP_RETRY = exponential({
  name: "init step",
  attempts: 10,
  baseMs: 100,
  capMs: 2000,
  jitter: 0.5,
});

export async function runInit(
  context: Context,
  redactor: Redactor,
  options: InitOptions,
): Promise<number> {
  const report = new InitReport(context.stdout, context.stderr, {
    json: options.json,
    quiet: options.quiet,
    dryRun: options.dryRun,
  });
  const clock: Clock = context.clock;
  const concurrency = options.concurrency ?? 4;
  const envPath = join(options.root, ".env");
  const envBefore = await readEnvText(envPath);
  const envValues = parseEnv(envBefore);
  const envWriter = new EnvWriter(options.dryRun ? null : envPath);
  const http = new ForgejoHttp(
    options.forgeUrl,
    { kind: "basic", user: options.adminUser, password: options.adminPass },
    {
      fetch: context.fetch,
      sleep: (ms, signal) => clock.sleep(ms, signal),
      signal: context.signal,
      ...options.http,
    },
  );
  redactor.add(options.adminPass);
  const stepRetry = <T>(work: () => Promise<T>) =>
    retry(work, {
      schedule: STEP_RETRY,
      retriable: (error) => isTransient(error) || isTransient((error as Error)?.cause),
      sleep: (ms, signal) => clock.sleep(ms, signal),
      signal: context.signal,
    });
  const record = (name: string, status: StepStatus, detail?: string) =>
    report.step(detail === undefined ? { name, status } : { name, status, detail });
  const failure = (error: unknown) => redactor.redact(oneLine(unwrap(error)));

  // 1. The forge answers (started through docker compose if we manage it).
  const ready = await ensureForgeReady(http, {
    root: options.root,
    env: context.env,
    sleep: (ms, signal) => clock.sleep(ms, signal),
    now: () => clock.now(),
    signal: context.signal,
    progress: (line) => report.progress(line),
    dryRun: options.dryRun,
  });
  record("forge", ready.status, `${options.forgeUrl}, ${ready.version}`);

  // 2. The admin authenticates (created in the container when we started it).
  let adminCheck = await stepRetry(() => api.whoami(http, http.credentials));
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
    adminCheck = await stepRetry(() => api.whoami(http, http.credentials));
    adminStatus = "created";
  }
  if (!adminCheck.ok) {
    record("admin", "failed", `${options.adminUser}: ${adminCheck.reason}`);
    throw new RuntimeFailure(
      `The forge rejects the admin "${options.adminUser}" (${adminCheck.reason}); check FORGE_ADMIN_USER / FORGE_ADMIN_PASS`,
    );
  }
  const adminEnv: Record<string, string> = {
    FORGE_URL: options.forgeUrl,
    FORGE_ADMIN_USER: options.adminUser,
    FORGE_ADMIN_PASS: options.adminPass,
  };
  await envWriter.update(adminEnv);
  record("admin", adminStatus, options.adminUser);

  // 5. The project repo and the ops repo (before identities: collaborators need them).
  const projectName = options.repo.name;
  const opsSlug = `${options.adminUser}/${projectName}-ops`;
  const missingRepos = new Set<string>();
  const repoPlans = [
    {
      slug: options.repo.slug,
      branch: options.branch,
      description: `disinto project ${projectName}`,
      ...(options.repo.cloneUrl ? { cloneUrl: options.repo.cloneUrl } : {}),
      ...(options.repoRoot ? { repoRoot: options.repoRoot } : {}),
    },
    { slug: opsSlug, branch: options.branch, description: `disinto ops repo of ${projectName}` },
  ];
  const repoResults = await settleLimit(repoPlans, 2, (plan) =>
    stepRetry(() =>
      ensureRepo(plan, {
        admin: http,
        adminUser: options.adminUser,
        adminPass: options.adminPass,
        dryRun: options.dryRun,
        env: context.env,
      })
    ));
  repoResults.forEach((result, i) => {
    const plan = repoPlans[i]!;
    if (result.status === "fulfilled") {
      if (options.dryRun && result.value === "created") missingRepos.add(plan.slug);
      record(`repo ${plan.slug}`, result.value);
    } else record(`repo ${plan.slug}`, "failed", failure(result.reason));
  });
  const failedRepos = repoResults.some((result) => result.status === "rejected");
  if (failedRepos) {
    report.finish({ project: projectName });
    return 1;
  }

  // 3–4. Identities (concurrent, bounded) and 6. labels, side by side.
  const identities = identityTable(options.agentUsers);
  const forge = identityForge(http);
  const identityWork = settleLimit(
    identities,
    concurrency,
    (identity) =>
      stepRetry(() =>
        ensureIdentity({
          user: identity.user,
          tokenKey: identity.tokenKey,
          passKey: identity.passKey,
          scopes: identity.scopes,
          permissions: [
            { repo: options.repo.slug, permission: identity.project },
            ...(identity.ops ? [{ repo: opsSlug, permission: identity.ops }] : []),
          ],
        }, {
          forge: missingRepos.size > 0 ? dryRunForge(forge, missingRepos) : forge,
          env: envValues,
          envWriter,
          rotate: options.rotate,
          dryRun: options.dryRun,
        })
      ).then((result) => {
        const parts = [result.account, result.password, result.token, result.permissions];
        const changed = ["account", "password", "token", "permissions"].filter((_, i) =>
          parts[i] !== "unchanged"
        );
        record(
          `identity ${identity.user}`,
          combineOutcomes(parts),
          changed.length ? changed.join(", ") : undefined,
        );
        return result;
      }, (error: unknown) => {
        record(`identity ${identity.user}`, "failed", failure(error));
        throw error;
      }),
  );
  const labelWork = settleLimit([options.repo.slug, opsSlug], 2, async (slug) => {
    try {
      const status = missingRepos.has(slug)
        ? "created"
        : await stepRetry(() => ensureLabels(http, slug, { dryRun: options.dryRun, concurrency }));
      record(`labels ${slug}`, status);
    } catch (error) {
      record(`labels ${slug}`, "failed", failure(error));
    }
  });
  await Promise.all([identityWork, labelWork]);

  // 7. Branch protection (after collaborators: the merge whitelist needs dev-bot's write).
  const protections = [
    { slug: options.repo.slug, rule: projectRule(options.branch) },
    { slug: opsSlug, rule: opsRule(options.branch) },
  ];
  await settleLimit(protections, 2, async ({ slug, rule }) => {
    const name = `protection ${slug}:${options.branch}`;
    try {
      const status = await stepRetry(() =>
        ensureProtection(http, slug, options.branch, rule, {
          dryRun: options.dryRun,
          sleep: (ms, signal) => clock.sleep(ms, signal),
          now: () => clock.now(),
          signal: context.signal,
          progress: (line) => report.progress(line),
          repoMissing: missingRepos.has(slug),
        })
      );
      record(name, status);
    } catch (error) {
      const why = error instanceof BranchNotVisible ? error.message : failure(error);
      report.error(
        `branch protection on ${slug} "${options.branch}": ${why}; security rules not applied`,
      );
      record(name, "failed", why);
    }
  });

  // 8. The .env file and the project TOML.
  const envAfter = options.dryRun
    ? applyEnvUpdates(envBefore, Object.assign({}, ...envWriter.applied))
    : await readEnvText(envPath);
  const identitiesChanged = report.steps.some((step) =>
    step.name.startsWith("identity ") && step.status !== "unchanged"
  );
  const secretKeys = identities.flatMap((identity) => [identity.tokenKey, identity.passKey]);
  for (const text of shadowedSecretWarnings(secretKeys, context.env, parseEnv(envAfter))) {
    report.warn(text);
  }
  record(
    ".env",
    envBefore === ""
      ? "created"
      : envAfter !== envBefore || (options.dryRun && identitiesChanged)
      ? "updated"
      : "unchanged",
  );
  try {
    const status = await ensureProjectFile(options.projectFile, {
      name: projectName,
      repo: options.repo.slug,
      ops_repo: opsSlug,
      forge_url: options.forgeUrl,
      primary_branch: options.branch,
      ...(options.repoRoot ? { repo_root: options.repoRoot } : {}),
    }, { root: options.root, dryRun: options.dryRun });
    record(`project ${relativeTo(options.root, options.projectFile)}`, status);
  } catch (error) {
    record(`project ${relativeTo(options.root, options.projectFile)}`, "failed", failure(error));
  }

  // 9. The poll schedule in crontab (optional; a missing crontab only warns).
  if (options.installCron) {
    report.step({
      name: "cron",
      ...await ensureCron({
        project: projectName,
        root: options.root,
        binary: context.env.DISINTO_BIN ?? "disinto",
        env: context.env,
        dryRun: options.dryRun,
        warn: (text) => report.warn(text),
      }),
    });
  }

  // Other plugins' steps, in registry order, on the project as now written.
  if (!options.dryRun) await runPluginSteps(context, options, report);

  report.finish({ project: projectName, repo: options.repo.slug, ops_repo: opsSlug });
  return report.failed ? 1 : 0;
}

async function runPluginSteps(context: Context, options: InitOptions, report: InitReport) {
  const plugins = (options.plugins ?? []).filter((plugin) =>
    plugin.name !== "forge" && plugin.hooks?.initSteps
  );
  if (plugins.length === 0) return;
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

function unwrap(error: unknown): unknown {
  if (error instanceof ForgejoError) return error;
  if (error instanceof Error && error.cause instanceof Error) return error.cause;
  return error;
}

function relativeTo(root: string, file: string): string {
  return file.startsWith(root + "/") ? file.slice(root.length + 1) : file;
}

/** In a dry run, permission lookups on repos that do not exist yet answer "none". */
function dryRunForge(
  forge: ReturnType<typeof identityForge>,
  missing: ReadonlySet<string>,
): ReturnType<typeof identityForge> {
  return {
    ...forge,
    collaboratorPermission: (repo, user) =>
      missing.has(repo) ? Promise.resolve("none") : forge.collaboratorPermission(repo, user),
  };
}
