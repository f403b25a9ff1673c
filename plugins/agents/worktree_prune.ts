/**
 * At the start of a cycle, the worktrees a killed run left behind are
 * removed. An `issue-<n>` worktree is in use while a live process holds the
 * issue's PID lock; a `pr-<n>` worktree only inside a review cycle, and this
 * poller (one per project and identity: its PID lock) is not in one yet.
 */
import { pidLockHolder } from "../../core/lock/pid_lock.ts";
import type { RoleContext } from "./role_context.ts";

export async function pruneWorktrees(ctx: RoleContext): Promise<void> {
  const removed = await ctx.workspace.prune(async (name) => {
    const issue = /^issue-(\d+)$/.exec(name);
    return issue !== null && (await pidLockHolder(ctx.issueLockFile(Number(issue[1])))) !== null;
  });
  if (removed.length > 0) ctx.log(`${ctx.role}: removed left-over worktrees ${removed.join(", ")}`);
}
