/** Pull request reviews: list and submit (scope: repository). */
import type { Forge } from "./forge.ts";
import { pullOf } from "./pull_kit.ts";
import { apiError, json, paged } from "./respond.ts";
import { type ApiApp, bodyOf, repoAccess } from "./route_kit.ts";

export function registerReviewRoutes(app: ApiApp, forge: Forge): void {
  const { git, state } = forge;

  app.get("/repos/:owner/:repo/pulls/:index/reviews", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, forge, found.ok.repo);
    if (pull instanceof Response) return pull;
    const reviews = state.data.reviews.filter((r) => r.issueId === pull.id);
    const page = paged(c.req.raw, forge.rootUrl, reviews);
    return json(
      200,
      page.items.map((r) => ({
        id: r.id,
        user: forge.actorJson(r.user),
        team: null,
        state: r.state,
        body: r.body,
        commit_id: r.commitId,
        stale: false,
        official: true,
        dismissed: false,
        comments_count: 0,
        submitted_at: r.submitted,
        updated_at: r.submitted,
        html_url: `${
          pull ? forge.issueJson(pull, found.ok.repo).html_url : ""
        }#issuecomment-${r.id}`,
        pull_request_url: forge.issueJson(pull, found.ok.repo).html_url,
      })),
      page.headers,
    );
  });

  app.post("/repos/:owner/:repo/pulls/:index/reviews", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    if (!found.ok.caller) return apiError(forge.rootUrl, 401, "token is required");
    const repo = found.ok.repo;
    const pull = pullOf(c, forge, repo);
    if (pull instanceof Response) return pull;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const event = String(body.ok.event ?? "").toUpperCase();
    const states: Record<string, string> = {
      APPROVED: "APPROVED",
      APPROVE: "APPROVED",
      REQUEST_CHANGES: "REQUEST_CHANGES",
      COMMENT: "COMMENT",
      "": "PENDING",
    };
    const reviewState = states[event];
    if (!reviewState) return apiError(forge.rootUrl, 422, `unknown review event: ${event}`);
    const me = found.ok.caller.user;
    if (
      reviewState !== "COMMENT" && reviewState !== "PENDING" &&
      me.login.toLowerCase() === pull.poster.toLowerCase()
    ) {
      return apiError(
        forge.rootUrl,
        422,
        reviewState === "APPROVED"
          ? "approve your own pull is not allowed"
          : "reject your own pull is not allowed",
      );
    }
    const review = {
      id: state.nextId("review"),
      issueId: pull.id,
      user: me.login,
      state: reviewState,
      body: String(body.ok.body ?? ""),
      commitId: String(
        body.ok.commit_id ||
          (await git.resolve(repo.owner, repo.name, `refs/heads/${pull.pull!.head}`)) || "",
      ),
      submitted: forge.iso(),
    };
    state.data.reviews.push(review);
    forge.addEvent(pull, "review", me.login, { body: review.body });
    forge.onChange();
    return json(200, {
      id: review.id,
      user: forge.actorJson(me.login),
      state: review.state,
      body: review.body,
      commit_id: review.commitId,
      submitted_at: review.submitted,
    });
  });
}
