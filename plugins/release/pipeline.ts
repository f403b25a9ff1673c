/**
 * The release as an ordered list of small steps (the goreleaser style): each
 * step has a name, a one-line comment saying what it does and why it sits
 * where it does, an optional `skip` (a reported outcome with a reason, not a
 * failure) and `run`. The runner stops at the first step that throws.
 */
import type { Project } from "../../core/config/project.ts";
import type { ReleaseForge } from "./api.ts";
import type { Env, TagSource } from "./git.ts";
import type { MirrorPlan, MirrorsMode } from "./mirrors.ts";
import type { MirrorResult, ReleaseRecord } from "./record.ts";

export interface ReleaseInput {
  /** As typed; checked by the first step. */
  version: string;
  dryRun: boolean;
  mode: MirrorsMode | undefined;
  project: Project;
  root: string;
  /** The environment git runs with (GIT_SSH_COMMAND, HOME, PATH …). */
  env: Env;
  /** A setting by key: process environment, then `.env`. */
  setting(key: string): string | undefined;
  forge: ReleaseForge;
  /** Where the SSH path fetches the tag from (the project's git URL on the forge). */
  sourceUrl: string;
  fetch: typeof fetch;
  now(): number;
  /** Removes registered secrets from text (error messages kept in the record). */
  redact(text: string): string;
  /** Fetch the tag into a temporary repository (injectable for tests). */
  fetchTag(sourceUrl: string, tag: string, token: string | undefined, env: Env): Promise<TagSource>;
}

export interface ReleaseState {
  input: ReleaseInput;
  version: string;
  forgeToken: string;
  mirrors: MirrorPlan[];
  sha: string;
  results: MirrorResult[];
  recordFile: string | null;
  /**
   * Set when the tag already exists at the commit this version was released
   * at: the earlier run's record (null when it never wrote one). Only the
   * mirror paths it did not push are tried again.
   */
  rerun: { previous: ReleaseRecord | null; retried: string[] } | null;
}

export interface Step {
  name: string;
  /** One line: what the step does and why it sits here. */
  comment: string;
  /** A reason to skip, or null to run. */
  skip?(state: ReleaseState): string | null;
  /**
   * Does the work; returns a one-line summary of what happened, or a summary
   * marked failed when the step finished but something in it failed.
   */
  run(state: ReleaseState): Promise<string | { failed: string }>;
}

export interface StepReport {
  step: string;
  outcome: "done" | "skipped" | "failed";
  detail: string;
}

/** Run the steps in order, reporting each; the first error stops the run and is rethrown. */
export async function runSteps(
  steps: readonly Step[],
  state: ReleaseState,
  report: (entry: StepReport) => void,
): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  for (const step of steps) {
    const reason = step.skip?.(state) ?? null;
    let entry: StepReport = { step: step.name, outcome: "skipped", detail: reason ?? "" };
    if (reason === null) {
      const summary = await step.run(state);
      entry = typeof summary === "string"
        ? { step: step.name, outcome: "done", detail: summary }
        : { step: step.name, outcome: "failed", detail: summary.failed };
    }
    reports.push(entry);
    report(entry);
  }
  return reports;
}
