/**
 * `disinto release` from a command host: load the project first (its
 * `[mirrors]` table and `.env`), then run the steps and report every outcome.
 * Exit 0 when the tag and every mirror push succeeded, 1 when any mirror
 * failed (after trying all of them), 2 for bad input (nothing written).
 */
import { join } from "node:path";
import { readEnvFile } from "../../core/config/env_file.ts";
import { loadProjectFile, type Project, resolveProjectFile } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";
import type { CommandHost } from "../../core/plugin.ts";
import { SECRET_NAME } from "../../core/redact.ts";
import { forgejoForge, type ReleaseForge } from "./api.ts";
import { fetchTag, forgeGitUrl } from "./git.ts";
import type { MirrorsMode } from "./mirrors.ts";
import { type ReleaseInput, type ReleaseState, runSteps, type Step } from "./pipeline.ts";
import { RELEASE_STEPS } from "./steps.ts";

export interface ReleaseOptions {
  version: string;
  dryRun: boolean;
  mode: MirrorsMode | undefined;
  /** Replaces the steps or the forge (tests). */
  steps?: readonly Step[];
  forge?: ReleaseForge;
}

async function loadProject(host: CommandHost, root: string): Promise<Project> {
  const file = await resolveProjectFile(root, host.globals().project, host.context.env);
  if (file === null) {
    throw new BadInputError(
      `--project: no project in ${join(root, "projects")}; expected one (run disinto init)`,
    );
  }
  const settings = (host.plugins?.() ?? []).flatMap((plugin) => plugin.settings ?? []);
  return await loadProjectFile(file, settings);
}

export async function runRelease(host: CommandHost, options: ReleaseOptions): Promise<number> {
  const { context, redactor } = host;
  const root = host.root();
  const project = await loadProject(host, root);
  const dotenv = await readEnvFile(join(root, ".env"));
  for (const [key, value] of dotenv) if (SECRET_NAME.test(key)) redactor.add(value);
  redactor.addFromEnv(context.env);
  const setting = (key: string) => context.env[key] || dotenv.get(key) || undefined;
  const forgeUrl = setting("FORGE_URL") ?? project.forge_url;
  const token = setting("FORGE_TOKEN") ?? "";
  const input: ReleaseInput = {
    version: options.version,
    dryRun: options.dryRun,
    mode: options.mode,
    project,
    root,
    env: context.env,
    setting,
    forge: options.forge ?? forgejoForge(forgeUrl, token, context.fetch),
    sourceUrl: forgeGitUrl(forgeUrl, project.repo),
    fetch: context.fetch,
    now: () => context.clock.now(),
    redact: (text) => redactor.redact(text),
    fetchTag,
  };
  const state: ReleaseState = {
    input,
    version: options.version,
    forgeToken: "",
    mirrors: [],
    sha: "",
    results: [],
    recordFile: null,
    rerun: null,
  };
  const json = host.globals().json;
  const quiet = host.globals().quiet;
  const out = redactor.wrap(context.stdout);
  const reports = await runSteps(options.steps ?? RELEASE_STEPS, state, (entry) => {
    if (json || quiet) return;
    const mark = { done: "ok  ", skipped: "skip", failed: "FAIL" }[entry.outcome];
    out.write(`${mark} ${entry.step}: ${entry.detail}\n`);
  });
  for (const result of state.results) {
    if (json) break;
    const line = `${
      result.result === "failed" ? "FAIL" : "ok  "
    } mirror ${result.name} (${result.path}): ${result.error ?? result.result}\n`;
    out.write(line);
  }
  const failed = state.results.filter((result) => result.result === "failed");
  if (json) {
    out.write(
      JSON.stringify({
        version: state.version,
        sha: state.sha,
        dry_run: options.dryRun,
        mirrors: state.results,
        record: state.recordFile === null ? null : state.recordFile.slice(root.length + 1),
      }) + "\n",
    );
  }
  if (failed.length > 0) {
    const names = failed.map((result) => `${result.name} (${result.path})`).join(", ");
    redactor.wrap(context.stderr).write(
      `release ${state.version}: ${failed.length} mirror push(es) failed: ${names}\n`,
    );
    return 1;
  }
  const stepFailed = reports.find((entry) => entry.outcome === "failed");
  if (stepFailed) {
    redactor.wrap(context.stderr).write(
      `release ${state.version}: ${stepFailed.step} failed: ${stepFailed.detail}\n`,
    );
    return 1;
  }
  return 0;
}
