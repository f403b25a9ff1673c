/**
 * ensureToken: the user has an access token named `name`, and the caller
 * holds its secret. Token routes need basic auth as the user (or an admin).
 *
 * Unchanged when the known secret still authenticates as the user AND a
 * token of that name exists; otherwise the same-name token (if any) is
 * deleted and a new one created ("updated" when one was replaced). The
 * secret is returned; it is shown by the forge only this once.
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
}

export async function ensureToken(
  http: ForgejoHttp,
  input: EnsureTokenInput,
): Promise<Ensured<string>> {
  const { username, credentials, name } = input;
  const names = await listTokenNames(http, username, credentials);
  const exists = names.includes(name);
  if (input.known && exists) {
    const check = await whoami(http, tokenAuth(input.known));
    if (check.ok && check.login.toLowerCase() === username.toLowerCase()) {
      return { outcome: "unchanged", value: input.known };
    }
  }
  if (exists) await deleteToken(http, username, name, credentials);
  const token = await createToken(http, username, { name, scopes: input.scopes }, credentials);
  return { outcome: exists ? "updated" : "created", value: token.sha1 };
}
