/** Users: lookups and "who am I". */
import type { Credentials } from "./auth.ts";
import type { ForgejoHttp } from "./http.ts";
import { type User, UserSchema } from "./schema.ts";

/** What a credential check says. */
export type AuthCheck =
  | { ok: true; login: string }
  | { ok: false; reason: "unauthorized" | "must-change-password" };

/** `GET /users/{username}`; null when there is no such user (orgs answer too). */
export async function getUser(http: ForgejoHttp, username: string): Promise<User | null> {
  const r = await http.request("GET", "/users/{username}", {
    params: { username },
    accept: [404],
    schema: UserSchema,
  });
  return r.status === 404 ? null : r.data;
}

/** `GET /user`: the user the client's credentials belong to. */
export async function getMe(http: ForgejoHttp): Promise<User> {
  return (await http.request("GET", "/user", { schema: UserSchema })).data;
}

/** `GET /user` with the given credentials: who they authenticate as, or why not. */
export async function whoami(http: ForgejoHttp, credentials: Credentials): Promise<AuthCheck> {
  const r = await http.request("GET", "/user", {
    credentials,
    accept: [401, 403],
    schema: UserSchema,
  });
  if (r.status === 200) return { ok: true, login: r.data.login };
  const message = String((r.data as { message?: unknown } | null)?.message ?? "");
  if (r.status === 403 && /change your password/i.test(message)) {
    return { ok: false, reason: "must-change-password" };
  }
  return { ok: false, reason: "unauthorized" };
}
