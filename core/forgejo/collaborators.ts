/** Repository collaborators (repo admin needed for changes). */
import { type ForgejoHttp, repoParams } from "./http.ts";
import { paginate } from "./paginate.ts";
import { PermissionSchema, type User, UserSchema } from "./schema.ts";

/** A permission a collaborator can be given. */
export type Permission = "read" | "write" | "admin";

/**
 * The permission the user was granted on the repo: "none", "read", "write",
 * "admin" or "owner" (the owner and site admins). "none" for an unknown user
 * and for one who only reads a public repo, as every signed-in user does: the
 * forge answers "read" for them too, so that answer alone does not say they
 * are a collaborator.
 */
export async function collaboratorPermission(
  http: ForgejoHttp,
  slug: string,
  collaborator: string,
): Promise<string> {
  const r = await http.request(
    "GET",
    "/repos/{owner}/{repo}/collaborators/{collaborator}/permission",
    {
      params: { ...repoParams(slug), collaborator },
      accept: [404],
      schema: PermissionSchema,
    },
  );
  if (r.status === 404) return "none";
  if (r.data.permission === "read" && !(await isCollaborator(http, slug, collaborator))) {
    return "none";
  }
  return r.data.permission;
}

/** Add a collaborator or change their permission (204, idempotent). */
export async function setCollaborator(
  http: ForgejoHttp,
  slug: string,
  collaborator: string,
  permission: Permission,
): Promise<void> {
  await http.request("PUT", "/repos/{owner}/{repo}/collaborators/{collaborator}", {
    params: { ...repoParams(slug), collaborator },
    body: { permission },
  });
}

/** Whether the user is a collaborator (the owner is not one). */
export async function isCollaborator(
  http: ForgejoHttp,
  slug: string,
  collaborator: string,
): Promise<boolean> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/collaborators/{collaborator}", {
    params: { ...repoParams(slug), collaborator },
    accept: [404],
  });
  return r.status !== 404;
}

export async function listCollaborators(http: ForgejoHttp, slug: string): Promise<User[]> {
  return await paginate(http, "/repos/{owner}/{repo}/collaborators", {
    params: repoParams(slug),
    item: UserSchema,
  });
}

export async function removeCollaborator(
  http: ForgejoHttp,
  slug: string,
  collaborator: string,
): Promise<void> {
  await http.request("DELETE", "/repos/{owner}/{repo}/collaborators/{collaborator}", {
    params: { ...repoParams(slug), collaborator },
  });
}
