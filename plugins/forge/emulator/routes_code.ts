/** Branches, tags, contents and branch protections, read from and written to real git. */
import { GitNotFound } from "./git_store.ts";
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import { canUserPush, isGlobRule, orderedRules, protectionFor } from "./protection.ts";
import {
  type ApiApp,
  bodyOf,
  canAdmin,
  canWrite,
  type RepoAccess,
  repoAccess,
  signedIn,
} from "./route_kit.ts";
import type { ProtectionRecord, RepoRecord } from "./state.ts";

export function registerCodeRoutes(app: ApiApp, forge: Forge): void {
  const { git, state } = forge;

  /**
   * convert.ToBranch: the rule GetFirstMatchProtectedBranchRule finds, and
   * what this caller may do (an anonymous caller may do nothing).
   */
  const branchJson = (
    found: RepoAccess,
    name: string,
    commit: Parameters<Forge["commitJson"]>[1],
  ) => {
    const { repo, level } = found;
    const user = found.caller?.user ?? null;
    const rule = protectionFor(repo, name);
    const writer = user !== null && canWrite(level);
    const mergers = rule?.fields.enable_merge_whitelist === true
      ? (rule.fields.merge_whitelist_usernames as string[] | undefined) ?? []
      : null;
    return {
      name,
      commit: forge.commitJson(repo, commit),
      protected: rule !== undefined,
      required_approvals: Number(rule?.fields.required_approvals ?? 0),
      enable_status_check: rule?.fields.enable_status_check === true,
      status_check_contexts: (rule?.fields.status_check_contexts as string[] | undefined) ?? [],
      user_can_push: rule && user ? canUserPush(forge, repo, rule, user) : writer,
      // IsUserMergeWhitelisted: the merge whitelist when enabled, else write access.
      user_can_merge: mergers && user
        ? mergers.some((m) => m.toLowerCase() === user.login.toLowerCase())
        : writer,
      effective_branch_protection_name: canAdmin(level) && rule ? rule.ruleName : "",
    };
  };

  app.get("/repos/:owner/:repo/branches", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const branches = (await git.branches(repo.owner, repo.name)).filter((b) =>
      forge.branchVisible(repo, b.name)
    );
    const page = paged(c.req.raw, forge.rootUrl, branches, { link: true });
    // An empty repository lists the JSON literal null.
    const items = branches.length === 0
      ? null
      : page.items.map((b) => branchJson(found.ok, b.name, b.commit));
    return json(200, items, page.headers);
  });

  app.get("/repos/:owner/:repo/branches/:branch{.+}", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const name = c.req.param("branch");
    const branch = await git.branch(repo.owner, repo.name, name);
    if (!branch || !forge.branchVisible(repo, name)) {
      return notFound(forge.rootUrl, undefined, [`branch does not exist [name: ${name}]`]);
    }
    return json(200, branchJson(found.ok, name, branch.commit));
  });

  app.post("/repos/:owner/:repo/branches", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.new_branch_name ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[NewBranchName]: Required");
    if ((await git.branches(repo.owner, repo.name)).length === 0) {
      return apiError(forge.rootUrl, 404, "Git Repository is empty.");
    }
    if (await git.branch(repo.owner, repo.name, name)) {
      return apiError(forge.rootUrl, 409, "The branch already exists.");
    }
    const from = String(body.ok.old_ref_name || body.ok.old_branch_name || repo.defaultBranch);
    try {
      const created = await git.createBranch(repo.owner, repo.name, name, from);
      return json(201, branchJson(found.ok, name, created.commit));
    } catch (error) {
      if (error instanceof GitNotFound) {
        return apiError(forge.rootUrl, 404, "The old branch does not exist");
      }
      throw error;
    }
  });

  app.delete("/repos/:owner/:repo/branches/:branch{.+}", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const name = c.req.param("branch");
    if (name === repo.defaultBranch) {
      return apiError(forge.rootUrl, 403, "can not delete default branch");
    }
    if (!(await git.branch(repo.owner, repo.name, name))) return notFound(forge.rootUrl);
    await git.deleteBranch(repo.owner, repo.name, name);
    return statusOnly(204);
  });

  // --- tags
  const tagJson = (repo: RepoRecord, tag: Awaited<ReturnType<typeof git.tag>> & object) => ({
    name: tag.name,
    message: tag.message ?? "",
    id: tag.tagObjectSha ?? tag.commit.sha,
    commit: {
      url: `${forge.rootUrl}${repo.owner}/${repo.name}/commit/${tag.commit.sha}`,
      sha: tag.commit.sha,
      created: tag.commit.timestamp,
    },
    zipball_url: `${forge.rootUrl}${repo.owner}/${repo.name}/archive/${tag.name}.zip`,
    tarball_url: `${forge.rootUrl}${repo.owner}/${repo.name}/archive/${tag.name}.tar.gz`,
  });

  app.get("/repos/:owner/:repo/tags", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const tags = await git.tags(repo.owner, repo.name);
    const page = paged(c.req.raw, forge.rootUrl, tags.reverse(), { link: true });
    return json(200, page.items.map((t) => tagJson(repo, t)), page.headers);
  });

  app.get("/repos/:owner/:repo/tags/:tag{.+}", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const tag = await git.tag(repo.owner, repo.name, c.req.param("tag"));
    return tag ? json(200, tagJson(repo, tag)) : notFound(forge.rootUrl);
  });

  app.post("/repos/:owner/:repo/tags", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.tag_name ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[TagName]: Required");
    const target = String(body.ok.target || repo.defaultBranch);
    // repo/tag.go CreateTag resolves the target first: a missing one is 404 even when the tag exists.
    const targetMissing = () =>
      apiError(
        forge.rootUrl,
        404,
        `target not found: object does not exist [id: ${target}, rel_path: ]`,
      );
    if (!(await git.resolve(repo.owner, repo.name, target))) return targetMissing();
    if (await git.tag(repo.owner, repo.name, name)) {
      // services/release/tag.go ErrTagAlreadyExists, answered 409 by repo/tag.go CreateTag.
      return apiError(forge.rootUrl, 409, `tag already exists [name: ${name}]`);
    }
    const me = found.ok.caller!.user;
    try {
      const message = typeof body.ok.message === "string" && body.ok.message
        ? body.ok.message
        : undefined;
      const tag = await git.createTag(repo.owner, repo.name, name, target, message, {
        name: me.login,
        email: forge.placeholderEmail(me.login),
      });
      return json(201, tagJson(repo, tag));
    } catch (error) {
      // repo/tag.go CreateTag wraps the git lookup error as "target not found: %w".
      if (error instanceof GitNotFound) return targetMissing();
      throw error;
    }
  });

  app.delete("/repos/:owner/:repo/tags/:tag{.+}", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    return (await git.deleteTag(repo.owner, repo.name, c.req.param("tag")))
      ? statusOnly(204)
      : notFound(forge.rootUrl);
  });

  // --- contents: create one file (optionally on a new branch)
  app.post("/repos/:owner/:repo/contents/:filepath{.+}", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const path = c.req.param("filepath");
    const branch = String(body.ok.branch || repo.defaultBranch);
    const newBranch = typeof body.ok.new_branch === "string" && body.ok.new_branch
      ? body.ok.new_branch
      : undefined;
    let content: Uint8Array;
    try {
      content = Uint8Array.from(atob(String(body.ok.content ?? "")), (ch) => ch.charCodeAt(0));
    } catch {
      return apiError(forge.rootUrl, 422, "[Content]: invalid base64");
    }
    const empty = (await git.branches(repo.owner, repo.name)).length === 0;
    if (!empty && !(await git.branch(repo.owner, repo.name, branch))) {
      return apiError(forge.rootUrl, 404, `branch does not exist [name: ${branch}]`);
    }
    const existing = await git.resolve(repo.owner, repo.name, `refs/heads/${branch}`);
    if (existing && await git.fileExists(repo.owner, repo.name, existing, path)) {
      return apiError(forge.rootUrl, 422, `repository file already exists [path: ${path}]`);
    }
    const me = found.ok.caller!.user;
    const written = await git.writeFile(repo.owner, repo.name, {
      branch,
      ...(newBranch ? { newBranch } : {}),
      path,
      content,
      message: String(body.ok.message || `Add ${path}`),
      author: { name: me.login, email: forge.placeholderEmail(me.login) },
    });
    const at = `${forge.rootUrl}api/v1/repos/${repo.owner}/${repo.name}/contents/${path}`;
    return json(201, {
      content: {
        name: path.split("/").pop(),
        path,
        sha: written.blobSha,
        type: "file",
        size: content.length,
        url: at,
      },
      commit: { sha: written.commit.sha, message: written.commit.message },
    });
  });

  // --- branch protections (repo admin; rules by name; duplicates are 403)
  const protectionJson = (p: ProtectionRecord) => {
    const glob = isGlobRule(p.ruleName);
    return {
      ...PROTECTION_DEFAULTS,
      ...p.fields,
      rule_name: p.ruleName,
      branch_name: glob ? "" : p.ruleName,
      created_at: p.created,
      updated_at: p.updated,
    };
  };

  app.get("/repos/:owner/:repo/branch_protections", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    // FindRepoProtectedBranchRules' order: plain names first, then the oldest.
    const rules = orderedRules(found.ok.repo);
    return json(200, rules.map(protectionJson));
  });

  app.post("/repos/:owner/:repo/branch_protections", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
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
    return json(201, protectionJson(rule));
  });

  const ruleOf = (repo: RepoRecord, name: string) =>
    repo.protections.find((p) => p.ruleName === name);

  app.get("/repos/:owner/:repo/branch_protections/:name", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const rule = ruleOf(found.ok.repo, c.req.param("name"));
    return rule ? json(200, protectionJson(rule)) : notFound(forge.rootUrl);
  });

  app.patch("/repos/:owner/:repo/branch_protections/:name", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
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
    return json(200, protectionJson(rule));
  });

  app.delete("/repos/:owner/:repo/branch_protections/:name", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
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
  for (
    const key of [
      "push_whitelist_usernames",
      "merge_whitelist_usernames",
      "approvals_whitelist_username",
    ]
  ) {
    const names = next[key];
    if (!Array.isArray(names)) continue;
    const kept: string[] = [];
    for (const name of names.map(String)) {
      const user = forge.state.user(name);
      if (!user) return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${name}]`);
      const level = forge.access(repo, user);
      // Push and merge whitelists silently drop users without write access.
      if (key === "approvals_whitelist_username" ? level !== "none" : canWrite(level)) {
        kept.push(user.login);
      }
    }
    next[key] = kept;
  }
  return next;
}
