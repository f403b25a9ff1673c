/**
 * One small function per Forgejo endpoint the forge plugin uses. Lookups
 * return null on 404; everything else throws ForgeError. Facts about each
 * endpoint: shared/FORGEJO-API.md.
 */
import type { AuthCheck, Permission } from "../../../core/identity/ensure_identity.ts";
import { type Credentials, ForgeError, type ForgeHttp } from "./http.ts";

const enc = encodeURIComponent;
const repoPath = (slug: string) => `/repos/${slug.split("/").map(enc).join("/")}`;

export interface Label {
  id: number;
  name: string;
  color: string;
}

export interface Issue {
  number: number;
  state: "open" | "closed";
  title: string;
  body: string | null;
  labels: Label[];
  assignees: Array<{ login: string }> | null;
  pull_request?: unknown;
}

export interface Comment {
  id: number;
  body: string;
  user: { login: string };
  created_at: string;
}

export interface TimelineEvent {
  type: unknown;
  body?: string | null;
  created_at: string;
  label?: { name: string } | null;
}

export interface BranchProtection {
  rule_name: string;
  enable_push: boolean;
  enable_merge_whitelist: boolean;
  merge_whitelist_usernames: string[] | null;
  required_approvals: number;
  apply_to_admins: boolean;
  [key: string]: unknown;
}

/**
 * The forge's version. A 401/403 still proves the forge is up (bad credentials
 * fail before routing, even here): it answers "unknown" and the caller's next
 * authenticated request reports the credential problem.
 */
export async function getVersion(http: ForgeHttp): Promise<string> {
  const r = await http.request<{ version: string }>("GET", "/version", { accept: [401, 403] });
  return r.status === 200 ? r.data.version : "version unknown";
}

/** `GET /user` with the given credentials: who they authenticate as. */
export async function whoami(http: ForgeHttp, credentials: Credentials): Promise<AuthCheck> {
  const response = await http.request<{ login: string; message?: string }>("GET", "/user", {
    credentials,
    accept: [401, 403],
  });
  if (response.status === 200) return { ok: true, login: response.data.login };
  const message = String(response.data?.message ?? "");
  if (response.status === 403 && /change your password/i.test(message)) {
    return { ok: false, reason: "must-change-password" };
  }
  return { ok: false, reason: "unauthorized" };
}

export async function getUser(http: ForgeHttp, user: string): Promise<{ login: string } | null> {
  const r = await http.request<{ login: string }>("GET", `/users/${enc(user)}`, { accept: [404] });
  return r.status === 404 ? null : r.data;
}

export async function orgExists(http: ForgeHttp, org: string): Promise<boolean> {
  const r = await http.request("GET", `/orgs/${enc(org)}`, { accept: [404] });
  return r.status !== 404;
}

/** Create a user (admin route); an "already exists" answer counts as done. */
export async function createUser(
  http: ForgeHttp,
  input: { username: string; email: string; password: string },
): Promise<void> {
  try {
    await http.request("POST", "/admin/users", {
      body: { ...input, must_change_password: false, send_notify: false },
    });
  } catch (error) {
    // A retried create whose first answer was lost: the user exists now.
    if (
      error instanceof ForgeError && error.status === 422 &&
      /already exists/.test(error.forgeMessage)
    ) {
      return;
    }
    throw error;
  }
}

export async function editUser(
  http: ForgeHttp,
  user: string,
  input: { password?: string; must_change_password?: boolean },
): Promise<void> {
  await http.request("PATCH", `/admin/users/${enc(user)}`, { body: { ...input } });
}

export async function createOrg(http: ForgeHttp, org: string): Promise<void> {
  try {
    await http.request("POST", "/orgs", { body: { username: org, visibility: "public" } });
  } catch (error) {
    if (
      error instanceof ForgeError && error.status === 422 &&
      /already exists/.test(error.forgeMessage)
    ) {
      return;
    }
    throw error;
  }
}

export async function listTokenNames(
  http: ForgeHttp,
  user: string,
  credentials: Credentials,
): Promise<string[]> {
  const { data } = await http.request<Array<{ name: string }>>(
    "GET",
    `/users/${enc(user)}/tokens`,
    {
      credentials,
    },
  );
  return (data ?? []).map((token) => token.name);
}

export async function deleteToken(
  http: ForgeHttp,
  user: string,
  name: string,
  credentials: Credentials,
): Promise<void> {
  await http.request("DELETE", `/users/${enc(user)}/tokens/${enc(name)}`, {
    credentials,
    accept: [404],
  });
}

export async function createToken(
  http: ForgeHttp,
  user: string,
  name: string,
  scopes: readonly string[],
  credentials: Credentials,
): Promise<string> {
  const { data } = await http.request<{ sha1: string }>("POST", `/users/${enc(user)}/tokens`, {
    credentials,
    body: { name, scopes },
  });
  return data.sha1;
}

export interface Repo {
  full_name: string;
  empty: boolean;
  default_branch: string;
}

export async function getRepo(http: ForgeHttp, slug: string): Promise<Repo | null> {
  const r = await http.request<Repo>("GET", repoPath(slug), { accept: [404] });
  return r.status === 404 ? null : r.data;
}

/** Create a repo for a user or an org through the admin route; 409 counts as done. */
export async function createRepo(
  http: ForgeHttp,
  owner: string,
  input: { name: string; auto_init: boolean; default_branch: string; description?: string },
): Promise<void> {
  try {
    await http.request("POST", `/admin/users/${enc(owner)}/repos`, { body: input });
  } catch (error) {
    if (error instanceof ForgeError && error.status === 409) return;
    throw error;
  }
}

export async function migrateRepo(
  http: ForgeHttp,
  input: { clone_addr: string; repo_owner: string; repo_name: string },
): Promise<void> {
  try {
    await http.request("POST", "/repos/migrate", { body: { ...input, service: "git" } });
  } catch (error) {
    if (error instanceof ForgeError && error.status === 409) return;
    throw error;
  }
}

export async function collaboratorPermission(
  http: ForgeHttp,
  slug: string,
  user: string,
): Promise<string> {
  const r = await http.request<{ permission: string }>(
    "GET",
    `${repoPath(slug)}/collaborators/${enc(user)}/permission`,
    { accept: [404] },
  );
  return r.status === 404 ? "none" : r.data.permission;
}

export async function setCollaborator(
  http: ForgeHttp,
  slug: string,
  user: string,
  permission: Permission,
): Promise<void> {
  await http.request("PUT", `${repoPath(slug)}/collaborators/${enc(user)}`, {
    body: { permission },
  });
}

export async function listLabels(http: ForgeHttp, slug: string): Promise<Label[]> {
  const { data } = await http.request<Label[]>("GET", `${repoPath(slug)}/labels`);
  return data ?? [];
}

export async function createLabel(
  http: ForgeHttp,
  slug: string,
  input: { name: string; color: string },
): Promise<Label> {
  const { data } = await http.request<Label>("POST", `${repoPath(slug)}/labels`, { body: input });
  return data;
}

export async function editLabel(
  http: ForgeHttp,
  slug: string,
  id: number,
  input: { color: string },
): Promise<void> {
  await http.request("PATCH", `${repoPath(slug)}/labels/${id}`, { body: input });
}

export async function deleteLabel(http: ForgeHttp, slug: string, id: number): Promise<void> {
  await http.request("DELETE", `${repoPath(slug)}/labels/${id}`);
}

export async function branchExists(
  http: ForgeHttp,
  slug: string,
  branch: string,
): Promise<boolean> {
  const r = await http.request("GET", `${repoPath(slug)}/branches/${enc(branch)}`, {
    accept: [404],
  });
  return r.status !== 404;
}

export async function getBranchProtection(
  http: ForgeHttp,
  slug: string,
  rule: string,
): Promise<BranchProtection | null> {
  const r = await http.request<BranchProtection>(
    "GET",
    `${repoPath(slug)}/branch_protections/${enc(rule)}`,
    { accept: [404] },
  );
  return r.status === 404 ? null : r.data;
}

export async function createBranchProtection(
  http: ForgeHttp,
  slug: string,
  body: Record<string, unknown>,
): Promise<void> {
  try {
    await http.request("POST", `${repoPath(slug)}/branch_protections`, { body });
  } catch (error) {
    // "Branch protection already exist": a retried create; the caller re-reads.
    if (
      error instanceof ForgeError && error.status === 403 &&
      /already exist/.test(error.forgeMessage)
    ) {
      return;
    }
    throw error;
  }
}

export async function editBranchProtection(
  http: ForgeHttp,
  slug: string,
  rule: string,
  body: Record<string, unknown>,
): Promise<void> {
  await http.request("PATCH", `${repoPath(slug)}/branch_protections/${enc(rule)}`, { body });
}

// ---- issues ----

export async function getIssue(http: ForgeHttp, slug: string, n: number): Promise<Issue | null> {
  const r = await http.request<Issue>("GET", `${repoPath(slug)}/issues/${n}`, { accept: [404] });
  return r.status === 404 ? null : r.data;
}

/** Every open issue (not PRs) carrying all `labels`, following pages. */
export async function listIssues(
  http: ForgeHttp,
  slug: string,
  query: { labels?: string; state?: string },
): Promise<Issue[]> {
  const out: Issue[] = [];
  for (let page = 1;; page++) {
    const r = await http.request<Issue[]>("GET", `${repoPath(slug)}/issues`, {
      query: {
        type: "issues",
        state: query.state ?? "open",
        labels: query.labels,
        limit: 50,
        page,
      },
    });
    const items = r.data ?? [];
    out.push(...items);
    const total = Number(r.headers.get("x-total-count") ?? NaN);
    if (items.length < 50 || (!Number.isNaN(total) && out.length >= total)) return out;
  }
}

/** The total behind a list route, read from X-Total-Count with limit=1. */
export async function countOf(
  http: ForgeHttp,
  path: string,
  query: Record<string, string>,
): Promise<number> {
  const r = await http.request<unknown[]>("GET", path, { query: { ...query, limit: 1 } });
  const total = r.headers.get("x-total-count");
  return total === null ? (r.data ?? []).length : Number(total);
}

export async function listComments(http: ForgeHttp, slug: string, n: number): Promise<Comment[]> {
  const { data } = await http.request<Comment[]>("GET", `${repoPath(slug)}/issues/${n}/comments`);
  return data ?? [];
}

export async function postComment(
  http: ForgeHttp,
  slug: string,
  n: number,
  body: string,
): Promise<Comment> {
  const { data } = await http.request<Comment>("POST", `${repoPath(slug)}/issues/${n}/comments`, {
    body: { body },
  });
  return data;
}

export async function timeline(http: ForgeHttp, slug: string, n: number): Promise<TimelineEvent[]> {
  const { data } = await http.request<TimelineEvent[]>(
    "GET",
    `${repoPath(slug)}/issues/${n}/timeline`,
  );
  return data ?? [];
}

export async function setAssignees(
  http: ForgeHttp,
  slug: string,
  n: number,
  assignees: string[],
): Promise<void> {
  await http.request("PATCH", `${repoPath(slug)}/issues/${n}`, { body: { assignees } });
}

export async function addIssueLabels(
  http: ForgeHttp,
  slug: string,
  n: number,
  ids: number[],
): Promise<void> {
  // Adding a label that is already there changes nothing, so a retry is safe.
  await http.request("POST", `${repoPath(slug)}/issues/${n}/labels`, {
    body: { labels: ids },
    idempotent: true,
  });
}

export async function removeIssueLabel(
  http: ForgeHttp,
  slug: string,
  n: number,
  id: number,
): Promise<void> {
  await http.request("DELETE", `${repoPath(slug)}/issues/${n}/labels/${id}`, { accept: [404] });
}

/** Open PRs whose head branch is `branch`. */
export async function openPullsFrom(
  http: ForgeHttp,
  slug: string,
): Promise<Array<{ number: number; head: { ref: string } }>> {
  const out: Array<{ number: number; head: { ref: string } }> = [];
  for (let page = 1;; page++) {
    const r = await http.request<Array<{ number: number; head: { ref: string } }>>(
      "GET",
      `${repoPath(slug)}/pulls`,
      { query: { state: "open", limit: 50, page } },
    );
    const items = r.data ?? [];
    out.push(...items);
    if (items.length < 50) return out;
  }
}

export { repoPath };
