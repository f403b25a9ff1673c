/**
 * ensureUser: a local user exists with `must_change_password` false (a user
 * created with the forge's default cannot use the API at all), and — when
 * asked — with the given password. Runs as a site admin.
 */
import { basicAuth } from "./auth.ts";
import { createUser, editUser } from "./admin.ts";
import type { Outcome } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import { getUser, whoami } from "./users.ts";

export interface EnsureUserInput {
  username: string;
  email: string;
  password: string;
  /** Make `password` the user's password if it does not authenticate now. */
  updatePassword?: boolean;
}

export async function ensureUser(admin: ForgejoHttp, input: EnsureUserInput): Promise<Outcome> {
  const { username, email, password } = input;
  if ((await getUser(admin, username)) === null) {
    // null: created meanwhile by someone else (or by our own lost first answer).
    if (await createUser(admin, { username, email, password }) !== null) return "created";
  }
  const check = await whoami(admin, basicAuth(username, password));
  if (check.ok) return "unchanged";
  if (check.reason === "must-change-password") {
    await editUser(admin, username, {
      must_change_password: false,
      ...(input.updatePassword ? { password } : {}),
    });
    return "updated";
  }
  if (!input.updatePassword) return "unchanged";
  await editUser(admin, username, { password, must_change_password: false });
  return "updated";
}
