/** Repositories: lookup and the three create paths (admin route, org, caller). */
import { ForgejoError } from "./error.ts";
import { type ForgejoHttp, repoParams } from "./http.ts";
import { type Repo, RepoSchema } from "./schema.ts";

export interface CreateRepoInput {
  name: string;
  auto_init?: boolean;
  default_branch?: string;
  description?: string;
  private?: boolean;
}

/** `GET /repos/{owner}/{repo}`; null when it does not exist or cannot be seen. */
export async function getRepo(http: ForgejoHttp, slug: string): Promise<Repo | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}", {
    params: repoParams(slug),
    accept: [404],
    schema: RepoSchema,
  });
  return r.status === 404 ? null : r.data;
}

/**
 * Create a repo under a user or an org through the admin route
 * (`POST /admin/users/{username}/repos`). Null when it exists already (409).
 */
export async function createRepo(
  http: ForgejoHttp,
  owner: string,
  input: CreateRepoInput,
): Promise<Repo | null> {
  return await created(() =>
    http.request("POST", "/admin/users/{username}/repos", {
      params: { username: owner },
      body: input,
      schema: RepoSchema,
    })
  );
}

/** Create a repo in an org (`POST /orgs/{org}/repos`); null when it exists (409). */
export async function createOrgRepo(
  http: ForgejoHttp,
  org: string,
  input: CreateRepoInput,
): Promise<Repo | null> {
  return await created(() =>
    http.request("POST", "/orgs/{org}/repos", { params: { org }, body: input, schema: RepoSchema })
  );
}

/** Create a repo owned by the caller (`POST /user/repos`); null when it exists (409). */
export async function createCallerRepo(
  http: ForgejoHttp,
  input: CreateRepoInput,
): Promise<Repo | null> {
  return await created(() =>
    http.request("POST", "/user/repos", { body: input, schema: RepoSchema })
  );
}

/** Import a repo by cloning it (synchronous); null when the name is taken (409). */
export async function migrateRepo(
  http: ForgejoHttp,
  input: { clone_addr: string; repo_owner: string; repo_name: string; private?: boolean },
): Promise<Repo | null> {
  return await created(() =>
    http.request("POST", "/repos/migrate", {
      body: { ...input, service: "git" },
      schema: RepoSchema,
    })
  );
}

/** `PATCH /repos/{owner}/{repo}` (settings such as merge styles, default branch). */
export async function editRepo(
  http: ForgejoHttp,
  slug: string,
  input: Record<string, unknown>,
): Promise<Repo> {
  const r = await http.request("PATCH", "/repos/{owner}/{repo}", {
    params: repoParams(slug),
    body: input,
    schema: RepoSchema,
  });
  return r.data;
}

/** Delete a repo; false when there was none. */
export async function deleteRepo(http: ForgejoHttp, slug: string): Promise<boolean> {
  const r = await http.request("DELETE", "/repos/{owner}/{repo}", {
    params: repoParams(slug),
    accept: [404],
  });
  return r.status !== 404;
}

async function created(
  create: () => Promise<{ data: Repo }>,
): Promise<Repo | null> {
  try {
    return (await create()).data;
  } catch (error) {
    if (error instanceof ForgejoError && error.status === 409) return null;
    throw error;
  }
}
