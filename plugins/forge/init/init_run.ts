/**
 * What every step of `disinto init` shares: the options, the report, the
 * admin's HTTP client, step-level retries, `.env` as it was at the start and
 * its writer, the repos of the run (`opsSlug`; `missingRepos` in a dry run).
 */
import { join } from "node:path";
import { exponential, retry } from "../../../core/backoff/mod.ts";
import { parseEnv, readEnvText } from "../../../core/config/env_file.ts";
import type { Context } from "../../../core/context.ts";
import { oneLine } from "../../../core/errors.ts";
import { ForgejoError, ForgejoHttp, isTransient } from "../../../core/forgejo/mod.ts";
import { EnvWriter } from "../../../core/identity/mod.ts";
import type { StepStatus } from "../../../core/plugin.ts";
import type { Redactor } from "../../../core/redact.ts";
import type { InitOptions } from "./init_options.ts";
import { InitReport } from "./report.ts";

/** Step-level retries: whole ensure-verbs again after a transient failure. */
const STEP_RETRY = exponential({
  name: "init step",
  attempts: 10,
  baseMs: 100,
  capMs: 2000,
  jitter: 0.5,
});

export interface InitRun {
  context: Context;
  options: InitOptions;
  report: InitReport;
  http: ForgejoHttp;
  concurrency: number;
  envPath: string;
  /** `.env` text before the run, and its values (identity secrets come from here). */
  envBefore: string;
  envValues: ReadonlyMap<string, string>;
  envWriter: EnvWriter;
  projectName: string;
  opsSlug: string;
  /** Repos a dry run would create (nothing can be read from them yet). */
  missingRepos: Set<string>;
  /** Run `work` again after a transient forge failure. */
  stepRetry<T>(work: () => Promise<T>): Promise<T>;
  record(name: string, status: StepStatus, detail?: string): void;
  /** One redacted line saying why `error` happened. */
  failure(error: unknown): string;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export async function startInitRun(
  context: Context,
  redactor: Redactor,
  options: InitOptions,
): Promise<InitRun> {
  const report = new InitReport(context.stdout, context.stderr, {
    json: options.json,
    quiet: options.quiet,
    dryRun: options.dryRun,
  });
  const sleep = (ms: number, signal?: AbortSignal) => context.clock.sleep(ms, signal);
  const envPath = join(options.root, ".env");
  const envBefore = await readEnvText(envPath);
  const http = new ForgejoHttp(
    options.forgeUrl,
    { kind: "basic", user: options.adminUser, password: options.adminPass },
    { fetch: context.fetch, sleep, signal: context.signal, ...options.http },
  );
  redactor.add(options.adminPass);
  return {
    context,
    options,
    report,
    http,
    concurrency: options.concurrency ?? 4,
    envPath,
    envBefore,
    envValues: parseEnv(envBefore),
    envWriter: new EnvWriter(options.dryRun ? null : envPath),
    projectName: options.repo.name,
    opsSlug: `${options.adminUser}/${options.repo.name}-ops`,
    missingRepos: new Set(),
    stepRetry: (work) =>
      retry(work, {
        schedule: STEP_RETRY,
        retriable: (error) => isTransient(error) || isTransient((error as Error)?.cause),
        sleep,
        signal: context.signal,
      }),
    record: (name, status, detail) =>
      report.step(detail === undefined ? { name, status } : { name, status, detail }),
    failure: (error) => redactor.redact(oneLine(unwrap(error))),
    sleep,
  };
}

function unwrap(error: unknown): unknown {
  if (error instanceof ForgejoError) return error;
  if (error instanceof Error && error.cause instanceof Error) return error.cause;
  return error;
}
