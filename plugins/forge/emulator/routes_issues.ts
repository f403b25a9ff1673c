/** Issues and their labels (scope: issue). */
import type { Forge } from "./forge.ts";
import {
  addLabels,
  applyIssueEdit,
  issueOf,
  labelIds,
  removeLabel,
  requestedAssignees,
  setAssignees,
} from "./issue_kit.ts";
import { registerCommentRoutes } from "./routes_comments.ts";
import { registerLabelRoutes } from "./routes_labels.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import { type ApiApp, type ApiContext, bodyOf, canWrite, repoAccess } from "./route_kit.ts";
import type { IssueRecord } from "./state.ts";

export function registerIssueRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  registerLabelRoutes(app, forge);

  // --- issues
  app.get("/repos/:owner/:repo/issues", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const q = new URL(c.req.url).searchParams;
    const stateFilter = q.get("state") === "closed"
      ? "closed"
      : q.get("state") === "all"
      ? "all"
      : "open";
    const type = q.get("type");
    const names = (q.get("labels") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const labels = state.repoLabels(repo);
    const wanted = names.flatMap((n) => labels.filter((l) => l.name === n).map((l) => l.id));
    const wantedNames = new Set(names.filter((n) => labels.some((l) => l.name === n)));
    for (const param of ["created_by", "assigned_by", "mentioned_by"]) {
      const who = q.get(param);
      if (who && !state.user(who)) {
        return notFound(forge.rootUrl, undefined, [`user redirect does not exist [name: ${who}]`]);
      }
    }
    const createdBy = q.get("created_by")?.toLowerCase();
    const assignedBy = q.get("assigned_by")?.toLowerCase();
    let items = state.data.issues.filter((i) =>
      i.repoId === repo.id &&
      (stateFilter === "all" || i.state === stateFilter) &&
      (type === "issues" ? !i.pull : type === "pulls" ? i.pull !== null : true) &&
      // AND over the label names that exist; none existing means no filter.
      [...wantedNames].every((n) =>
        i.labels.some((id) => wanted.includes(id) && state.label(id)?.name === n)
      ) &&
      (!createdBy || i.poster.toLowerCase() === createdBy) &&
      (!assignedBy || i.assignees.some((a) => a.toLowerCase() === assignedBy))
    );
    const sort = q.get("sort") ?? "latest";
    items = items.sort((a, b) => sort === "oldest" ? a.id - b.id : b.id - a.id);
    const page = paged(c.req.raw, forge.rootUrl, items, { link: true });
    return json(200, page.items.map((i) => forge.issueJson(i, repo)), page.headers);
  });

  app.post("/repos/:owner/:repo/issues", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    if (!found.ok.caller) return apiError(forge.rootUrl, 401, "token is required");
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const title = String(b.title ?? "");
    if (!title) return apiError(forge.rootUrl, 422, "[Title]: Required");
    const repo = found.ok.repo;
    const writer = canWrite(found.ok.level);
    if (
      b.labels !== undefined &&
      (!Array.isArray(b.labels) || b.labels.some((l) => typeof l !== "number"))
    ) {
      return apiError(
        forge.rootUrl,
        422,
        "[]: json: cannot unmarshal string into Go struct field CreateIssueOption.labels of type int64",
      );
    }
    const assignees = writer ? requestedAssignees(b) : [];
    for (const a of assignees) {
      const user = state.user(a);
      if (!user) return apiError(forge.rootUrl, 422, `Assignee does not exist: [name: ${a}]`);
      if (forge.access(repo, user) === "none") {
        return apiError(
          forge.rootUrl,
          422,
          `user does not have access to repo [user_id: ${user.id}, repo_id: ${repo.id}]`,
        );
      }
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
      state: b.closed === true ? "closed" : "open",
      labels: [],
      assignees: [],
      created: at,
      updated: at,
      closed: b.closed === true ? at : null,
      pull: null,
    };
    state.data.issues.push(issue);
    if (writer) {
      addLabels(forge, repo, issue, (b.labels as number[] | undefined) ?? [], actor);
      setAssignees(forge, issue, assignees.map((a) => state.user(a)!.login), actor);
    }
    forge.onChange();
    return json(201, forge.issueJson(issue, repo));
  });

  app.get("/repos/:owner/:repo/issues/:index", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
    return issue instanceof Response ? issue : json(200, forge.issueJson(issue, found.ok.repo));
  });

  app.patch("/repos/:owner/:repo/issues/:index", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
    if (issue instanceof Response) return issue;
    const me = found.ok.caller?.user;
    const writer = canWrite(found.ok.level);
    if (!me || (!writer && me.login.toLowerCase() !== issue.poster.toLowerCase())) {
      return statusOnly(403);
    }
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const result = applyIssueEdit(forge, found.ok.repo, issue, body.ok, me.login, writer);
    if (result) return result;
    forge.onChange();
    return json(201, forge.issueJson(issue, found.ok.repo));
  });

  // --- issue labels
  app.get("/repos/:owner/:repo/issues/:index/labels", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
    if (issue instanceof Response) return issue;
    return json(200, forge.issueJson(issue, found.ok.repo).labels);
  });

  const labelChange = (mode: "add" | "replace") => async (c: ApiContext) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const issue = issueOf(c, forge, repo);
    if (issue instanceof Response) return issue;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const ids = labelIds(forge, repo, body.ok.labels);
    if (ids instanceof Response) return ids;
    const actor = found.ok.caller!.user.login;
    if (mode === "replace") {
      addLabels(forge, repo, issue, ids, actor);
      for (const id of [...issue.labels]) {
        if (!ids.includes(id)) removeLabel(forge, issue, id, actor);
      }
    } else addLabels(forge, repo, issue, ids, actor);
    forge.onChange();
    return json(200, forge.issueJson(issue, repo).labels);
  };
  app.post("/repos/:owner/:repo/issues/:index/labels", labelChange("add"));
  app.put("/repos/:owner/:repo/issues/:index/labels", labelChange("replace"));

  app.delete("/repos/:owner/:repo/issues/:index/labels", (c) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
    if (issue instanceof Response) return issue;
    for (const id of [...issue.labels]) removeLabel(forge, issue, id, found.ok.caller!.user.login);
    forge.onChange();
    return statusOnly(204);
  });

  app.delete("/repos/:owner/:repo/issues/:index/labels/:id", (c) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
    if (issue instanceof Response) return issue;
    const id = /^\d+$/.test(c.req.param("id")) ? Number(c.req.param("id")) : 0;
    if (!state.label(id)) {
      return apiError(forge.rootUrl, 422, `label does not exist [label_id: ${id}]`);
    }
    if (issue.labels.includes(id)) {
      removeLabel(forge, issue, id, found.ok.caller!.user.login);
      forge.onChange();
    }
    return statusOnly(204);
  });

  registerCommentRoutes(app, forge);
}
