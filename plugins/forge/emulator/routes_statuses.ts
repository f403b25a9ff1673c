/**
 * Commit statuses as Forgejo v11 keeps them: routers/api/v1/repo/status.go,
 * services/repository/commitstatus/commitstatus.go, models/git/commit_status.go
 * and services/convert/status.go.
 */
import type { Forge } from "./forge.ts";
import { apiError, json, paged, pageRequest } from "./respond.ts";
import { type ApiApp, type ApiContext, bodyOf, repoAccess, signedInRepo } from "./route_kit.ts";
import type { RepoRecord, StatusRecord, UserRecord } from "./state.ts";

/** modules/structs/commit_status.go commitStatusPriorities: lower is worse. */
const PRIORITY: Record<string, number> = {
  error: 0,
  failure: 1,
  warning: 2,
  pending: 3,
  success: 4,
};

/** CommitStatusState.NoBetterThan: false whenever either state is not one of the five. */
export function noBetterThan(a: string, b: string): boolean {
  const [x, y] = [PRIORITY[a], PRIORITY[b]];
  return x !== undefined && y !== undefined && x <= y;
}

/**
 * convert.ToCombinedStatus: the worst of the latest status per context (the
 * first seen wins a tie of unknown states), and "error" reported as "failure".
 */
export function combinedState(states: readonly string[]): string {
  let state = "";
  for (const next of states) if (state === "" || noBetterThan(next, state)) state = next;
  return state === "error" ? "failure" : state;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/** CommitStatusOptions.ToOrders; ties fall in insertion order as the index scan returns them. */
const ORDERS: Record<string, (a: StatusRecord, b: StatusRecord) => number> = {
  oldest: (a, b) => a.created.localeCompare(b.created) || a.id - b.id,
  recentupdate: (a, b) => b.created.localeCompare(a.created) || b.id - a.id,
  leastupdate: (a, b) => a.created.localeCompare(b.created) || a.id - b.id,
  leastindex: (a, b) => b.index - a.index,
  highestindex: (a, b) => a.index - b.index,
};
const NEWEST_FIRST = ORDERS.recentupdate!;

export function registerStatusRoutes(app: ApiApp, forge: Forge): void {
  const { git, state } = forge;

  /** utils.MustConvertToSHA1: a full sha as given, else the object git names, else the text. */
  const toSha = async (repo: RepoRecord, rev: string) => {
    if (FULL_SHA.test(rev) || rev.startsWith("-")) return rev;
    return (await git.objectId(repo.owner, repo.name, rev)) ?? rev;
  };

  /** utils.ResolveRefOrSha: the first branch, then tag, whose ref name starts with `ref`. */
  const resolveRefOrSha = async (repo: RepoRecord, ref: string) => {
    for (const kind of ["heads", "tags"]) {
      const found = await git.firstRefWithPrefix(repo.owner, repo.name, `refs/${kind}/${ref}`);
      if (found) return await toSha(repo, found.sha);
    }
    return await toSha(repo, ref);
  };

  const statusJson = (repo: RepoRecord, status: StatusRecord) => {
    const creator = state.userById(status.creatorId);
    return {
      id: status.index,
      status: status.state,
      target_url: status.targetUrl,
      description: status.description,
      url: `${forge.rootUrl}api/v1/repos/${repo.owner}/${repo.name}/statuses/${
        encodeURIComponent(status.sha)
      }`,
      context: status.context,
      // convert.ToCommitStatus passes no doer to ToUser: the placeholder email.
      creator: creator ? forge.userJson(creator) : null,
      created_at: status.created,
      updated_at: status.created,
    };
  };

  const statusesOf = (repo: RepoRecord, sha: string) =>
    state.data.statuses.filter((s) => s.repoId === repo.id && s.sha === sha);

  /** getCommitStatuses: filtered by state, sorted, paged with Link and X-Total-Count. */
  const listStatuses = (c: ApiContext, repo: RepoRecord, sha: string) => {
    const query = new URL(c.req.url).searchParams;
    const wanted = query.get("state")?.trim() ?? "";
    const order = ORDERS[query.get("sort")?.trim() ?? ""] ?? NEWEST_FIRST;
    const all = statusesOf(repo, sha)
      .filter((s) => !Object.hasOwn(PRIORITY, wanted) || s.state === wanted)
      .sort(order);
    const page = paged(c.req.raw, forge.rootUrl, all, { link: true });
    return json(200, page.items.map((s) => statusJson(repo, s)), page.headers);
  };

  app.post("/repos/:owner/:repo/statuses/:sha", async (c) => {
    const found = signedInRepo(c, forge, "write");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const rev = c.req.param("sha");
    const sha = rev.startsWith("-") ? null : await git.resolve(repo.owner, repo.name, rev);
    if (!sha) return commitMissing(forge, found.ok.caller.user, rev);
    const text = (key: string) => {
      const value = body.ok[key];
      return typeof value === "string" ? value.trim() : "";
    };
    const status: StatusRecord = {
      id: state.nextId("status"),
      repoId: repo.id,
      sha,
      index: statusesOf(repo, sha).length + 1,
      // The state is not validated by the binding (CreateStatusOption has no rule).
      state: typeof body.ok.state === "string" ? body.ok.state : "",
      targetUrl: text("target_url"),
      description: text("description"),
      context: text("context"),
      creatorId: found.ok.caller.user.id,
      created: forge.iso(),
    };
    state.data.statuses.push(status);
    forge.onChange();
    return json(201, statusJson(repo, status));
  });

  app.get("/repos/:owner/:repo/statuses/:sha", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    return listStatuses(c, repo, await toSha(repo, c.req.param("sha")));
  });

  app.get("/repos/:owner/:repo/commits/:ref/statuses", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    return listStatuses(c, repo, await resolveRefOrSha(repo, c.req.param("ref")));
  });

  app.get("/repos/:owner/:repo/commits/:ref/status", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    const sha = await resolveRefOrSha(repo, c.req.param("ref"));
    // GetLatestCommitStatus: the newest status of each context, contexts by
    // their newest index descending, one page of them, then read back by id.
    const latest = new Map<string, StatusRecord>();
    for (const s of statusesOf(repo, sha).sort((a, b) => b.index - a.index)) {
      if (!latest.has(s.context)) latest.set(s.context, s);
    }
    const { page, limit } = pageRequest(new URL(c.req.url).searchParams);
    const shown = [...latest.values()].slice((page - 1) * limit, page * limit)
      .sort((a, b) => a.id - b.id);
    if (shown.length === 0) {
      // status.go answers an empty &api.CombinedStatus{}: state "", no header.
      return json(200, {
        state: "",
        sha: "",
        total_count: 0,
        statuses: null,
        repository: null,
        commit_url: "",
        url: "",
      });
    }
    return json(200, {
      state: combinedState(shown.map((s) => s.state)),
      sha: shown[0]!.sha,
      total_count: shown.length,
      statuses: shown.map((s) => statusJson(repo, s)),
      repository: await forge.repoJson(repo, found.ok.caller?.user ?? null),
      commit_url: "",
      url: "",
    }, {
      "x-total-count": String(latest.size),
      "access-control-expose-headers": "X-Total-Count",
    });
  });
}

/**
 * CreateCommitStatus fails on GetCommit and the handler answers
 * ctx.Error(500, …): the message is blanked in production unless the caller
 * is a site admin (services/context/api.go).
 */
function commitMissing(forge: Forge, caller: UserRecord, rev: string): Response {
  const message = caller.isAdmin
    ? `GetCommit[${rev}]: object does not exist [id: ${rev}, rel_path: ]`
    : "";
  return apiError(forge.rootUrl, 500, message);
}
