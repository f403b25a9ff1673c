/**
 * ensureToken: the caller holds the secret of an access token of the user
 * named `name`. Token routes need basic auth as the user (or an admin).
 *
 * Unchanged when the known secret still authenticates as the user (one read,
 * `GET /user`); otherwise the same-name token (if any) is deleted and a new
 * one created ("updated" when one was replaced). The secret is returned; it
 * is shown by the forge only this once.
 */
import { type Credentials, tokenAuth } from "./auth.ts";
import type { Ensured } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import { createToken, deleteToken, listTokenNames } from "./tokens.ts";
import { whoami } from "./users.ts";

export interface EnsureTokenInput {
  username: string;
  /** Basic auth as the user or a site admin. */
  credentials: Credentials;
  name: string;
  scopes: readonly string[];
  /** The secret the caller has kept, if any. */
  known?: string;
  /** The user's token names when known already (a user created just now has none). */
  names?: readonly string[];
}

/** In a dry run nothing is listed or made: the value is the known secret, or "". */
export async function ensureToken(
  http: ForgejoHttp,
  input: EnsureTokenInput,
  options: { dryRun?: boolean } = {},
): Promise<Ensured<string>> {
  const { username, credentials, name, known } = input;
  if (known) {
    const check = await whoami(http, tokenAuth(known));
    if (check.ok && check.login.toLowerCase() === username.toLowerCase()) {
      return { outcome: "unchanged", value: known };
    }
  }
  if (options.dryRun) return { outcome: known ? "updated" : "created", value: known ?? "" };
  const names = input.names ?? await listTokenNames(http, username, credentials);
  const exists = names.includes(name);
  if (exists) await deleteToken(http, username, name, credentials);
  const token = await createToken(http, username, { name, scopes: input.scopes }, credentials);
  return { outcome: exists ? "updated" : "created", value: token.sha1 };
}
