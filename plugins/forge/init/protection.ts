/**
 * Step 7 of init: branch protection on the primary branch through Forgejo's
 * own `/branch_protections` endpoints (core's ensureBranchProtection: create,
 * or patch when it differs).
 * First the branch must be visible, waited for with the branch-indexing
 * schedule (SPEC §5.2).
 */
import { BRANCH_INDEXING, retry, type Schedule } from "../../../core/backoff/mod.ts";
import type { StepStatus } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { ensureBranchProtection, protectionDiff } from "../../../core/forgejo/ensure_protection.ts";

/** Local-model agents (`[agents.*]` of the project TOML) by the roles they poll. */
export interface AgentRoleUsers {
  dev: readonly string[];
  review: readonly string[];
}

/**
 * The rule for the project repo: no direct push, 1 approval, merges by dev-bot
 * and the local-model dev agents. Only an official review counts toward the
 * approval (Forgejo v11 models/issues/review.go IsOfficialReviewer → models/git/
 * protected_branch.go IsUserOfficialReviewer): without an approvals whitelist
 * that takes write access, and review-bot only reads the project repo, so the
 * whitelist names review-bot and the local-model review agents
 * (updateApprovalWhitelist keeps users with read access). The merge whitelist
 * needs write access (updateUserWhitelist), which agent users have.
 */
export function projectRule(
  branch: string,
  agents: AgentRoleUsers = { dev: [], review: [] },
): Record<string, unknown> {
  return {
    rule_name: branch,
    enable_push: false,
    enable_merge_whitelist: true,
    merge_whitelist_usernames: withBot("dev-bot", agents.dev),
    required_approvals: 1,
    enable_approvals_whitelist: true,
    approvals_whitelist_username: withBot("review-bot", agents.review),
  };
}

function withBot(bot: string, agents: readonly string[]): string[] {
  return [bot, ...agents.filter((user) => user !== bot)];
}

/** The rule for the ops repo: no direct push, 1 approval, admins included. */
export function opsRule(branch: string): Record<string, unknown> {
  return { rule_name: branch, enable_push: false, required_approvals: 1, apply_to_admins: true };
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
  if (!options.dryRun) {
    return (await ensureBranchProtection(http, slug, { ...rule, rule_name: branch })).outcome;
  }
  const existing = await api.getBranchProtection(http, slug, branch);
  if (!existing) return "created";
  return protectionDiff(existing, rule).length === 0 ? "unchanged" : "updated";
}
