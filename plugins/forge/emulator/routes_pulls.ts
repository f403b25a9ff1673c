/** Pull requests (real git heads and merges), reviews and push mirrors (scope: repository). */
import type { Forge } from "./forge.ts";
import type { MergeStyle } from "./git_store.ts";
import { addLabels, applyIssueEdit, removeLabel } from "./routes_issues.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import {
  type ApiApp,
  type ApiContext,
  bodyOf,
  canAdmin,
  canWrite,
  repoAccess,
  signedIn,
} from "./route_kit.ts";
import { type IssueRecord, type MirrorRecord, randomHex, type RepoRecord } from "./state.ts";

const STYLES = new Set([
  "merge",
  "rebase",
  "rebase-merge",
  "squash",
  "fast-forward-only",
  "manually-merged",
]);

export function registerPullRoutes(app: ApiApp, forge: Forge): void {
  const { git, state } = forge;

  const pullOf = (
    c: ApiContext,
    repo: RepoRecord,
    title = "GetPullRequestByIndex",
  ): IssueRecord | Response => {
    const number = Number.parseInt(c.req.param("index") ?? "", 10) || 0;
    const issue = state.issue(repo, number);
    return issue?.pull ? issue : notFound(forge.rootUrl, title, [
      `pull request does not exist [id: 0, issue_id: 0, head_repo_id: 0, base_repo_id: ${repo.id}, index: ${number}]`,
    ]);
  };

  const pullJson = async (repo: RepoRecord, issue: IssueRecord) => {
    const pull = issue.pull!;
    const base = forge.issueJson(issue, repo);
    const headSha = await git.resolve(repo.owner, repo.name, `refs/heads/${pull.head}`) ?? "";
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
  };

  app.get("/repos/:owner/:repo/pulls", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const q = new URL(c.req.url).searchParams;
    const wanted = q.get("state"); // omitted: open AND closed
    const labelIds = q.getAll("labels").map(Number);
    if (labelIds.some((n) => !Number.isInteger(n))) {
      return json(500, { message: "", url: `${forge.rootUrl}api/swagger` });
    }
    const poster = q.get("poster");
    if (poster && !state.user(poster)) {
      return apiError(forge.rootUrl, 400, `user does not exist [uid: 0, name: ${poster}]`);
    }
    const pulls = state.data.issues.filter((i) =>
      i.repoId === repo.id && i.pull &&
      (!wanted || wanted === "all" || i.state === wanted) &&
      (labelIds.length === 0 || i.labels.some((l) => labelIds.includes(l))) &&
      (!poster || i.poster.toLowerCase() === poster.toLowerCase())
    ).sort((a, b) => q.get("sort") === "oldest" ? a.id - b.id : b.id - a.id);
    const page = paged(c.req.raw, forge.rootUrl, pulls, { link: true });
    return json(200, await Promise.all(page.items.map((p) => pullJson(repo, p))), page.headers);
  });

  app.post("/repos/:owner/:repo/pulls", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    if (!found.ok.caller) return apiError(forge.rootUrl, 401, "token is required");
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const head = String(b.head ?? "").replace(/^[^:]+:/, "");
    const baseName = String(b.base ?? "");
    const title = String(b.title ?? "");
    if (!head) return apiError(forge.rootUrl, 422, "[Head]: Required");
    if (!baseName) return apiError(forge.rootUrl, 422, "[Base]: Required");
    if (!title) return apiError(forge.rootUrl, 422, "[Title]: Required");
    if (!(await git.branch(repo.owner, repo.name, baseName))) {
      return notFound(forge.rootUrl, "BaseNotExist");
    }
    if (!(await git.branch(repo.owner, repo.name, head))) {
      return notFound(forge.rootUrl, "IsRefExist");
    }
    if (head === baseName) {
      return apiError(
        forge.rootUrl,
        422,
        "Invalid PullRequest: There are no changes between the head and the base",
      );
    }
    const open = state.data.issues.find((i) =>
      i.repoId === repo.id && i.state === "open" && i.pull?.head === head &&
      i.pull.base === baseName
    );
    if (open) {
      return apiError(
        forge.rootUrl,
        409,
        `pull request already exists for these targets [id: ${open.id}, issue_id: ${open.id}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${head}, base_branch: ${baseName}]`,
      );
    }
    const actor = found.ok.caller.user.login;
    const at = forge.iso();
    const issue: IssueRecord = {
      id: state.nextId("issue"),
      repoId: repo.id,
      number: repo.nextIndex++,
      title,
      body: String(b.body ?? ""),
      poster: actor,
      state: "open",
      labels: [],
      assignees: [],
      created: at,
      updated: at,
      closed: null,
      pull: {
        head,
        base: baseName,
        merged: false,
        mergedAt: null,
        mergedBy: null,
        mergeCommitSha: null,
        mergeableAt: forge.now() + forge.knobs.mergeCheckMs,
      },
    };
    state.data.issues.push(issue);
    if (canWrite(found.ok.level) && Array.isArray(b.labels)) {
      addLabels(
        forge,
        repo,
        issue,
        b.labels.filter((l): l is number => typeof l === "number"),
        actor,
      );
    }
    forge.onChange();
    return json(201, await pullJson(repo, issue));
  });

  app.get("/repos/:owner/:repo/pulls/:index", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, found.ok.repo);
    return pull instanceof Response ? pull : json(200, await pullJson(found.ok.repo, pull));
  });

  app.patch("/repos/:owner/:repo/pulls/:index", async (c) => {
    const found = repoAccess(c, forge, "write", true);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const pull = pullOf(c, repo);
    if (pull instanceof Response) return pull;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const actor = found.ok.caller!.user.login;
    const failed = applyIssueEdit(forge, repo, pull, body.ok, actor, true);
    if (failed) return failed;
    if (Array.isArray(body.ok.labels)) {
      const ids = body.ok.labels.filter((l): l is number => typeof l === "number");
      addLabels(forge, repo, pull, ids, actor);
      for (const id of [...pull.labels]) if (!ids.includes(id)) removeLabel(forge, pull, id, actor);
    }
    if (typeof body.ok.base === "string" && body.ok.base) pull.pull!.base = body.ok.base;
    forge.onChange();
    return json(201, await pullJson(repo, pull));
  });

  app.get("/repos/:owner/:repo/pulls/:index/merge", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, found.ok.repo);
    if (pull instanceof Response) return pull;
    return pull.pull!.merged ? statusOnly(204) : notFound(forge.rootUrl);
  });

  app.post("/repos/:owner/:repo/pulls/:index/merge", async (c) => {
    const found = repoAccess(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const pull = pullOf(c, repo);
    if (pull instanceof Response) return pull;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const style = String(body.ok.do ?? "");
    if (!STYLES.has(style)) return apiError(forge.rootUrl, 422, "[Do]: In");
    const info = pull.pull!;
    if (info.merged) return apiError(forge.rootUrl, 405, "");
    if (pull.state === "closed") return notFound(forge.rootUrl);
    if (forge.now() < info.mergeableAt) {
      return apiError(forge.rootUrl, 405, "Please try again later");
    }
    const me = found.ok.caller!.user;
    const blocked = mergeBlocked(
      forge,
      repo,
      pull,
      me.login,
      body.ok.force_merge === true && canAdmin(found.ok.level),
    );
    if (blocked) return apiError(forge.rootUrl, 405, blocked);
    if (style === "manually-merged") {
      markMerged(forge, pull, me.login, String(body.ok.mergecommitid ?? ""));
      forge.onChange();
      return new Response(null, { status: 200 });
    }
    const allowedKey = {
      merge: "allow_merge_commits",
      rebase: "allow_rebase",
      "rebase-merge": "allow_rebase_explicit",
      squash: "allow_squash_merge",
      "fast-forward-only": "allow_fast_forward_only_merge",
    }[style]!;
    if (repo.settings[allowedKey] === false) {
      return apiError(
        forge.rootUrl,
        405,
        `${style} is not allowed an allowed merge style for this repository`,
      );
    }
    const title = String(
      body.ok.mergetitlefield || `Merge pull request '${pull.title}' (#${pull.number})`,
    );
    const extra = String(body.ok.mergemessagefield ?? "");
    const result = await git.merge(repo.owner, repo.name, info.base, `refs/heads/${info.head}`, {
      style: style as MergeStyle,
      message: extra ? `${title}\n\n${extra}` : title,
      author: { name: me.login, email: forge.placeholderEmail(me.login) },
    });
    if (!result.merged) {
      return result.reason === "conflict"
        ? apiError(forge.rootUrl, 409, "Merge conflict")
        : apiError(
          forge.rootUrl,
          405,
          result.reason === "not-fast-forward"
            ? "not allowed to merge [reason: The head branch is behind the base branch]"
            : "Please try again later",
        );
    }
    markMerged(forge, pull, me.login, result.sha);
    if (body.ok.delete_branch_after_merge === true && info.head !== repo.defaultBranch) {
      await git.deleteBranch(repo.owner, repo.name, info.head);
    }
    forge.onChange();
    return new Response(null, { status: 200 });
  });

  app.get("/repos/:owner/:repo/pulls/:index/reviews", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const pull = pullOf(c, found.ok.repo);
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
    const pull = pullOf(c, repo);
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

  // --- push mirrors
  const mirrorJson = (repo: RepoRecord, m: MirrorRecord) => ({
    repo_name: repo.name,
    remote_name: m.remoteName,
    remote_address: m.remoteAddress,
    created: m.created,
    last_update: m.lastUpdate,
    last_error: m.lastError,
    interval: m.interval,
    sync_on_commit: m.syncOnCommit,
    public_key: "",
  });

  app.get("/repos/:owner/:repo/push_mirrors", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const page = paged(c.req.raw, forge.rootUrl, found.ok.repo.mirrors, { allWithoutPage: true });
    return json(200, page.items.map((m) => mirrorJson(found.ok.repo, m)), page.headers);
  });

  app.post("/repos/:owner/:repo/push_mirrors", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const interval = parseGoDuration(String(b.interval ?? ""));
    if (interval === null) {
      return apiError(forge.rootUrl, 400, `time: invalid duration "${b.interval ?? ""}"`);
    }
    if (interval !== 0 && interval < 600) return apiError(forge.rootUrl, 400, "%!s(<nil>)");
    if (b.use_ssh === true && (b.remote_username || b.remote_password)) {
      return apiError(
        forge.rootUrl,
        400,
        "'use_ssh' is mutually exclusive with 'remote_username' and 'remote_passoword'",
      );
    }
    let address: URL;
    try {
      address = new URL(String(b.remote_address ?? ""));
    } catch {
      return apiError(forge.rootUrl, 400, "Invalid Url ");
    }
    if (!["http:", "https:", "git:", "ssh:"].includes(address.protocol)) {
      return apiError(forge.rootUrl, 400, "Invalid mirror protocol");
    }
    const username = String(b.remote_username ?? address.username ?? "");
    const password = String(b.remote_password ?? address.password ?? "");
    address.username = "";
    address.password = "";
    const mirror: MirrorRecord = {
      remoteName: `remote_mirror_${randomHex(5)}`,
      remoteAddress: address.toString(),
      remoteUsername: username,
      remotePassword: password,
      interval: formatGoDuration(interval),
      syncOnCommit: b.sync_on_commit === true,
      created: forge.iso(),
      lastUpdate: null,
      lastError: "",
    };
    found.ok.repo.mirrors.push(mirror);
    forge.onChange();
    return json(200, mirrorJson(found.ok.repo, mirror));
  });

  app.get("/repos/:owner/:repo/push_mirrors/:name", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const mirror = found.ok.repo.mirrors.find((m) => m.remoteName === c.req.param("name"));
    return mirror
      ? json(200, mirrorJson(found.ok.repo, mirror))
      : apiError(forge.rootUrl, 404, "%!s(<nil>)");
  });

  app.delete("/repos/:owner/:repo/push_mirrors/:name", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    found.ok.repo.mirrors = found.ok.repo.mirrors.filter((m) =>
      m.remoteName !== c.req.param("name")
    );
    forge.onChange();
    return statusOnly(204);
  });

  app.post("/repos/:owner/:repo/push_mirrors-sync", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    let failed = false;
    for (const mirror of repo.mirrors) {
      const target = new URL(mirror.remoteAddress);
      if (mirror.remoteUsername || mirror.remotePassword) {
        target.username = encodeURIComponent(mirror.remoteUsername);
        target.password = encodeURIComponent(mirror.remotePassword);
      }
      try {
        await git.pushMirror(repo.owner, repo.name, target.toString());
        mirror.lastError = "";
      } catch (error) {
        mirror.lastError = (error as Error).message;
        failed = true;
      }
      mirror.lastUpdate = forge.iso();
    }
    forge.onChange();
    return failed
      ? json(500, { message: "", url: `${forge.rootUrl}api/swagger` })
      : new Response(null, { status: 200 });
  });
}

function markMerged(forge: Forge, pull: IssueRecord, actor: string, sha: string): void {
  const info = pull.pull!;
  info.merged = true;
  info.mergedAt = forge.iso();
  info.mergedBy = actor;
  info.mergeCommitSha = sha || null;
  pull.state = "closed";
  pull.closed = info.mergedAt;
  forge.addEvent(pull, "merge_pull", actor);
  forge.addEvent(pull, "close", actor);
}

/** The branch protection reason that stops a merge, or null. */
function mergeBlocked(
  forge: Forge,
  repo: RepoRecord,
  pull: IssueRecord,
  actor: string,
  force: boolean,
): string | null {
  const rule = repo.protections.find((p) => p.ruleName === pull.pull!.base);
  if (!rule || force) return null;
  const f = rule.fields;
  if (f.enable_merge_whitelist === true) {
    const allowed = (f.merge_whitelist_usernames as string[] | undefined) ?? [];
    if (!allowed.some((u) => u.toLowerCase() === actor.toLowerCase())) {
      return "User not allowed to merge PR";
    }
  }
  const reviews = forge.state.data.reviews.filter((r) => r.issueId === pull.id);
  const latest = new Map<string, string>();
  for (const r of reviews) {
    if (r.state !== "COMMENT" && r.state !== "PENDING") latest.set(r.user.toLowerCase(), r.state);
  }
  const approvals = [...latest.values()].filter((s) => s === "APPROVED").length;
  if (approvals < Number(f.required_approvals ?? 0)) {
    return "not allowed to merge [reason: Does not have enough approvals]";
  }
  if (f.block_on_rejected_reviews === true && [...latest.values()].includes("REQUEST_CHANGES")) {
    return "not allowed to merge [reason: There are requested changes]";
  }
  return null;
}

/** Go durations such as "8h0m0s", "10m", "0" → seconds, or null. */
export function parseGoDuration(text: string): number | null {
  if (text === "0") return 0;
  if (!/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(text)) return null;
  let seconds = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    seconds += Number(n) * ({ h: 3600, m: 60, s: 1, ms: 0.001 }[unit!] ?? 0);
  }
  return seconds;
}

export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h ? `${h}h${m}m${s}s` : m ? `${m}m${s}s` : `${s}s`;
}
