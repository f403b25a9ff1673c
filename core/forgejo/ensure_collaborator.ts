/**
 * ensureCollaborator: the user has exactly `permission` on the repo. The
 * current permission is read first (collaboratorPermission: "read" only for
 * a real collaborator, not for anyone signed in on a public repo); the owner
 * and site admins ("owner") already have everything and are left alone.
 */
import { collaboratorPermission, type Permission, setCollaborator } from "./collaborators.ts";
import type { Outcome } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";

export async function ensureCollaborator(
  http: ForgejoHttp,
  slug: string,
  user: string,
  permission: Permission,
  options: {
    /** The current permission when known already (a user created just now has "none"). */
    current?: string;
    dryRun?: boolean;
  } = {},
): Promise<Outcome> {
  const current = options.current ?? await collaboratorPermission(http, slug, user);
  if (current === permission || current === "owner") return "unchanged";
  if (!options.dryRun) await setCollaborator(http, slug, user, permission);
  return current === "none" ? "created" : "updated";
}
