/**
 * The emulator's core shared by every route module: state, git store,
 * clock, knobs, permission rules and the JSON views of each record.
 */
import type { GitCommitInfo, GitStore } from "./git_store.ts";
import type {
  EventRecord,
  IssueRecord,
  LabelRecord,
  OrgRecord,
  RepoRecord,
  State,
  UserRecord,
} from "./state.ts";

export type AccessLevel = "none" | "read" | "write" | "admin" | "owner";

export interface Knobs {
  faultRate: number;
  latencyMs: number;
  branchDelayMs: number;
  requireSignin: boolean;
  /** Mergeability of a new PR becomes known after this long. */
  mergeCheckMs: number;
}

export class Forge {
  /** ROOT_URL, ending in "/". */
  rootUrl = "http://127.0.0.1/";
  domain = "localhost";

  constructor(
    readonly state: State,
    readonly git: GitStore,
    readonly knobs: Knobs,
    readonly now: () => number,
    readonly onChange: () => void,
  ) {}

  iso(ms = this.now()): string {
    return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  ownerExists(name: string): UserRecord | OrgRecord | undefined {
    return this.state.user(name) ?? this.state.org(name);
  }

  access(repo: RepoRecord, user: UserRecord | null): AccessLevel {
    if (!user) return repo.private ? "none" : "read";
    if (user.isAdmin || repo.owner.toLowerCase() === user.login.toLowerCase()) return "owner";
    const org = this.state.org(repo.owner);
    if (org?.owners.some((o) => o.toLowerCase() === user.login.toLowerCase())) return "owner";
    const collaborator = repo.collaborators[user.login.toLowerCase()];
    if (collaborator) return collaborator;
    return repo.private ? "none" : "read";
  }

  /** A branch is visible to the API once the indexing delay has passed. */
  branchVisible(repo: RepoRecord, branch: string): boolean {
    const seen = this.git.firstSeen(repo.owner, repo.name, `refs/heads/${branch}`);
    return seen === undefined || this.now() >= seen + this.knobs.branchDelayMs;
  }

  placeholderEmail(login: string): string {
    return `${login.toLowerCase()}@noreply.${this.domain}`;
  }

  userJson(user: UserRecord, viewer: UserRecord | null = null) {
    const full = viewer !== null && (viewer.isAdmin || viewer.id === user.id);
    return {
      id: user.id,
      login: user.login,
      login_name: full ? "" : "",
      source_id: 0,
      full_name: user.fullName,
      email: viewer ? user.email : this.placeholderEmail(user.login),
      avatar_url: `${this.rootUrl}avatars/${user.id}`,
      html_url: `${this.rootUrl}${user.login}`,
      language: "",
      is_admin: full ? user.isAdmin : false,
      last_login: full ? user.created : "0001-01-01T00:00:00Z",
      created: user.created,
      restricted: false,
      active: full ? user.active : false,
      prohibit_login: full ? user.prohibitLogin : false,
      location: "",
      pronouns: "",
      website: "",
      description: "",
      visibility: "public",
      followers_count: 0,
      following_count: 0,
      starred_repos_count: 0,
      username: user.login,
    };
  }

  /** Actors in timelines and assignee lists always show the placeholder email. */
  actorJson(login: string) {
    const user = this.state.user(login);
    const base = user ? this.userJson(user) : this.userJson(ghost(login));
    return { ...base, email: this.placeholderEmail(login) };
  }

  ownerJson(name: string) {
    const user = this.state.user(name);
    if (user) return this.userJson(user);
    const org = this.state.org(name)!;
    return { ...this.userJson(ghost(org.name, org.id)), full_name: org.fullName };
  }

  orgJson(org: OrgRecord) {
    return {
      id: org.id,
      name: org.name,
      username: org.name,
      full_name: org.fullName,
      email: "",
      avatar_url: `${this.rootUrl}avatars/${org.id}`,
      description: org.description,
      website: "",
      location: "",
      visibility: org.visibility || "public",
      repo_admin_change_team_access: false,
    };
  }

  async repoJson(repo: RepoRecord, viewer: UserRecord | null) {
    const level = this.access(repo, viewer);
    const branches = await this.git.branches(repo.owner, repo.name).catch(() => []);
    const issues = this.state.data.issues.filter((i) => i.repoId === repo.id && i.state === "open");
    return {
      id: repo.id,
      owner: this.ownerJson(repo.owner),
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      description: repo.description,
      empty: branches.length === 0,
      private: repo.private,
      fork: false,
      template: false,
      parent: null,
      mirror: false,
      size: 0,
      language: "",
      html_url: `${this.rootUrl}${repo.owner}/${repo.name}`,
      url: `${this.rootUrl}api/v1/repos/${repo.owner}/${repo.name}`,
      ssh_url: `git@${this.domain}:${repo.owner}/${repo.name}.git`,
      clone_url: `${this.rootUrl}${repo.owner}/${repo.name}.git`,
      original_url: "",
      website: "",
      stars_count: 0,
      forks_count: 0,
      watchers_count: 0,
      open_issues_count: issues.filter((i) => !i.pull).length,
      open_pr_counter: issues.filter((i) => i.pull).length,
      release_counter: 0,
      default_branch: repo.defaultBranch,
      archived: false,
      created_at: repo.created,
      updated_at: repo.updated,
      archived_at: "1970-01-01T00:00:00Z",
      permissions: {
        admin: level === "admin" || level === "owner",
        push: level === "write" || level === "admin" || level === "owner",
        pull: level !== "none",
      },
      has_issues: true,
      has_wiki: true,
      has_pull_requests: true,
      has_projects: true,
      has_releases: true,
      has_packages: true,
      has_actions: true,
      allow_merge_commits: repo.settings.allow_merge_commits ?? true,
      allow_rebase: repo.settings.allow_rebase ?? true,
      allow_rebase_explicit: repo.settings.allow_rebase_explicit ?? true,
      allow_squash_merge: repo.settings.allow_squash_merge ?? true,
      allow_fast_forward_only_merge: repo.settings.allow_fast_forward_only_merge ?? true,
      default_merge_style: repo.settings.default_merge_style ?? "merge",
      default_delete_branch_after_merge: false,
      internal: false,
      mirror_interval: "",
      object_format_name: "sha1",
      topics: [],
      avatar_url: "",
    };
  }

  labelJson(label: LabelRecord, repo: RepoRecord) {
    return {
      id: label.id,
      name: label.name,
      exclusive: label.exclusive,
      is_archived: label.isArchived,
      color: label.color,
      description: label.description,
      url: `${this.rootUrl}api/v1/repos/${repo.owner}/${repo.name}/labels/${label.id}`,
    };
  }

  issueJson(issue: IssueRecord, repo: RepoRecord) {
    const labels = issue.labels.map((id) => this.state.label(id)).filter((l) => l !== undefined)
      .map((l) => this.labelJson(l, repo));
    const assignees = issue.assignees.map((a) => this.actorJson(a));
    const comments =
      this.state.data.events.filter((e) => e.issueId === issue.id && e.type === "comment").length;
    const kind = issue.pull ? "pulls" : "issues";
    return {
      id: issue.id,
      url: `${this.rootUrl}api/v1/repos/${repo.owner}/${repo.name}/issues/${issue.number}`,
      html_url: `${this.rootUrl}${repo.owner}/${repo.name}/${kind}/${issue.number}`,
      number: issue.number,
      user: this.actorJson(issue.poster),
      original_author: "",
      original_author_id: 0,
      title: issue.title,
      body: issue.body,
      ref: "",
      assets: [],
      labels,
      milestone: null,
      assignee: assignees[0] ?? null,
      assignees: assignees.length ? assignees : null,
      state: issue.state,
      is_locked: false,
      comments,
      created_at: issue.created,
      updated_at: issue.updated,
      closed_at: issue.closed,
      due_date: null,
      pull_request: issue.pull
        ? {
          merged: issue.pull.merged,
          merged_at: issue.pull.mergedAt,
          draft: false,
          html_url: `${this.rootUrl}${repo.owner}/${repo.name}/pulls/${issue.number}`,
        }
        : null,
      repository: {
        id: repo.id,
        name: repo.name,
        owner: repo.owner,
        full_name: `${repo.owner}/${repo.name}`,
      },
      pin_order: 0,
    };
  }

  commentJson(event: EventRecord, repo: RepoRecord, issue: IssueRecord) {
    return {
      id: event.id,
      html_url:
        `${this.rootUrl}${repo.owner}/${repo.name}/issues/${issue.number}#issuecomment-${event.id}`,
      pull_request_url: issue.pull
        ? `${this.rootUrl}${repo.owner}/${repo.name}/pulls/${issue.number}`
        : "",
      issue_url: `${this.rootUrl}${repo.owner}/${repo.name}/issues/${issue.number}`,
      user: this.actorJson(event.actor),
      original_author: "",
      original_author_id: 0,
      body: event.body,
      assets: [],
      created_at: event.created,
      updated_at: event.updated,
    };
  }

  timelineJson(event: EventRecord, repo: RepoRecord, issue: IssueRecord) {
    const label = event.labelId === undefined ? undefined : this.state.label(event.labelId);
    return {
      ...this.commentJson(event, repo, issue),
      type: event.type,
      old_project_id: 0,
      project_id: 0,
      old_milestone: null,
      milestone: null,
      tracked_time: null,
      old_title: event.oldTitle ?? "",
      new_title: event.newTitle ?? "",
      old_ref: "",
      new_ref: "",
      ref_issue: null,
      ref_comment: null,
      ref_action: "",
      ref_commit_sha: "",
      review_id: 0,
      label: label ? this.labelJson(label, repo) : null,
      assignee: event.assignee ? this.actorJson(event.assignee) : null,
      assignee_team: null,
      removed_assignee: event.removedAssignee ?? false,
      resolve_doer: null,
      dependent_issue: null,
    };
  }

  commitJson(repo: RepoRecord, commit: GitCommitInfo) {
    const person = { name: commit.authorName, email: commit.authorEmail, username: "" };
    return {
      id: commit.sha,
      message: commit.message,
      url: `${this.rootUrl}${repo.owner}/${repo.name}/commit/${commit.sha}`,
      author: person,
      committer: person,
      verification: {
        verified: false,
        reason: "gpg.error.not_signed_commit",
        signature: "",
        signer: null,
        payload: "",
      },
      timestamp: commit.timestamp,
      added: null,
      removed: null,
      modified: null,
    };
  }

  /** Record a timeline event (comments included) and return it. */
  addEvent(
    issue: IssueRecord,
    type: string,
    actor: string,
    extra: Partial<EventRecord> = {},
  ): EventRecord {
    const at = this.iso();
    const event: EventRecord = {
      id: this.state.nextId("comment"),
      issueId: issue.id,
      type,
      body: "",
      actor,
      created: at,
      updated: at,
      ...extra,
    };
    this.state.data.events.push(event);
    issue.updated = at;
    return event;
  }
}

function ghost(login: string, id = 0): UserRecord {
  return {
    id,
    login,
    email: "",
    fullName: "",
    passwordSalt: "",
    passwordHash: "",
    isAdmin: false,
    mustChangePassword: false,
    active: true,
    prohibitLogin: false,
    created: "1970-01-01T00:00:00Z",
  };
}
