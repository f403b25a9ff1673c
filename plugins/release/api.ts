/**
 * The few forge API calls a release makes, over an injected `fetch`: the
 * project's forge (Forgejo: branch head, tag lookup, tag creation, a file
 * through the contents API) and a mirror's forge by token (Forgejo/Codeberg:
 * create the tag; GitHub: create the ref `refs/tags/<v>` — GitHub must already
 * have the commit, which a mirror kept in sync by earlier pushes has).
 * Errors carry method, path and status, never the token.
 */
import { RuntimeFailure } from "../../core/errors.ts";
import { tokenAuth } from "../../core/forgejo/auth.ts";
import { createBranch, getBranch } from "../../core/forgejo/branches.ts";
import { createFile } from "../../core/forgejo/contents.ts";
import { ForgejoError } from "../../core/forgejo/error.ts";
import { ForgejoHttp, repoPath } from "../../core/forgejo/http.ts";
import { createPull } from "../../core/forgejo/pulls.ts";
import { createTag, getTag } from "../../core/forgejo/tags.ts";
import type { MirrorApi } from "./mirrors.ts";

export class ApiError extends RuntimeFailure {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      `${method} ${url}: ${status === 0 ? "no answer" : `HTTP ${status}`}${
        detail ? ` (${detail})` : ""
      }`,
    );
  }
}

interface Call {
  method: string;
  url: string;
  authorization: string;
  body?: unknown;
  accept?: readonly number[];
  headers?: Record<string, string>;
}

async function call(
  fetcher: typeof fetch,
  request: Call,
): Promise<{ status: number; data: unknown }> {
  const headers: Record<string, string> = {
    accept: "application/json",
    authorization: request.authorization,
    ...request.headers,
  };
  if (request.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  let text: string;
  try {
    response = await fetcher(request.url, {
      method: request.method,
      headers,
      body: request.body === undefined ? null : JSON.stringify(request.body),
      signal: AbortSignal.timeout(30_000),
    });
    text = await response.text();
  } catch (error) {
    throw new ApiError(request.method, request.url, 0, error instanceof Error ? error.message : "");
  }
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text.slice(0, 200);
  }
  if (response.ok || request.accept?.includes(response.status)) {
    return { status: response.status, data };
  }
  const message = typeof data === "object" && data !== null && "message" in data
    ? String((data as { message: unknown }).message)
    : typeof data === "string"
    ? data
    : "";
  throw new ApiError(request.method, request.url, response.status, message);
}

function shaAt(data: unknown, ...path: string[]): string | null {
  let value: unknown = data;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === "string" && /^[0-9a-f]{40,64}$/.test(value) ? value : null;
}

const seg = encodeURIComponent;

/** The project's forge, as the release sees it. */
export interface ReleaseForge {
  /** The head commit SHA of a branch, or null when the branch does not exist. */
  branchHead(repo: string, branch: string): Promise<string | null>;
  /** The commit SHA a tag points at, or null when there is no such tag. */
  tagCommit(repo: string, tag: string): Promise<string | null>;
  /** Create an annotated tag at `target`; returns the tagged commit SHA. */
  createTag(repo: string, tag: string, target: string, message: string): Promise<string>;
  /** Create a file through the contents API (for the vault action in the ops repo). */
  createFile(
    repo: string,
    path: string,
    content: string,
    message: string,
    branch?: string,
  ): Promise<void>;
  /** Create branch `name` from `from`. */
  createBranch(repo: string, name: string, from: string): Promise<void>;
  /** Open a pull request of `head` into `base`; returns its number. */
  openPull(repo: string, head: string, base: string, title: string, body: string): Promise<number>;
}

/**
 * The Forgejo API of the project's forge, over core/forgejo. `forgeUrl` is
 * the web root; `repo` is "owner/name".
 */
export function forgejoForge(forgeUrl: string, token: string, fetcher: typeof fetch): ReleaseForge {
  const http = new ForgejoHttp(forgeUrl, tokenAuth(token), { fetch: fetcher, timeoutMs: 30_000 });
  const sha = (value: unknown) =>
    typeof value === "string" && /^[0-9a-f]{40,64}$/.test(value) ? value : null;
  return {
    branchHead: (repo, branch) =>
      asApiError(async () => {
        const found = await getBranch(http, repo, branch);
        if (!found) return null;
        return sha(found.commit?.id) ??
          badAnswer("GET", branchUrl(http, repo, branch), "commit.id");
      }),
    tagCommit: (repo, tag) =>
      asApiError(async () => {
        const found = await getTag(http, repo, tag);
        if (!found) return null;
        return sha(found.commit?.sha) ?? badAnswer("GET", tagsUrl(http, repo), "commit.sha");
      }),
    createTag: (repo, tag, target, message) =>
      asApiError(async () => {
        const made = await createTag(http, repo, { tag_name: tag, target, message });
        return sha(made.commit?.sha) ?? badAnswer("POST", tagsUrl(http, repo), "commit.sha");
      }),
    createFile: (repo, path, content, message, branch) =>
      asApiError(async () => {
        await createFile(http, repo, path, { content, message, ...(branch ? { branch } : {}) });
      }),
    createBranch: (repo, name, from) =>
      asApiError(async () => {
        await createBranch(http, repo, name, from);
      }),
    openPull: (repo, head, base, title, body) =>
      asApiError(async () => (await createPull(http, repo, { head, base, title, body })).number),
  };
}

const branchUrl = (http: ForgejoHttp, repo: string, branch: string) =>
  `${http.apiBase}${repoPath(repo)}/branches/${seg(branch)}`;
const tagsUrl = (http: ForgejoHttp, repo: string) => `${http.apiBase}${repoPath(repo)}/tags`;

/** core/forgejo's errors as this plugin's ApiError (a RuntimeFailure: exit 1). */
async function asApiError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ForgejoError)) throw error;
    throw new ApiError(error.method, error.url, error.status, error.forgeMessage);
  }
}

function badAnswer(method: string, url: string, field: string): never {
  throw new ApiError(method, url, 200, `answer without ${field}`);
}

/**
 * Put the tag on a mirror through its API. A tag already there at the same
 * commit counts as done (a re-run); at another commit it is a failure.
 */
export async function pushTagByToken(
  api: MirrorApi,
  token: string,
  tag: string,
  sha: string,
  message: string,
  fetcher: typeof fetch,
): Promise<"created" | "unchanged"> {
  const repo = `${api.base}/repos/${seg(api.owner)}/${seg(api.repo)}`;
  if (api.flavor === "github") {
    const authorization = `Bearer ${token}`;
    const headers = { "x-github-api-version": "2022-11-28", accept: "application/vnd.github+json" };
    const url = `${repo}/git/refs`;
    const body = { ref: `refs/tags/${tag}`, sha };
    const { status } = await call(fetcher, {
      method: "POST",
      url,
      authorization,
      body,
      headers,
      accept: [422],
    });
    if (status !== 422) return "created";
    const existing = await call(fetcher, {
      method: "GET",
      url: `${repo}/git/ref/tags/${seg(tag)}`,
      authorization,
      headers,
      accept: [404],
    });
    if (shaAt(existing.data, "object", "sha") === sha) return "unchanged";
    throw new ApiError(
      "POST",
      url,
      422,
      "the ref exists at another commit or the commit is missing",
    );
  }
  const authorization = `token ${token}`;
  const url = `${repo}/tags`;
  const body = { tag_name: tag, target: sha, message };
  const { status } = await call(fetcher, {
    method: "POST",
    url,
    authorization,
    body,
    accept: [409],
  });
  if (status !== 409) return "created";
  const existing = await call(fetcher, {
    method: "GET",
    url: `${repo}/tags/${seg(tag)}`,
    authorization,
    accept: [404],
  });
  if (shaAt(existing.data, "commit", "sha") === sha) return "unchanged";
  throw new ApiError("POST", url, 409, "the tag exists at another commit");
}
