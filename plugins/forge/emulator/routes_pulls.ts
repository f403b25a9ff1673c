/** Pull requests: list, open, read and edit, over real git heads (scope: repository). */
import type { Forge } from "./forge.ts";
import { pullJson, pullOf } from "./pull_kit.ts";
import { addLabels, applyIssueEdit, removeLabel } from "./issue_kit.ts";
import { registerMergeRoutes } from "./routes_merge.ts";
import { registerMirrorRoutes } from "./routes_mirrors.ts";
import { registerReviewRoutes } from "./routes_reviews.ts";
import { apiError, json, notFound, paged } from "./respond.ts";
import { type ApiApp, bodyOf, canWrite, repoAccess } from "./route_kit.ts";
import type { IssueRecord } from "./state.ts";

export function registerPullRoutes(app: ApiApp, forge: Forge): void {
  const { git, state } = forge;

  app.get("/repos/:owner/:repo/pulls", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const q = new URL(c.req.url).searchParams;
    const wanted = q.get("state"); // omitted: open AND closed
    const labelIds = q.getAll("labels").map(Number);
    if (labelIds.some((n) => !Number.isInteger(n))) {
      return json(500, { message: "", url: `${forge.rootUrl}api/swagger` });
    }
    const poster = q.get("poster");
    if (poster && !state.user(poster)) {
      return apiError(forge.rootUrl, 400, `user does not exist [uid: 0, name: ${poster}]`);
    }
    const pulls = state.data.issues.filter((i) =>
      i.repoId === repo.id && i.pull &&
      (!wanted || wanted === "all" || i.state === wanted) &&
      (labelIds.length === 0 || i.labels.some((l) => labelIds.includes(l))) &&
      (!poster || i.poster.toLowerCase() === poster.toLowerCase())
    ).sort((a, b) => q.get("sort") === "oldest" ? a.id - b.id : b.id - a.id);
    const page = paged(c.req.raw, forge.rootUrl, pulls, { link: true });
    return json(
      200,
      await Promise.all(page.items.map((p) => pullJson(forge, repo, p))),
      page.headers,
    );
  });

  app.post("/repos/:owner/:repo/pulls", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    if (!found.ok.caller) return apiError(forge.rootUrl, 401, "token is required");
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const head = String(b.head ?? "").replace(/^[^:]+:/, "");
    const baseName = String(b.base ?? "");
    const title = String(b.title ?? "");
    if (!head) return apiError(forge.rootUrl, 422, "[Head]: Required");
    if (!baseName) return apiError(forge.rootUrl, 422, "[Base]: Required");
    if (!title) return apiError(forge.rootUrl, 422, "[Title]: Required");
    if (!(await git.branch(repo.owner, repo.name, baseName))) {
      return notFound(forge.rootUrl, "BaseNotExist");
    }
    if (!(await git.branch(repo.owner, repo.name, head))) {
      return notFound(forge.rootUrl, "IsRefExist");
    }
    if (head === baseName) {
      return apiError(
        forge.rootUrl,
        422,
        "Invalid PullRequest: There are no changes between the head and the base",
      );
    }
    const open = state.data.issues.find((i) =>
      i.repoId === repo.id && i.state === "open" && i.pull?.head === head &&
      i.pull.base === baseName
    );
    if (open) {
      return apiError(
        forge.rootUrl,
        409,
        `pull request already exists for these targets [id: ${open.id}, issue_id: ${open.id}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${head}, base_branch: ${baseName}]`,
      );
    }
    const actor = found.ok.caller.user.login;
    const at = forge.iso();
    const issue: IssueRecord = {
      id: state.nextId("issue"),
      repoId: repo.id,
      number: repo.nextIndex++,
      title,
      body: String(b.body ?? ""),
      poster: actor,
      state: "open",
      labels: [],
      assignees: [],
      created: at,
      updated: at,
      closed: null,
      pull: {
        head,
        base: baseName,
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        mergeableAt: forge.now() + forge.knobs.mergeCheckMs,
      },
    };
    state.data.issues.push(issue);
    if (canWrite(found.ok.level) && Array.isArray(b.labels)) {
      addLabels(
        forge,
        repo,
        issue,
        b.labels.filter((l): l is number => typeof l === "number"),
        actor,
      );
    }
    forge.onChange();
    return json(201, await pullJson(forge, repo, issue));
  });

  app.get("/repos/:owner/:repo/pulls/:index", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, forge, found.ok.repo);
    return pull instanceof Response ? pull : json(200, await pullJson(forge, found.ok.repo, pull));
  });

  app.patch("/repos/:owner/:repo/pulls/:index", async (c) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const pull = pullOf(c, forge, repo);
    if (pull instanceof Response) return pull;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const actor = found.ok.caller!.user.login;
    const failed = applyIssueEdit(forge, repo, pull, body.ok, actor, true);
    if (failed) return failed;
    if (Array.isArray(body.ok.labels)) {
      const ids = body.ok.labels.filter((l): l is number => typeof l === "number");
      addLabels(forge, repo, pull, ids, actor);
      for (const id of [...pull.labels]) if (!ids.includes(id)) removeLabel(forge, pull, id, actor);
    }
    if (typeof body.ok.base === "string" && body.ok.base) pull.pull!.base = body.ok.base;
    forge.onChange();
    return json(201, await pullJson(forge, repo, pull));
  });

  registerMergeRoutes(app, forge);
  registerReviewRoutes(app, forge);
  registerMirrorRoutes(app, forge);
}
