/** What every route module shares: the Hono app type and small guards. */
import type { Context, Hono } from "hono";
import type { Caller } from "./auth.ts";
import type { AccessLevel, Forge } from "./forge.ts";
import { apiError, notFound, readJson } from "./respond.ts";
import { requiredCategories } from "./scopes.ts";
import type { RepoRecord } from "./state.ts";

export type ApiEnv = { Variables: { caller: Caller | null } };
export type ApiApp = Hono<ApiEnv>;
export type ApiContext = Context<ApiEnv>;

export type Guarded<T> = { ok: T } | { error: Response };

export function callerOf(c: ApiContext): Caller | null {
  return c.get("caller") ?? null;
}

/** reqToken: an anonymous caller gets 401 "token is required". */
export function signedIn(c: ApiContext, forge: Forge): Guarded<Caller> {
  const caller = callerOf(c);
  return caller ? { ok: caller } : { error: apiError(forge.rootUrl, 401, "token is required") };
}

export function siteAdmin(c: ApiContext, forge: Forge): Guarded<Caller> {
  const who = signedIn(c, forge);
  if ("error" in who) return who;
  return who.ok.user.isAdmin
    ? who
    : { error: apiError(forge.rootUrl, 403, "user should be the site admin") };
}

export async function bodyOf(
  c: ApiContext,
  forge: Forge,
): Promise<Guarded<Record<string, unknown>>> {
  const read = await readJson(c.req.raw, forge.rootUrl);
  return "error" in read ? read : { ok: read.body };
}

const RANK: Record<AccessLevel, number> = { none: 0, read: 1, write: 2, admin: 3, owner: 4 };

export interface RepoAccess {
  repo: RepoRecord;
  level: AccessLevel;
  caller: Caller | null;
}

/**
 * The repository of `:owner/:repo`: an unknown owner or repo, or one the
 * caller cannot read at all, is 404; missing rights on a visible repo are 403
 * (FORGEJO-API.md §1.8). `need` "write" / "admin" pick the 403 message.
 */
export function repoAccess(
  c: ApiContext,
  forge: Forge,
  need: "read" | "write" | "admin" = "read",
  emptyForbidden = false,
): Guarded<RepoAccess> {
  const owner = c.req.param("owner") ?? "";
  const name = c.req.param("repo") ?? "";
  if (!forge.ownerExists(owner)) {
    return {
      error: notFound(forge.rootUrl, "GetUserByName", [
        `user redirect does not exist [name: ${owner}]`,
      ]),
    };
  }
  const repo = forge.state.repo(owner, name);
  const caller = callerOf(c);
  const level = repo ? forge.access(repo, caller?.user ?? null) : "none";
  if (!repo || level === "none") return { error: notFound(forge.rootUrl) };
  if (repo.private) {
    const path = new URL(c.req.url).pathname.replace(/^\/api\/v1/, "");
    const what = requiredCategories(c.req.method, path).includes("issue") ? "issues" : "repos";
    const refused = publicOnlyRefusal(forge, caller, what);
    if (refused) return { error: refused };
  }
  if (RANK[level] < RANK[need]) {
    if (emptyForbidden) return { error: new Response(null, { status: 403 }) };
    const message = need === "admin"
      ? "user should be an owner or a collaborator with admin write of a repository"
      : "user should have a permission to write to a repo";
    return { error: apiError(forge.rootUrl, 403, message) };
  }
  return { ok: { repo, level, caller } };
}

/**
 * reqToken before the repository: an anonymous caller is 401 whatever the
 * repo, then repoAccess decides as for any caller.
 */
export function signedInRepo(
  c: ApiContext,
  forge: Forge,
  need: "read" | "write" | "admin" = "read",
): Guarded<RepoAccess & { caller: Caller }> {
  const who = signedIn(c, forge);
  if ("error" in who) return who;
  const found = repoAccess(c, forge, need);
  return "error" in found ? found : { ok: { ...found.ok, caller: who.ok } };
}

/**
 * checkTokenPublicOnly (routers/api/v1/api.go, v11): a token with the
 * `public-only` scope gets 403 on a private repo or a non-public org it could
 * otherwise see; it runs after the repo/org is found, before the route's own checks.
 */
export function publicOnlyRefusal(
  forge: Forge,
  caller: Caller | null,
  what: "repos" | "issues" | "orgs",
): Response | null {
  if (!caller?.token?.scopes.includes("public-only")) return null;
  return apiError(forge.rootUrl, 403, `token scope is limited to public ${what}`);
}

export function canWrite(level: AccessLevel): boolean {
  return RANK[level] >= RANK.write;
}

export function canAdmin(level: AccessLevel): boolean {
  return RANK[level] >= RANK.admin;
}

/** Forgejo's username rule (FORGEJO-API.md §1.7). */
export function validUsername(name: string): boolean {
  return name.length <= 40 && /^[A-Za-z0-9](?:[A-Za-z0-9]|[-_.](?=[A-Za-z0-9]))*$/.test(name);
}

const RESERVED_USERS = new Set([
  "admin",
  "api",
  "user",
  "org",
  "repo",
  "explore",
  "issues",
  "pulls",
  "milestones",
  "notifications",
  "login",
  "assets",
  "avatar",
  "avatars",
  "attachments",
  "captcha",
  "metrics",
  "v2",
  "devtest",
  "ghost",
  "gitea-actions",
  "forgejo-actions",
  ".",
  "..",
  "-",
  ".well-known",
  "repo-avatars",
  "favicon.ico",
  "manifest.json",
  "robots.txt",
  "sitemap.xml",
  "ssh_info",
  "swagger.v1.json",
]);

/** null when the name may be used, else Forgejo's 422 message. */
export function reservedUserName(name: string): string | null {
  const lower = name.toLowerCase();
  if (RESERVED_USERS.has(lower)) return `name is reserved [name: ${name}]`;
  for (const suffix of [".keys", ".gpg", ".rss", ".atom", ".png"]) {
    if (lower.endsWith(suffix)) return `name pattern is not allowed [pattern: *${suffix}]`;
  }
  return null;
}

export function reservedRepoName(name: string): string | null {
  const lower = name.toLowerCase();
  if ([".", "..", "-"].includes(lower)) return `name is reserved [name: ${name}]`;
  for (const suffix of [".git", ".wiki", ".rss", ".atom"]) {
    if (lower.endsWith(suffix)) return `name pattern is not allowed [pattern: *${suffix}]`;
  }
  return null;
}
