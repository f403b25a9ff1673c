/**
 * Token scopes as Forgejo v11 stores and checks them (shared/FORGEJO-API.md
 * §1.2): validation, normalisation (write implies read, category order, all
 * nine writes collapse to "all") and the categories each route needs.
 */

export const CATEGORIES = [
  "activitypub",
  "admin",
  "misc",
  "notification",
  "organization",
  "package",
  "issue",
  "repository",
  "user",
] as const;

export class ScopeError extends Error {}

export function normalizeScopes(input: readonly string[]): string[] {
  const levels = new Map<string, "read" | "write">();
  let all = false;
  let publicOnly = false;
  for (const raw of input) {
    const scope = raw.trim();
    if (scope === "" || scope === "sudo") continue;
    if (scope === "all") {
      all = true;
      continue;
    }
    if (scope === "public-only") {
      publicOnly = true;
      continue;
    }
    const [level, category] = scope.split(":");
    if (
      (level !== "read" && level !== "write") ||
      !(CATEGORIES as readonly string[]).includes(category ?? "")
    ) {
      throw new ScopeError(
        `invalid access token scope provided: invalid access token scope: ${scope}`,
      );
    }
    if (levels.get(category!) !== "write") levels.set(category!, level);
  }
  const writes = CATEGORIES.filter((c) => levels.get(c) === "write");
  if (all || writes.length === CATEGORIES.length) {
    return publicOnly ? ["public-only", "all"] : ["all"];
  }
  const out = publicOnly ? ["public-only"] : [];
  for (const category of CATEGORIES) {
    const level = levels.get(category);
    if (level) out.push(`${level}:${category}`);
  }
  return out;
}

/** The scope categories a route needs (both when two are listed). */
export function requiredCategories(method: string, apiPath: string): string[] {
  const p = apiPath;
  if (p === "/version" || p.startsWith("/settings/")) return [];
  if (p.startsWith("/admin/")) return ["admin"];
  if (p === "/user/repos" && method === "POST") return ["user", "repository"];
  if (p === "/user" || p.startsWith("/user/") || p.startsWith("/users/")) return ["user"];
  if (p === "/orgs" || p.startsWith("/orgs/")) return ["organization"];
  if (/^\/repos\/[^/]+\/[^/]+\/(issues|labels)(\/|$)/.test(p)) return ["issue"];
  if (p.startsWith("/repos/")) return ["repository"];
  return [];
}

export function scopeAllows(
  scopes: readonly string[],
  method: string,
  apiPath: string,
): string | null {
  const level = method === "GET" || method === "HEAD" ? "read" : "write";
  const missing = requiredCategories(method, apiPath).filter((category) =>
    !(scopes.includes("all") || scopes.includes(`write:${category}`) ||
      (level === "read" && scopes.includes(`read:${category}`)))
  );
  // The categories are checked by chained middlewares (api.go: the /user group,
  // then the /repos route), so the first one that fails is the one reported.
  return missing.length === 0 ? null : `${level}:${missing[0]}`;
}
