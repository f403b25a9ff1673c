/**
 * ensureCollaborator: the user has exactly `permission` on the repo. The
 * current permission is read first; the owner and site admins ("owner")
 * already have everything and are left alone.
 */
import type { Permission } from "../identity/ensure_identity.ts";
import { collaboratorPermission, setCollaborator } from "./collaborators.ts";
import type { Outcome } from "./ensure.ts";
import type { ForgejoHttp } from "./http.ts";

export async function ensureCollaborator(
  http: ForgejoHttp,
  slug: string,
  user: string,
  permission: Permission,
): Promise<Outcome> {
  const current = await collaboratorPermission(http, slug, user);
  if (current === permission || current === "owner") return "unchanged";
  await setCollaborator(http, slug, user, permission);
  return current === "none" ? "created" : "updated";
}
