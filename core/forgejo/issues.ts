/** Issues and their comments. Issues and PRs share one number sequence per repo. */
import { z } from "zod";
import { type ForgejoHttp, type QueryValue, repoParams } from "./http.ts";
import { paginate, totalOf } from "./paginate.ts";
import { type Comment, CommentSchema, type Issue, IssueSchema } from "./schema.ts";

export interface IssueFilter {
  /** Default "open". */
  state?: "open" | "closed" | "all";
  /** Default "issues"; the forge itself returns PRs too when no type is given. */
  type?: "issues" | "pulls";
  /** Label names (an issue must carry all). Names unknown to the forge are dropped. */
  labels?: readonly string[] | string;
  q?: string;
  created_by?: string;
  /** The assignee filter (a username). */
  assigned_by?: string;
  mentioned_by?: string;
  /** RFC 3339. */
  since?: string;
  before?: string;
  sort?: string;
  milestones?: string;
  /** Stop after this many issues. */
  max?: number;
}

/** Issues matching the filter, following every page. */
export async function listIssues(
  http: ForgejoHttp,
  slug: string,
  filter: IssueFilter = {},
): Promise<Issue[]> {
  const { max, ...rest } = filter;
  return await paginate(http, "/repos/{owner}/{repo}/issues", {
    params: repoParams(slug),
    query: issueQuery(rest),
    item: IssueSchema,
    ...(max === undefined ? {} : { max }),
  });
}

/** How many issues match the filter (X-Total-Count of a one-item page). */
export async function countIssues(
  http: ForgejoHttp,
  slug: string,
  filter: Omit<IssueFilter, "max"> = {},
): Promise<number> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/issues", {
    params: repoParams(slug),
    query: { ...issueQuery(filter), limit: 1 },
    schema: z.array(z.unknown()).nullable(),
  });
  return totalOf(r);
}

/** The filter as query values: open issues (not PRs) by default, label names comma-joined. */
function issueQuery(filter: Omit<IssueFilter, "max">): Record<string, QueryValue> {
  const { labels, state = "open", type = "issues", ...rest } = filter;
  return { ...rest, state, type, labels: typeof labels === "string" ? labels : labels?.join(",") };
}

/** `GET …/issues/{index}`; a PR number answers the PR as an issue. Null when unknown. */
export async function getIssue(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<Issue | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/issues/{index}", {
    params: { ...repoParams(slug), index },
    accept: [404],
    schema: IssueSchema,
  });
  return r.status === 404 ? null : r.data;
}

export interface CreateIssueInput {
  title: string;
  body?: string;
  /** Label ids (not names). */
  labels?: readonly number[];
  assignees?: readonly string[];
  milestone?: number;
  closed?: boolean;
}

export async function createIssue(
  http: ForgejoHttp,
  slug: string,
  input: CreateIssueInput,
): Promise<Issue> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/issues", {
    params: repoParams(slug),
    body: input,
    schema: IssueSchema,
  });
  return r.data;
}

export interface EditIssueInput {
  title?: string;
  body?: string;
  state?: "open" | "closed";
  /** Replaces the whole set; [] clears it. */
  assignees?: readonly string[];
  milestone?: number;
  due_date?: string;
}

export async function editIssue(
  http: ForgejoHttp,
  slug: string,
  index: number,
  input: EditIssueInput,
): Promise<Issue> {
  const r = await http.request("PATCH", "/repos/{owner}/{repo}/issues/{index}", {
    params: { ...repoParams(slug), index },
    body: input,
    schema: IssueSchema,
  });
  return r.data;
}

/** Replace the assignees ([] clears them). */
export async function setAssignees(
  http: ForgejoHttp,
  slug: string,
  index: number,
  assignees: readonly string[],
): Promise<void> {
  await editIssue(http, slug, index, { assignees });
}

/** Every plain comment of an issue, oldest first (this route ignores paging). */
export async function listComments(
  http: ForgejoHttp,
  slug: string,
  index: number,
): Promise<Comment[]> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/issues/{index}/comments", {
    params: { ...repoParams(slug), index },
    schema: z.array(CommentSchema).nullable(),
  });
  return r.data ?? [];
}

/** Post a comment (not retried: a lost answer would mean a second comment). */
export async function postComment(
  http: ForgejoHttp,
  slug: string,
  index: number,
  body: string,
): Promise<Comment> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/issues/{index}/comments", {
    params: { ...repoParams(slug), index },
    body: { body },
    schema: CommentSchema,
  });
  return r.data;
}
