/** What the pull request routes share: finding a pull by its index and its JSON view. */
import type { Forge } from "./forge.ts";
import { notFound } from "./respond.ts";
import type { ApiContext } from "./route_kit.ts";
import type { IssueRecord, RepoRecord } from "./state.ts";

/** The pull `:index` names, or GetPullRequestByIndex's 404. */
export function pullOf(
  c: ApiContext,
  forge: Forge,
  repo: RepoRecord,
  title = "GetPullRequestByIndex",
): IssueRecord | Response {
  const number = Number.parseInt(c.req.param("index") ?? "", 10) || 0;
  const issue = forge.state.issue(repo, number);
  return issue?.pull ? issue : notFound(forge.rootUrl, title, [
    `pull request does not exist [id: 0, issue_id: 0, head_repo_id: 0, base_repo_id: ${repo.id}, index: ${number}]`,
  ]);
}

/** The head commit of a pull's branch now, or null when the branch is gone. */
export async function pullHead(
  forge: Forge,
  repo: RepoRecord,
  pull: IssueRecord,
): Promise<string | null> {
  return await forge.git.resolve(repo.owner, repo.name, `refs/heads/${pull.pull!.head}`) ?? null;
}

export async function pullJson(forge: Forge, repo: RepoRecord, issue: IssueRecord) {
  const { git } = forge;
  const pull = issue.pull!;
  const base = forge.issueJson(issue, repo);
  const headSha = await pullHead(forge, repo, issue) ?? "";
  const baseSha = await git.resolve(repo.owner, repo.name, `refs/heads/${pull.base}`) ?? "";
  const branchRef = (ref: string, sha: string) => ({
    label: ref,
    ref,
    sha,
    repo_id: repo.id,
    repo: {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: forge.ownerJson(repo.owner),
    },
  });
  return {
    id: issue.id,
    url: base.html_url,
    number: issue.number,
    user: base.user,
    title: issue.title,
    body: issue.body,
    labels: base.labels,
    milestone: null,
    assignee: base.assignee,
    assignees: base.assignees,
    requested_reviewers: [],
    requested_reviewers_teams: [],
    state: issue.state,
    draft: false,
    is_locked: false,
    comments: base.comments,
    review_comments: 0,
    additions: 0,
    deletions: 0,
    changed_files: 0,
    html_url: base.html_url,
    diff_url: `${base.html_url}.diff`,
    patch_url: `${base.html_url}.patch`,
    mergeable: !pull.merged && issue.state === "open" && forge.now() >= pull.mergeableAt,
    merged: pull.merged,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    merged_by: pull.mergedBy ? forge.actorJson(pull.mergedBy) : null,
    allow_maintainer_edit: false,
    base: branchRef(pull.base, baseSha),
    head: branchRef(pull.head, headSha),
    merge_base: baseSha,
    due_date: null,
    created_at: issue.created,
    updated_at: issue.updated,
    closed_at: issue.closed,
    pin_order: 0,
    flow: 0,
  };
}
