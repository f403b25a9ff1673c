/**
 * What the issue routes share: finding an issue by its index, and the edits
 * (labels, assignees, title, state) that record timeline events as Forgejo does.
 */
import type { Forge } from "./forge.ts";
import { apiError, json, notFound } from "./respond.ts";
import type { ApiContext } from "./route_kit.ts";
import type { IssueRecord, RepoRecord } from "./state.ts";

/** The issue `:index` names, or IsErrIssueNotExist's 404. */
export function issueOf(c: ApiContext, forge: Forge, repo: RepoRecord): IssueRecord | Response {
  const number = Number.parseInt(c.req.param("index") ?? "", 10) || 0;
  const issue = forge.state.issue(repo, number);
  return issue ?? notFound(forge.rootUrl, "IsErrIssueNotExist", [
    `issue does not exist [id: 0, repo_id: ${repo.id}, index: ${number}]`,
  ]);
}

export function requestedAssignees(body: Record<string, unknown>): string[] {
  const list = Array.isArray(body.assignees) ? body.assignees.map(String) : [];
  if (typeof body.assignee === "string" && body.assignee) list.unshift(body.assignee);
  return [...new Set(list)];
}

/** Label ids from a body: all integers (ids) or all strings (names); unknown ones dropped. */
export function labelIds(forge: Forge, repo: RepoRecord, raw: unknown): number[] | Response {
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
