/** Branch protection rules: kept by rule name, read and changed by a repo admin (scope: repository). */
import type { Forge } from "./forge.ts";
import { isGlobRule, orderedRules } from "./protection.ts";
import { apiError, json, notFound, statusOnly } from "./respond.ts";
import { type ApiApp, bodyOf, canWrite, signedInRepo } from "./route_kit.ts";
import type { ProtectionRecord, RepoRecord, UserRecord } from "./state.ts";

export function registerProtectionRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  const protectionJson = (repo: RepoRecord, p: ProtectionRecord) => {
    const glob = isGlobRule(p.ruleName);
    return {
      ...PROTECTION_DEFAULTS,
      ...p.fields,
      ...whitelistsOfReaders(forge, repo, p.fields),
      rule_name: p.ruleName,
      branch_name: glob ? "" : p.ruleName,
      created_at: p.created,
      updated_at: p.updated,
    };
  };

  app.get("/repos/:owner/:repo/branch_protections", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    // FindRepoProtectedBranchRules' order: plain names first, then the oldest.
    const rules = orderedRules(found.ok.repo);
    return json(200, rules.map((rule) => protectionJson(found.ok.repo, rule)));
  });

  app.post("/repos/:owner/:repo/branch_protections", async (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.rule_name || body.ok.branch_name || "");
    if (!name) return apiError(forge.rootUrl, 400, "both rule_name and branch_name are empty");
    if (repo.protections.some((p) => p.ruleName === name)) {
      return apiError(forge.rootUrl, 403, "Branch protection already exist");
    }
    const fields = protectionFields(forge, repo, {}, body.ok);
    if (fields instanceof Response) return fields;
    const at = forge.iso();
    const rule = {
      id: state.nextId("protection"),
      ruleName: name,
      fields,
      created: at,
      updated: at,
    };
    repo.protections.push(rule);
    forge.onChange();
    return json(201, protectionJson(repo, rule));
  });

  const ruleOf = (repo: RepoRecord, name: string) =>
    repo.protections.find((p) => p.ruleName === name);

  app.get("/repos/:owner/:repo/branch_protections/:name", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const rule = ruleOf(found.ok.repo, c.req.param("name"));
    return rule ? json(200, protectionJson(found.ok.repo, rule)) : notFound(forge.rootUrl);
  });

  app.patch("/repos/:owner/:repo/branch_protections/:name", async (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const rule = ruleOf(found.ok.repo, c.req.param("name"));
    if (!rule) return notFound(forge.rootUrl);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const fields = protectionFields(forge, found.ok.repo, rule.fields, body.ok);
    if (fields instanceof Response) return fields;
    rule.fields = fields;
    rule.updated = forge.iso();
    forge.onChange();
    return json(200, protectionJson(found.ok.repo, rule));
  });

  app.delete("/repos/:owner/:repo/branch_protections/:name", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const rule = ruleOf(found.ok.repo, c.req.param("name"));
    if (!rule) return notFound(forge.rootUrl);
    found.ok.repo.protections = found.ok.repo.protections.filter((p) => p !== rule);
    forge.onChange();
    return statusOnly(204);
  });
}

export const PROTECTION_DEFAULTS: Record<string, unknown> = {
  enable_push: false,
  enable_push_whitelist: false,
  push_whitelist_usernames: [],
  push_whitelist_teams: [],
  push_whitelist_deploy_keys: false,
  enable_merge_whitelist: false,
  merge_whitelist_usernames: [],
  merge_whitelist_teams: [],
  enable_status_check: false,
  status_check_contexts: null,
  required_approvals: 0,
  enable_approvals_whitelist: false,
  approvals_whitelist_username: [],
  approvals_whitelist_teams: [],
  block_on_rejected_reviews: false,
  block_on_official_review_requests: false,
  block_on_outdated_branch: false,
  dismiss_stale_approvals: false,
  ignore_stale_approvals: false,
  require_signed_commits: false,
  protected_file_patterns: "",
  unprotected_file_patterns: "",
  apply_to_admins: false,
};

const KNOWN = new Set(Object.keys(PROTECTION_DEFAULTS));

/** Merge a create/PATCH body into the rule's fields with Forgejo's whitelist rules. */
function protectionFields(
  forge: Forge,
  repo: RepoRecord,
  current: Record<string, unknown>,
  body: Record<string, unknown>,
): Record<string, unknown> | Response {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(body)) {
    if (KNOWN.has(key) && value !== undefined) next[key] = value; // v11-unknown fields are ignored
  }
  // The push whitelist only takes effect with enable_push:true in the same body.
  if (body.enable_push !== true) {
    if ("enable_push_whitelist" in body || body.enable_push === false) {
      next.enable_push_whitelist = false;
    }
    if ("push_whitelist_deploy_keys" in body || body.enable_push === false) {
      next.push_whitelist_deploy_keys = false;
    }
  }
  if (typeof next.required_approvals === "number" && next.required_approvals < 0) {
    next.required_approvals = 0;
  }
  for (const key of USER_KEYS) {
    const names = next[key];
    if (!Array.isArray(names)) continue;
    const kept: string[] = [];
    for (const name of names.map(String)) {
      const user = forge.state.user(name);
      if (!user) return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${name}]`);
      // UpdateProtectBranch (models/git/protected_branch.go) silently drops users:
      // updateUserWhitelist (push, merge) those without write access,
      // updateApprovalWhitelist those without explicit read access (IsRepoReader).
      const keep = key === "approvals_whitelist_username"
        ? isRepoReader(forge, repo, user)
        : canWrite(forge.access(repo, user));
      if (keep) kept.push(user.login);
    }
    next[key] = kept;
  }
  // Team names are looked up only when the owner is an organization
  // (routers/api/v1/repo/branch.go); a user's repo keeps none.
  if (!forge.state.org(repo.owner)) {
    for (const key of TEAM_KEYS) if (key in next) next[key] = [];
  }
  return next;
}

const USER_KEYS = [
  "push_whitelist_usernames",
  "merge_whitelist_usernames",
  "approvals_whitelist_username",
] as const;
const TEAM_KEYS = ["push_whitelist_teams", "merge_whitelist_teams", "approvals_whitelist_teams"];

/**
 * IsRepoReader (models/perm/access/repo_permission.go): the owner or a row in
 * the access table (a collaborator, an org owner), so not a site admin nor a
 * stranger who can read a public repo.
 */
function isRepoReader(forge: Forge, repo: RepoRecord, user: UserRecord): boolean {
  const login = user.login.toLowerCase();
  if (repo.owner.toLowerCase() === login || repo.collaborators[login]) return true;
  return forge.state.org(repo.owner)?.owners.some((o) => o.toLowerCase() === login) ?? false;
}

/**
 * ToBranchProtection (services/convert/convert.go) lists only whitelisted
 * users who still read the repo (GetRepoReaders).
 */
function whitelistsOfReaders(
  forge: Forge,
  repo: RepoRecord,
  fields: Record<string, unknown>,
): Record<string, string[]> {
  const lists: Record<string, string[]> = {};
  for (const key of USER_KEYS) {
    const names = fields[key];
    if (!Array.isArray(names)) continue;
    lists[key] = names.map(String).filter((name) => {
      const user = forge.state.user(name);
      return user !== undefined && isRepoReader(forge, repo, user);
    });
  }
  return lists;
}
