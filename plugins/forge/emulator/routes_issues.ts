/** Labels, issues, issue labels, comments and the timeline (scope: issue). */
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import { type ApiApp, type ApiContext, bodyOf, canWrite, repoAccess } from "./route_kit.ts";
import type { IssueRecord, LabelRecord, RepoRecord } from "./state.ts";

export function registerIssueRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  const issueOf = (c: ApiContext, repo: RepoRecord): IssueRecord | Response => {
    const number = Number.parseInt(c.req.param("index") ?? "", 10) || 0;
    const issue = state.issue(repo, number);
    return issue ?? notFound(forge.rootUrl, "IsErrIssueNotExist", [
      `issue does not exist [id: 0, repo_id: ${repo.id}, index: ${number}]`,
    ]);
  };

  // --- repository labels
  app.get("/repos/:owner/:repo/labels", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const labels = state.repoLabels(found.ok.repo).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id
    );
    if (c.req.query("sort") === "reversealphabetically") labels.reverse();
    const page = paged(c.req.raw, forge.rootUrl, labels, { allWithoutPage: true });
    return json(200, page.items.map((l) => forge.labelJson(l, found.ok.repo)), page.headers);
  });

  app.post("/repos/:owner/:repo/labels", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.name ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[Name]: Required");
    const color = normalizeColor(String(body.ok.color ?? ""));
    if (color === null) {
      return apiError(forge.rootUrl, 422, `bad color code: ${body.ok.color ?? ""}`);
    }
    // No uniqueness check: Forgejo creates a second label of the same name.
    const label: LabelRecord = {
      id: state.nextId("label"),
      repoId: found.ok.repo.id,
      name,
      color,
      description: String(body.ok.description ?? ""),
      exclusive: body.ok.exclusive === true,
      isArchived: body.ok.is_archived === true,
    };
    state.data.labels.push(label);
    forge.onChange();
    return json(201, forge.labelJson(label, found.ok.repo));
  });

  app.get("/repos/:owner/:repo/labels/:id", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const key = c.req.param("id");
    const labels = state.repoLabels(found.ok.repo);
    const label = /^\d+$/.test(key) ? labels.find((l) => l.id === Number(key)) : undefined;
    const byName = label ?? labels.find((l) => l.name === key);
    return byName ? json(200, forge.labelJson(byName, found.ok.repo)) : notFound(forge.rootUrl);
  });

  app.patch("/repos/:owner/:repo/labels/:id", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const label = state.repoLabels(found.ok.repo).find((l) => l.id === Number(c.req.param("id")));
    if (!label) return notFound(forge.rootUrl);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    if (typeof b.name === "string" && b.name) label.name = b.name;
    if (typeof b.color === "string") {
      const color = normalizeColor(b.color);
      if (color === null) return apiError(forge.rootUrl, 422, `bad color code: ${b.color}`);
      label.color = color;
    }
    if (typeof b.description === "string") label.description = b.description;
    if (typeof b.exclusive === "boolean") label.exclusive = b.exclusive;
    label.isArchived = b.is_archived === true;
    forge.onChange();
    return json(200, forge.labelJson(label, found.ok.repo));
  });

  app.delete("/repos/:owner/:repo/labels/:id", (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const id = Number(c.req.param("id"));
    const label = state.repoLabels(found.ok.repo).find((l) => l.id === id);
    if (label) {
      // Deleting a label also deletes its issue links and its timeline events.
      state.data.labels = state.data.labels.filter((l) => l !== label);
      for (const issue of state.data.issues) issue.labels = issue.labels.filter((l) => l !== id);
      state.data.events = state.data.events.filter((e) => e.labelId !== id);
      forge.onChange();
    }
    return statusOnly(204);
  });

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
    const issue = issueOf(c, found.ok.repo);
    return issue instanceof Response ? issue : json(200, forge.issueJson(issue, found.ok.repo));
  });

  app.patch("/repos/:owner/:repo/issues/:index", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, found.ok.repo);
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
    const issue = issueOf(c, found.ok.repo);
    if (issue instanceof Response) return issue;
    return json(200, forge.issueJson(issue, found.ok.repo).labels);
  });

  const labelChange = (mode: "add" | "replace") => async (c: ApiContext) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const issue = issueOf(c, repo);
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
    const issue = issueOf(c, found.ok.repo);
    if (issue instanceof Response) return issue;
    for (const id of [...issue.labels]) removeLabel(forge, issue, id, found.ok.caller!.user.login);
    forge.onChange();
    return statusOnly(204);
  });

  app.delete("/repos/:owner/:repo/issues/:index/labels/:id", (c) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const issue = issueOf(c, found.ok.repo);
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

  // --- comments and timeline
  app.get("/repos/:owner/:repo/issues/:index/comments", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, found.ok.repo);
    if (issue instanceof Response) return issue;
    // Paging is ignored here: every comment, oldest first.
    const comments = state.issueEvents(issue).filter((e) => e.type === "comment");
    return json(
      200,
      comments.map((e) => forge.commentJson(e, found.ok.repo, issue)),
      { "x-total-count": String(comments.length) },
    );
  });

  app.post("/repos/:owner/:repo/issues/:index/comments", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    if (!found.ok.caller) return apiError(forge.rootUrl, 401, "token is required");
    const issue = issueOf(c, found.ok.repo);
    if (issue instanceof Response) return issue;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const text = String(body.ok.body ?? "");
    if (!text) return apiError(forge.rootUrl, 422, "[Body]: Required");
    const event = forge.addEvent(issue, "comment", found.ok.caller.user.login, { body: text });
    forge.onChange();
    return json(201, forge.commentJson(event, found.ok.repo, issue));
  });

  app.get("/repos/:owner/:repo/issues/:index/timeline", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, found.ok.repo);
    if (issue instanceof Response) return issue;
    const q = new URL(c.req.url).searchParams;
    const since = q.get("since");
    const before = q.get("before");
    if (
      (since && Number.isNaN(Date.parse(since))) || (before && Number.isNaN(Date.parse(before)))
    ) {
      return apiError(forge.rootUrl, 422, "invalid since/before");
    }
    const events = state.issueEvents(issue).filter((e) =>
      (!since || Date.parse(e.updated) >= Date.parse(since)) &&
      (!before || Date.parse(e.updated) < Date.parse(before))
    ).sort((a, b) => Date.parse(a.created) - Date.parse(b.created) || a.id - b.id);
    const page = paged(c.req.raw, forge.rootUrl, events, { allWithoutPage: true, countPage: true });
    // ListIssueCommentsAndTimeline appends to a nil slice: no events is `null`.
    const items = page.items.map((e) => forge.timelineJson(e, found.ok.repo, issue));
    return json(200, items.length === 0 ? null : items, page.headers);
  });
}

/** `#RGB`, `RGB`, `#RRGGBB`, `RRGGBB`, any case → six lowercase hex digits. */
export function normalizeColor(input: string): string | null {
  const hex = input.replace(/^#/, "").toLowerCase();
  if (/^[0-9a-f]{6}$/.test(hex)) return hex;
  if (/^[0-9a-f]{3}$/.test(hex)) return [...hex].map((ch) => ch + ch).join("");
  return null;
}

function requestedAssignees(body: Record<string, unknown>): string[] {
  const list = Array.isArray(body.assignees) ? body.assignees.map(String) : [];
  if (typeof body.assignee === "string" && body.assignee) list.unshift(body.assignee);
  return [...new Set(list)];
}

/** Label ids from a body: all integers (ids) or all strings (names); unknown ones dropped. */
function labelIds(forge: Forge, repo: RepoRecord, raw: unknown): number[] | Response {
  const list = Array.isArray(raw) ? raw : [];
  const allNumbers = list.every((l) => typeof l === "number");
  const allStrings = list.every((l) => typeof l === "string");
  if (!allNumbers && !allStrings) {
    const bad = list.some((l) => typeof l !== "number" && typeof l !== "string");
    return apiError(
      forge.rootUrl,
      400,
      bad
        ? "a label must be an integer or a string"
        : "labels should be an array of strings or integers",
    );
  }
  const labels = forge.state.repoLabels(repo);
  return allNumbers
    ? (list as number[]).filter((id) => labels.some((l) => l.id === id))
    : (list as string[]).flatMap((n) => labels.filter((l) => l.name === n).map((l) => l.id));
}

export function addLabels(
  forge: Forge,
  repo: RepoRecord,
  issue: IssueRecord,
  ids: number[],
  actor: string,
): void {
  for (const id of ids) {
    const label = forge.state.label(id);
    if (!label || label.repoId !== repo.id || issue.labels.includes(id)) continue;
    const scope = label.exclusive ? exclusiveScope(label.name) : null;
    if (scope) {
      for (const other of [...issue.labels]) {
        const o = forge.state.label(other);
        if (o && o.exclusive && exclusiveScope(o.name) === scope) {
          removeLabel(forge, issue, other, actor);
        }
      }
    }
    issue.labels.push(id);
    forge.addEvent(issue, "label", actor, { body: "1", labelId: id });
  }
}

function exclusiveScope(name: string): string | null {
  const slash = name.lastIndexOf("/");
  return slash > 0 ? name.slice(0, slash) : null;
}

export function removeLabel(forge: Forge, issue: IssueRecord, id: number, actor: string): void {
  if (!issue.labels.includes(id)) return;
  issue.labels = issue.labels.filter((l) => l !== id);
  forge.addEvent(issue, "label", actor, { body: "", labelId: id });
}

/** Replace the assignee set: removal events first, then additions. */
export function setAssignees(
  forge: Forge,
  issue: IssueRecord,
  wanted: string[],
  actor: string,
): void {
  const lower = (s: string) => s.toLowerCase();
  for (const gone of issue.assignees.filter((a) => !wanted.map(lower).includes(lower(a)))) {
    forge.addEvent(issue, "assignees", actor, { assignee: gone, removedAssignee: true });
  }
  for (const added of wanted.filter((w) => !issue.assignees.map(lower).includes(lower(w)))) {
    forge.addEvent(issue, "assignees", actor, { assignee: added, removedAssignee: false });
  }
  issue.assignees = wanted;
}

/** PATCH of an issue or pull: null on success, else the error answer. */
export function applyIssueEdit(
  forge: Forge,
  repo: RepoRecord,
  issue: IssueRecord,
  b: Record<string, unknown>,
  actor: string,
  writer: boolean,
): Response | null {
  if (writer && (Array.isArray(b.assignees) || typeof b.assignee === "string")) {
    const wanted = requestedAssignees(b);
    for (const a of wanted) {
      const user = forge.state.user(a);
      // Forgejo answers an unknown assignee on edit with a blank 500.
      if (!user || forge.access(repo, user) === "none") {
        return json(500, { message: "", url: `${forge.rootUrl}api/swagger` });
      }
    }
    setAssignees(forge, issue, wanted.map((a) => forge.state.user(a)!.login), actor);
  }
  if (typeof b.title === "string" && b.title !== "" && b.title !== issue.title) {
    forge.addEvent(issue, "change_title", actor, { oldTitle: issue.title, newTitle: b.title });
    issue.title = b.title;
  }
  if (typeof b.body === "string") issue.body = b.body;
  if (typeof b.state === "string") {
    const next = b.state === "closed" ? "closed" : "open";
    if (issue.pull?.merged && next !== issue.state) {
      return apiError(forge.rootUrl, 412, "cannot change state of a merged pull request");
    }
    if (next !== issue.state) {
      issue.state = next;
      issue.closed = next === "closed" ? forge.iso() : null;
      forge.addEvent(issue, next === "closed" ? "close" : "reopen", actor);
    }
  }
  issue.updated = forge.iso();
  return null;
}
