/**
 * Step 5 of init: the project repo and the ops repo exist, each with history
 * on its primary branch. The owner of the project repo is made an org when it
 * is not a user; repos are created through the admin route
 * `POST /admin/users/{owner}/repos`, which serves users and orgs alike.
 */
import type { StepStatus } from "../../../core/plugin.ts";
import * as api from "../../../core/forgejo/mod.ts";
import type { ForgejoHttp } from "../../../core/forgejo/mod.ts";
import { ensureOrg } from "../../../core/forgejo/ensure_repo.ts";
import { pushLocalHistory } from "./push_history.ts";

export interface RepoPlan {
  slug: string;
  branch: string;
  /** Migrate history from here (a clone URL). */
  cloneUrl?: string;
  /** Push history from this local checkout. */
  repoRoot?: string;
  description: string;
}

export interface RepoContext {
  admin: ForgejoHttp;
  adminUser: string;
  adminPass: string;
  dryRun: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

export async function ensureRepo(plan: RepoPlan, ctx: RepoContext): Promise<StepStatus> {
  const existing = await api.getRepo(ctx.admin, plan.slug);
  if (existing && !(existing.empty && plan.repoRoot)) return "unchanged";
  if (ctx.dryRun) return existing ? "updated" : "created";
  const [owner, name] = plan.slug.split("/") as [string, string];
  if (!existing) {
    if ((await api.getUser(ctx.admin, owner)) === null) await ensureOrg(ctx.admin, owner);
    if (plan.cloneUrl) {
      await api.migrateRepo(ctx.admin, {
        clone_addr: plan.cloneUrl,
        repo_owner: owner,
        repo_name: name,
      });
    } else {
      await api.createRepo(ctx.admin, owner, {
        name,
        auto_init: plan.repoRoot === undefined,
        default_branch: plan.branch,
        description: plan.description,
      });
    }
  }
  if (plan.repoRoot) {
    await pushLocalHistory({
      repoRoot: plan.repoRoot,
      remote: `${ctx.admin.baseUrl}/${plan.slug}.git`,
      branch: plan.branch,
      user: ctx.adminUser,
      password: ctx.adminPass,
      env: ctx.env,
    });
  }
  return existing ? "updated" : "created";
}
