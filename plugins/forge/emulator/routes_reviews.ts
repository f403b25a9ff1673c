/** Pull request reviews: list and submit (scope: repository). */
import type { Forge } from "./forge.ts";
import { pullHead, pullOf } from "./pull_kit.ts";
import {
  clearEarlierOfficial,
  isOfficialReviewer,
  isVerdict,
  reviewJson,
  reviewTypeOf,
} from "./review_kit.ts";
import { apiError, json, paged } from "./respond.ts";
import { type ApiApp, bodyOf, repoAccess } from "./route_kit.ts";
import type { ReviewRecord } from "./state.ts";

export function registerReviewRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  app.get("/repos/:owner/:repo/pulls/:index/reviews", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, forge, found.ok.repo);
    if (pull instanceof Response) return pull;
    const reviews = state.data.reviews.filter((r) => r.issueId === pull.id);
    const page = paged(c.req.raw, forge.rootUrl, reviews);
    const pullUrl = forge.issueJson(pull, found.ok.repo).html_url;
    const head = await pullHead(forge, found.ok.repo, pull);
    return json(200, page.items.map((r) => reviewJson(forge, r, pullUrl, head)), page.headers);
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
    const me = found.ok.caller.user;
    const typed = reviewTypeOf(
      String(body.ok.event ?? ""),
      String(body.ok.body ?? ""),
      Array.isArray(body.ok.comments) && body.ok.comments.length > 0,
      me.login.toLowerCase() === pull.poster.toLowerCase(),
    );
    if ("error" in typed) return apiError(forge.rootUrl, 422, typed.error);
    const reviewState = typed.state;
    const head = await pullHead(forge, repo, pull);
    const commitId = String(body.ok.commit_id || head || "");
    // SubmitReview (models/issues/review.go): only a verdict can be official,
    // and it takes `official` from the reviewer's earlier reviews.
    const verdict = isVerdict(reviewState);
    if (verdict) clearEarlierOfficial(forge, pull, me.login);
    const review: ReviewRecord = {
      id: state.nextId("review"),
      issueId: pull.id,
      user: me.login,
      state: reviewState,
      body: String(body.ok.body ?? ""),
      commitId,
      submitted: forge.iso(),
      official: verdict && isOfficialReviewer(forge, repo, pull, me),
      stale: verdict && head !== null && commitId !== head,
      ...(head ? { head } : {}),
      dismissed: false,
    };
    state.data.reviews.push(review);
    forge.addEvent(pull, "review", me.login, { body: review.body });
    forge.onChange();
    return json(200, reviewJson(forge, review, forge.issueJson(pull, repo).html_url, head));
  });
}
