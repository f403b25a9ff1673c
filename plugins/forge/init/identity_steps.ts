/**
 * Steps 3–4 and 6 of init, side by side: every identity (user, password and
 * token in `.env`, collaborator permissions; concurrent, bounded) and the
 * labels of both repos.
 */
import { settleLimit } from "../../../core/concurrency/map_limit.ts";
import { combineOutcomes, ensureIdentity } from "../../../core/identity/mod.ts";
import { type IdentityRow, identityTable } from "../identities.ts";
import type { InitRun } from "./init_run.ts";
import { ensureLabels } from "./labels_step.ts";

/** Returns the identities of the project (the fixed table and the agents' users). */
export async function identitiesAndLabels(run: InitRun): Promise<IdentityRow[]> {
  const identities = identityTable(run.options.agentUsers);
  const slugs = [run.options.repo.slug, run.opsSlug];
  await Promise.all([
    settleLimit(identities, run.concurrency, (identity) => ensureOne(run, identity)),
    settleLimit(slugs, 2, (slug) => labels(run, slug)),
  ]);
  return identities;
}

async function ensureOne(run: InitRun, identity: IdentityRow) {
  const { options } = run;
  const name = `identity ${identity.user}`;
  try {
    const result = await run.stepRetry(() =>
      ensureIdentity({
        user: identity.user,
        tokenKey: identity.tokenKey,
        passKey: identity.passKey,
        scopes: identity.scopes,
        permissions: [
          { repo: options.repo.slug, permission: identity.project },
          ...(identity.ops ? [{ repo: run.opsSlug, permission: identity.ops }] : []),
        ],
      }, {
        http: run.http,
        env: run.envValues,
        envWriter: run.envWriter,
        rotate: options.rotate,
        dryRun: options.dryRun,
      })
    );
    const parts = [result.account, result.password, result.token, result.permissions];
    const changed = ["account", "password", "token", "permissions"].filter((_, i) =>
      parts[i] !== "unchanged"
    );
    run.record(name, combineOutcomes(parts), changed.length ? changed.join(", ") : undefined);
    return result;
  } catch (error) {
    run.record(name, "failed", run.failure(error));
    throw error;
  }
}

async function labels(run: InitRun, slug: string): Promise<void> {
  try {
    const status = run.missingRepos.has(slug)
      ? "created"
      : await run.stepRetry(() =>
        ensureLabels(run.http, slug, { dryRun: run.options.dryRun, concurrency: run.concurrency })
      );
    run.record(`labels ${slug}`, status);
  } catch (error) {
    run.record(`labels ${slug}`, "failed", run.failure(error));
  }
}
