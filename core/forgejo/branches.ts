/** Branches. Names may contain "/"; an empty repo has none. */
import { type ForgejoHttp, repoParams } from "./http.ts";
import { paginate } from "./paginate.ts";
import { type Branch, BranchSchema } from "./schema.ts";

/** `GET …/branches/{branch}`; null when it does not exist (or not yet: indexing lags). */
export async function getBranch(
  http: ForgejoHttp,
  slug: string,
  branch: string,
): Promise<Branch | null> {
  const r = await http.request("GET", "/repos/{owner}/{repo}/branches/{branch}", {
    params: { ...repoParams(slug), branch },
    accept: [404],
    schema: BranchSchema,
  });
  return r.status === 404 ? null : r.data;
}

export async function branchExists(
  http: ForgejoHttp,
  slug: string,
  branch: string,
): Promise<boolean> {
  return (await getBranch(http, slug, branch)) !== null;
}

/** Every branch (an empty repo answers null, read as none). */
export async function listBranches(
  http: ForgejoHttp,
  slug: string,
): Promise<Array<Branch & { name: string }>> {
  return await paginate(http, "/repos/{owner}/{repo}/branches", {
    params: repoParams(slug),
    item: BranchSchema.required({ name: true }),
  });
}

/** Create `name` from a branch, tag or commit (default: the default branch). 409 if it exists. */
export async function createBranch(
  http: ForgejoHttp,
  slug: string,
  name: string,
  from?: string,
): Promise<Branch> {
  const r = await http.request("POST", "/repos/{owner}/{repo}/branches", {
    params: repoParams(slug),
    body: from === undefined
      ? { new_branch_name: name }
      : { new_branch_name: name, old_ref_name: from },
    schema: BranchSchema,
  });
  return r.data;
}
