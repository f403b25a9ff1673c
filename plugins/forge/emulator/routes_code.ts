/** Branches, tags and contents, read from and written to real git (protections: routes_protections.ts). */
import { GitNotFound } from "./git_store.ts";
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import { canUserPush, onWhitelist, protectionFor } from "./protection.ts";
import { registerProtectionRoutes } from "./routes_protections.ts";
import {
  type ApiApp,
  bodyOf,
  canAdmin,
  canWrite,
  type RepoAccess,
  repoAccess,
} from "./route_kit.ts";
import type { RepoRecord } from "./state.ts";

export function registerCodeRoutes(app: ApiApp, forge: Forge): void {
  const { git } = forge;

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
    return {
      name,
      commit: forge.commitJson(repo, commit),
      protected: rule !== undefined,
      required_approvals: Number(rule?.fields.required_approvals ?? 0),
      enable_status_check: rule?.fields.enable_status_check === true,
      status_check_contexts: (rule?.fields.status_check_contexts as string[] | undefined) ?? [],
      user_can_push: rule && user ? canUserPush(forge, repo, rule, user) : writer,
      // IsUserMergeWhitelisted: the merge whitelist when enabled, else write access.
      user_can_merge: rule?.fields.enable_merge_whitelist === true && user
        ? onWhitelist(rule, "merge_whitelist_usernames", user)
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

  registerProtectionRoutes(app, forge);
}
