/**
 * ensureIdentity: one Forgejo user per agent, with its password and API token
 * kept in `.env` and its collaborator permissions applied (SPEC §6.1 steps 3–5).
 *
 * Idempotent and convergent: a user whose password and token in `.env` still
 * authenticate is left alone (no rotation, no write request); a missing or
 * failing secret is regenerated; `rotate` regenerates both. Secrets are written
 * to `.env` before the forge is told about them, so a run killed in between is
 * repaired by the next run. Collaborator permissions are compared and
 * re-applied on every run.
 */
import { tokenName as defaultTokenName } from "./env_keys.ts";
import type { EnvWriter } from "./env_writer.ts";
import { generatePassword as defaultGeneratePassword } from "./password.ts";

export type PartOutcome = "created" | "updated" | "unchanged";
export type Permission = "read" | "write" | "admin";

/** What a credential check says. */
export type AuthCheck =
  | { ok: true; login: string }
  | { ok: false; reason: "unauthorized" | "must-change-password" };

/**
 * The forge operations ensureIdentity needs. Admin operations use the admin's
 * credentials; token operations use basic auth as the user (the forge refuses
 * token auth for them).
 */
export interface IdentityForge {
  /** Admin view: does the user exist? */
  userExists(user: string): Promise<boolean>;
  /** Admin: create a local user with must_change_password false. */
  createUser(input: { username: string; email: string; password: string }): Promise<void>;
  /** Admin: set the password and/or clear must_change_password. */
  updateUser(user: string, input: { password?: string; mustChangePassword: false }): Promise<void>;
  /** `GET /user` with basic auth. */
  checkPassword(user: string, password: string): Promise<AuthCheck>;
  /** `GET /user` with the token. */
  checkToken(token: string): Promise<AuthCheck>;
  /** Token names of the user (basic auth as the user). */
  listTokenNames(user: string, password: string): Promise<string[]>;
  deleteToken(user: string, password: string, name: string): Promise<void>;
  /** Create a token (basic auth as the user); returns its secret. */
  createToken(
    user: string,
    password: string,
    name: string,
    scopes: readonly string[],
  ): Promise<string>;
  /** The user's permission on `owner/repo`: "none", "read", "write", "admin" or "owner". */
  collaboratorPermission(repo: string, user: string): Promise<string>;
  setCollaborator(repo: string, user: string, permission: Permission): Promise<void>;
}

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
  forge: IdentityForge;
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
  const { forge, env, envWriter } = options;
  const rotate = options.rotate ?? false;
  const dryRun = options.dryRun ?? false;
  const generate = options.generatePassword ?? defaultGeneratePassword;
  const name = spec.tokenName ?? defaultTokenName(spec.user);
  const result: IdentityResult = {
    user: spec.user,
    account: "unchanged",
    password: "unchanged",
    token: "unchanged",
    permissions: "unchanged",
  };

  // 1. The account and its password.
  let password = env.get(spec.passKey) ?? "";
  let exists: boolean | null = null;
  let passwordOk = false;
  if (password && !rotate) {
    const check = await forge.checkPassword(spec.user, password);
    if (check.ok) {
      exists = true;
      passwordOk = true;
    } else if (check.reason === "must-change-password") {
      exists = true;
      passwordOk = true;
      result.account = "updated";
      if (!dryRun) await forge.updateUser(spec.user, { mustChangePassword: false });
    }
  }
  exists ??= await forge.userExists(spec.user);
  if (!exists) {
    if (!password || rotate) password = await newPassword();
    result.account = "created";
    result.password = env.get(spec.passKey) === password ? "unchanged" : "created";
    if (!dryRun) {
      await forge.createUser({
        username: spec.user,
        email: spec.email ?? `${spec.user}@disinto.local`,
        password,
      });
    }
  } else if (!passwordOk) {
    // Exists, but the password in .env is missing, wrong, or being rotated.
    if (!password || rotate) password = await newPassword();
    result.password = env.has(spec.passKey) ? "updated" : "created";
    if (!dryRun) {
      await forge.updateUser(spec.user, { password, mustChangePassword: false });
    }
  }

  // 2. The token: kept while it authenticates as this user, else recreated.
  const token = env.get(spec.tokenKey) ?? "";
  let tokenOk = false;
  if (token && !rotate && result.account !== "created") {
    const check = await forge.checkToken(token);
    tokenOk = check.ok && check.login.toLowerCase() === spec.user.toLowerCase();
  }
  if (!tokenOk) {
    result.token = token ? "updated" : "created";
    if (!dryRun) {
      const names = result.account === "created"
        ? []
        : await forge.listTokenNames(spec.user, password);
      if (names.includes(name)) await forge.deleteToken(spec.user, password, name);
      const secret = await forge.createToken(spec.user, password, name, spec.scopes);
      await envWriter.update({ [spec.tokenKey]: secret });
    }
  }

  // 3. Collaborator permissions, compared and re-applied every run.
  const permissionOutcomes: PartOutcome[] = [];
  for (const { repo, permission } of spec.permissions) {
    // A user created just now has no permission anywhere yet: no need to ask.
    const current = result.account === "created"
      ? "none"
      : await forge.collaboratorPermission(repo, spec.user);
    if (current === permission) {
      permissionOutcomes.push("unchanged");
      continue;
    }
    permissionOutcomes.push(current === "none" ? "created" : "updated");
    if (!dryRun) await forge.setCollaborator(repo, spec.user, permission);
  }
  result.permissions = combineOutcomes(permissionOutcomes);
  return result;

  /** A fresh password, saved to .env before the forge hears of it. */
  async function newPassword(): Promise<string> {
    const value = generate();
    if (!dryRun) await envWriter.update({ [spec.passKey]: value });
    return value;
  }
}
