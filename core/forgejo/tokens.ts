/**
 * Access tokens of a user. Creating and deleting need basic auth (the forge
 * answers 401 to a token), as the user or a site admin: pass `credentials`.
 */
import type { Credentials } from "./auth.ts";
import type { ForgejoHttp } from "./http.ts";
import { type AccessToken, AccessTokenSchema, CreatedTokenSchema } from "./schema.ts";
import { z } from "zod";

/** Every token of the user (no `page` = all of them); `sha1` is "" in listings. */
export async function listTokens(
  http: ForgejoHttp,
  username: string,
  credentials?: Credentials,
): Promise<AccessToken[]> {
  const r = await http.request("GET", "/users/{username}/tokens", {
    params: { username },
    schema: z.array(AccessTokenSchema).nullable(),
    ...(credentials ? { credentials } : {}),
  });
  return r.data ?? [];
}

export async function listTokenNames(
  http: ForgejoHttp,
  username: string,
  credentials?: Credentials,
): Promise<string[]> {
  return (await listTokens(http, username, credentials)).map((token) => token.name);
}

/** Create a token; the answer's `sha1` is the secret, shown this once. */
export async function createToken(
  http: ForgejoHttp,
  username: string,
  input: { name: string; scopes: readonly string[] },
  credentials?: Credentials,
): Promise<AccessToken & { sha1: string }> {
  const r = await http.request("POST", "/users/{username}/tokens", {
    params: { username },
    body: { name: input.name, scopes: input.scopes },
    schema: CreatedTokenSchema,
    ...(credentials ? { credentials } : {}),
  });
  return r.data;
}

/** Delete a token by name or numeric id; false when there was none. */
export async function deleteToken(
  http: ForgejoHttp,
  username: string,
  token: string | number,
  credentials?: Credentials,
): Promise<boolean> {
  const r = await http.request("DELETE", "/users/{username}/tokens/{token}", {
    params: { username, token },
    accept: [404],
    ...(credentials ? { credentials } : {}),
  });
  return r.status !== 404;
}
