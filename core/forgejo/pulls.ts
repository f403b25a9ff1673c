/** Pull requests and their reviews. */
import { ForgejoError } from "./error.ts";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { z } from "zod";
import { paginate, totalOf } from "./paginate.ts";
import { type Pull, PullSchema, type Review, ReviewSchema } from "./schema.ts";

export interface CreatePullInput {
  head: string;
  base: string;
  title: string;
  body?: string;
  /** Label ids. */
  labels?: readonly number[];
  assignees?: readonly string[];
}

/** Open a PR (409 when an open PR for the same head and base exists). */
export async function createPull(
  http: ForgejoHttp,
  slug: string,
  input: CreatePullInput,
): Promise<Pull> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/pulls", {
    params: repoParams(slug),
    body: input,
    schema: PullSchema,
  });
  return r.data;
}

export interface PullFilter {
  /** Default "open" (the forge itself returns all states when none is given). */
  state?: "open" | "closed" | "all";
  /** Label ids (a PR must carry any of them). */
  labels?: readonly number[];
  poster?: string;
  sort?: string;
  max?: number;
}

/** PRs matching the filter, following every page. */
export async function listPulls(
  http: ForgejoHttp,
  slug: string,
  filter: PullFilter = {},
): Promise<Pull[]> {
  const { state = "open", labels, max, ...rest } = filter;
  return await paginate(http, "/repos/{owner}/{repo}/pulls", {
    params: repoParams(slug),
    query: { ...rest, state, labels },
    item: PullSchema,
    ...(max === undefined ? {} : { max }),
  });
}

/** How many PRs match (X-Total-Count of a one-item page). */
export async function countPulls(
  http: ForgejoHttp,
  slug: string,
  filter: Omit<PullFilter, "max"> = {},
): Promise<number> {
  const { state = "open", ...rest } = filter;
  const r = await http.request("GET", "/repos/{owner}/{repo}/pulls", {
    params: repoParams(slug),
    query: { ...rest, state, limit: 1 },
    schema: z.array(z.unknown()).nullable(),
  });
  return totalOf(r);
}

/** Every open PR (with its head branch). */
export async function openPullsFrom(http: ForgejoHttp, slug: string): Promise<Pull[]> {
  return await listPulls(http, slug, { state: "open" });
}

/** `GET …/pulls/{index}`; null when unknown or when the number is a plain issue. */
export async function getPull(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<Pull | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/pulls/{index}", {
    params: { ...repoParams(slug), index },
    accept: [404],
    schema: PullSchema,
  });
  return r.status === 404 ? null : r.data;
}

export async function editPull(
  http: ForgejoHttp,
  slug: string,
  index: number,
  input: { title?: string; body?: string; state?: "open" | "closed"; base?: string },
): Promise<Pull> {
  const r = await http.request("PATCH", "/repos/{owner}/{repo}/pulls/{index}", {
    params: { ...repoParams(slug), index },
    body: input,
    schema: PullSchema,
  });
  return r.data;
}

export type MergeStyle = "merge" | "rebase" | "rebase-merge" | "squash" | "fast-forward-only";

export type MergeResult =
  | { merged: true }
  | { merged: false; status: number; reason: string };

/**
 * Merge a PR. The forge's refusals are results, not exceptions: 405 (not
 * mergeable yet — "Please try again later" —, already merged, protection
 * not met, style not allowed), 409 (conflict), 404 (closed). Not retried.
 */
export async function mergePull(
  http: ForgejoHttp,
  slug: string,
  index: number,
  input: {
    style: MergeStyle;
    title?: string;
    message?: string;
    deleteBranch?: boolean;
    /** Merge only if this is still the PR's head (else 409 "head out of date"). */
    headCommitId?: string | undefined;
  },
): Promise<MergeResult> {
  try {
    await http.request("POST", "/repos/{owner}/{repo}/pulls/{index}/merge", {
      params: { ...repoParams(slug), index },
      body: {
        Do: input.style,
        MergeTitleField: input.title,
        MergeMessageField: input.message,
        delete_branch_after_merge: input.deleteBranch,
        head_commit_id: input.headCommitId,
      },
    });
    return { merged: true };
  } catch (error) {
    if (error instanceof ForgejoError && [404, 405, 409].includes(error.status)) {
      return { merged: false, status: error.status, reason: error.forgeMessage };
    }
    throw error;
  }
}

/** Whether the PR is merged (204) or not (404). */
export async function isPullMerged(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<boolean> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/pulls/{index}/merge", {
    params: { ...repoParams(slug), index },
    accept: [404],
  });
  return r.status !== 404;
}

export async function listReviews(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<Review[]> {
  return await paginate(http, "/repos/{owner}/{repo}/pulls/{index}/reviews", {
    params: { ...repoParams(slug), index },
    item: ReviewSchema,
  });
}

/** Submit a review: APPROVED, REQUEST_CHANGES or COMMENT. */
export async function createReview(
  http: ForgejoHttp,
  slug: string,
  index: number,
  input: { event: "APPROVED" | "REQUEST_CHANGES" | "COMMENT"; body?: string; commit_id?: string },
): Promise<Review> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/pulls/{index}/reviews", {
    params: { ...repoParams(slug), index },
    body: input,
    schema: ReviewSchema,
  });
  return r.data;
}
