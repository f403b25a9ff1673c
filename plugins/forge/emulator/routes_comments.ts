/** Issue comments and the issue timeline (scope: issue). */
import type { Forge } from "./forge.ts";
import { issueOf } from "./issue_kit.ts";
import { apiError, json, paged } from "./respond.ts";
import { type ApiApp, bodyOf, repoAccess } from "./route_kit.ts";

export function registerCommentRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  // --- comments and timeline
  app.get("/repos/:owner/:repo/issues/:index/comments", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const issue = issueOf(c, forge, found.ok.repo);
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
    const issue = issueOf(c, forge, found.ok.repo);
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
    const issue = issueOf(c, forge, found.ok.repo);
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
