/**
 * ensureIdentity: one Forgejo user per agent, with its password and API token
 * kept in `.env` and its collaborator permissions applied (SPEC §6.1 steps 3–5).
 *
 * Idempotent and convergent: a user whose password and token in `.env` still
 * authenticate is left alone (no rotation, no write request); a missing or
 * failing secret is regenerated; `rotate` regenerates both. Secrets are written
 * to `.env` before the forge is told about them, so a run killed in between is
 * repaired by the next run. Collaborator permissions are compared and
 * re-applied on every run. The forge work is core/forgejo's ensureUser,
 * ensureToken and ensureCollaborator; this adds `.env`.
 */
import { basicAuth } from "../forgejo/auth.ts";
import type { Permission } from "../forgejo/collaborators.ts";
import type { Outcome } from "../forgejo/ensure.ts";
import { ensureCollaborator } from "../forgejo/ensure_collaborator.ts";
import { ensureToken } from "../forgejo/ensure_token.ts";
import { ensureUser } from "../forgejo/ensure_user.ts";
import type { ForgejoHttp } from "../forgejo/http.ts";
import { tokenName as defaultTokenName } from "./env_keys.ts";
import type { EnvWriter } from "./env_writer.ts";
import { generatePassword as defaultGeneratePassword } from "./password.ts";

export type PartOutcome = Outcome;
export type { Permission };

export interface IdentitySpec {
  user: string;
  /** `.env` key of the token, e.g. FORGE_TOKEN or FORGE_TOKEN_DEV_QWEN. */
  tokenKey: string;
  /** `.env` key of the password. */
  passKey: string;
  /** Least-privilege token scopes. */
  scopes: readonly string[];
  /** Collaborator permissions, re-applied on every run. */
  permissions: ReadonlyArray<{ repo: string; permission: Permission }>;
  /** Default `<user>@disinto.local`. */
  email?: string;
  /** Default `disinto-<user>-token`. */
  tokenName?: string;
}

export interface EnsureIdentityOptions {
  /** The forge, with a site admin's credentials. */
  http: ForgejoHttp;
  /** The current `.env` values (plus the process environment, if it should win). */
  env: ReadonlyMap<string, string>;
  /** Where new secrets go; a writer with a null path records without writing. */
  envWriter: EnvWriter;
  /** Regenerate the password and the token. */
  rotate?: boolean;
  /** Only read: report what would change, write nothing anywhere. */
  dryRun?: boolean;
  generatePassword?: () => string;
}

export interface IdentityResult {
  user: string;
  account: PartOutcome;
  password: PartOutcome;
  token: PartOutcome;
  permissions: PartOutcome;
}

/** The overall outcome of several parts: created beats updated beats unchanged. */
export function combineOutcomes(parts: readonly PartOutcome[]): PartOutcome {
  if (parts.includes("created")) return "created";
  if (parts.includes("updated")) return "updated";
  return "unchanged";
}

export async function ensureIdentity(
  spec: IdentitySpec,
  options: EnsureIdentityOptions,
): Promise<IdentityResult> {
  const { http, env, envWriter } = options;
  const rotate = options.rotate ?? false;
  const dryRun = options.dryRun ?? false;
  const generate = options.generatePassword ?? defaultGeneratePassword;

  // 1. The account and its password: the one in .env is kept (set again if it
  // no longer signs in); a new one, when missing or rotated, reaches .env first.
  const kept = rotate ? "" : env.get(spec.passKey) ?? "";
  const user = await ensureUser(http, {
    username: spec.user,
    email: spec.email ?? `${spec.user}@disinto.local`,
    password: kept || (async () => {
      const value = generate();
      if (!dryRun) await envWriter.update({ [spec.passKey]: value });
      return value;
    }),
  }, { dryRun });
  const created = user.outcome === "created";
  const password: PartOutcome = user.passwordSet
    ? (env.has(spec.passKey) ? "updated" : "created")
    : created && !kept
    ? "created"
    : "unchanged";

  // 2. The token: kept while it authenticates as this user, else recreated.
  const known = env.get(spec.tokenKey) ?? "";
  const token = await ensureToken(http, {
    username: spec.user,
    credentials: basicAuth(spec.user, user.password),
    name: spec.tokenName ?? defaultTokenName(spec.user),
    scopes: spec.scopes,
    // A user created just now has no token: none to try, none to list.
    ...(known && !rotate && !created ? { known } : {}),
    ...(created ? { names: [] } : {}),
  }, { dryRun });
  if (token.outcome !== "unchanged" && !dryRun) {
    await envWriter.update({ [spec.tokenKey]: token.value });
  }

  // 3. Collaborator permissions, compared and re-applied every run.
  const permissions: PartOutcome[] = [];
  for (const { repo, permission } of spec.permissions) {
    permissions.push(
      await ensureCollaborator(http, repo, spec.user, permission, {
        dryRun,
        // A user created just now has no permission anywhere yet: no need to ask.
        ...(created ? { current: "none" } : {}),
      }),
    );
  }
  return {
    user: spec.user,
    account: user.passwordSet ? "unchanged" : user.outcome,
    password,
    token: token.outcome === "unchanged" ? "unchanged" : known ? "updated" : "created",
    permissions: combineOutcomes(permissions),
  };
}
