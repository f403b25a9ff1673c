/**
 * ensureUser: a local user exists, signs in with a password the caller holds,
 * and has `must_change_password` false (a user created with the forge's
 * default cannot use the API at all). Runs as a site admin.
 *
 * A password the caller keeps is tried first, so a user that is as wanted
 * costs one read (`GET /user`); one that does not sign in is set again, never
 * replaced by a new one. Without a kept password, `newPassword` makes one
 * only when the forge needs it, so the caller can save it before the forge
 * hears of it (a run killed in between is repaired by the next).
 */
import { basicAuth } from "./auth.ts";
import { createUser, editUser } from "./admin.ts";
import type { Outcome } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";
import { getUser, whoami } from "./users.ts";

export interface EnsureUserInput {
  username: string;
  email: string;
  /** The password kept for the user, or a maker of a new one (called at most once). */
  password: string | (() => Promise<string>);
}

export interface EnsuredUser {
  /** "updated": must_change_password cleared, or the password set. */
  outcome: Outcome;
  /** Whether the password was set on a user that existed. */
  passwordSet: boolean;
  /** The password the user signs in with now (in a dry run: would). */
  password: string;
}

export async function ensureUser(
  admin: ForgejoHttp,
  input: EnsureUserInput,
  options: { dryRun?: boolean } = {},
): Promise<EnsuredUser> {
  const { username, email } = input;
  const write = !options.dryRun;
  if (typeof input.password === "string") {
    const password = input.password;
    const check = await whoami(admin, basicAuth(username, password));
    if (check.ok) return { outcome: "unchanged", passwordSet: false, password };
    if (check.reason === "must-change-password") {
      if (write) await editUser(admin, username, { must_change_password: false });
      return { outcome: "updated", passwordSet: false, password };
    }
  }
  const exists = (await getUser(admin, username)) !== null;
  const password = typeof input.password === "string" ? input.password : await input.password();
  // null: created meanwhile (e.g. our own create whose answer was lost): set the password.
  if (!exists && (!write || await createUser(admin, { username, email, password }) !== null)) {
    return { outcome: "created", passwordSet: false, password };
  }
  if (write) await editUser(admin, username, { password, must_change_password: false });
  return { outcome: "updated", passwordSet: true, password };
}
