/**
 * Step 7 of init: branch protection on the primary branch through Forgejo's
 * own `/branch_protections` endpoints (create, or patch when it differs).
 * First the branch must be visible, waited for with the branch-indexing
 * schedule (SPEC §5.2).
 */
import { BRANCH_INDEXING, retry, type Schedule } from "../../../core/backoff/mod.ts";
import type { StepStatus } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";

/** The rule for the project repo: no direct push, merges by dev-bot only, 1 approval. */
export function projectRule(branch: string): Record<string, unknown> {
  return {
    rule_name: branch,
    enable_push: false,
    enable_merge_whitelist: true,
    merge_whitelist_usernames: ["dev-bot"],
    required_approvals: 1,
  };
}

/** The rule for the ops repo: no direct push, 1 approval, admins included. */
export function opsRule(branch: string): Record<string, unknown> {
  return { rule_name: branch, enable_push: false, required_approvals: 1, apply_to_admins: true };
}

/** The keys of `wanted` whose value differs in `actual`. */
export function ruleDiff(
  actual: Record<string, unknown>,
  wanted: Record<string, unknown>,
): string[] {
  return Object.keys(wanted).filter((key) => {
    const a = actual[key] ?? (Array.isArray(wanted[key]) ? [] : undefined);
    return JSON.stringify(a) !== JSON.stringify(wanted[key]);
  });
}

export class BranchNotVisible extends Error {
  override readonly name = "BranchNotVisible";
}

export interface ProtectionOptions {
  dryRun: boolean;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  signal?: AbortSignal;
  progress: (line: string) => void;
  schedule?: Schedule;
  /** The repo does not exist yet (dry run): nothing to wait for. */
  repoMissing?: boolean;
}

export async function ensureProtection(
  http: ForgejoHttp,
  slug: string,
  branch: string,
  rule: Record<string, unknown>,
  options: ProtectionOptions,
): Promise<StepStatus> {
  if (options.repoMissing) return "created";
  const schedule = options.schedule ?? BRANCH_INDEXING;
  await retry(async () => {
    if (!(await api.branchExists(http, slug, branch))) {
      throw new BranchNotVisible(`branch "${branch}" of ${slug} is not visible`);
    }
  }, {
    schedule,
    sleep: options.sleep,
    now: options.now,
    ...(options.signal ? { signal: options.signal } : {}),
    onRetry: (info) =>
      options.progress(
        `waiting for branch "${branch}" of ${slug} (attempt ${info.attempt}/${info.attempts}, next in ${
          Math.round(info.delayMs / 1000)
        } s)`,
      ),
  }).catch((error: unknown) => {
    throw new BranchNotVisible(
      `branch "${branch}" of ${slug} never became visible (${schedule.attempts} attempts)`,
      { cause: error },
    );
  });
  const existing = await api.getBranchProtection(http, slug, branch);
  if (!existing) {
    if (!options.dryRun) await api.createBranchProtection(http, slug, rule);
    if (options.dryRun) return "created";
    // A create that raced a lost answer or another run: re-read and patch if needed.
    const after = await api.getBranchProtection(http, slug, branch);
    if (after && ruleDiff(after, rule).length > 0) {
      await api.editBranchProtection(http, slug, branch, rule);
    }
    return "created";
  }
  if (ruleDiff(existing, rule).length === 0) return "unchanged";
  if (!options.dryRun) await api.editBranchProtection(http, slug, branch, rule);
  return "updated";
}
