/** Repositories (three create paths, migrate, get, edit, delete) and collaborators. */
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, paged, statusOnly } from "./respond.ts";
import {
  type ApiApp,
  type ApiContext,
  bodyOf,
  publicOnlyRefusal,
  repoAccess,
  reservedRepoName,
  signedIn,
  signedInRepo,
  siteAdmin,
} from "./route_kit.ts";
import type { Permission, RepoRecord, UserRecord } from "./state.ts";

export function registerRepoRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;

  const create = async (c: ApiContext, owner: string, doer: UserRecord): Promise<Response> => {
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const name = String(body.ok.name ?? "");
    if (!name) return apiError(forge.rootUrl, 422, "[Name]: Required");
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
      return apiError(forge.rootUrl, 422, "[Name]: AlphaDashDot");
    }
    const reserved = reservedRepoName(name);
    if (reserved) return apiError(forge.rootUrl, 422, reserved);
    if (state.repo(owner, name)) {
      return apiError(forge.rootUrl, 409, "The repository with the same name already exists.");
    }
    const ownerName = (state.user(owner)?.login ?? state.org(owner)?.name)!;
    const repo = newRepo(forge, ownerName, name, body.ok);
    await forge.git.create(ownerName, name, {
      autoInit: body.ok.auto_init === true,
      defaultBranch: repo.defaultBranch,
      author: { name: doer.login, email: forge.placeholderEmail(doer.login) },
    });
    state.data.repos.push(repo);
    forge.onChange();
    return json(201, await forge.repoJson(repo, doer));
  };

  app.post("/admin/users/:username/repos", async (c) => {
    const admin = siteAdmin(c, forge);
    if ("error" in admin) return admin.error;
    const owner = c.req.param("username");
    if (!forge.ownerExists(owner)) {
      return apiError(forge.rootUrl, 404, `user redirect does not exist [name: ${owner}]`);
    }
    return await create(c, owner, admin.ok.user);
  });

  app.post("/user/repos", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    return await create(c, who.ok.user.login, who.ok.user);
  });

  app.post("/orgs/:org/repos", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const name = c.req.param("org");
    const org = state.org(name);
    if (!org) {
      return notFound(forge.rootUrl, "GetOrgByName", [
        `user redirect does not exist [name: ${name}]`,
      ]);
    }
    const refused = org.visibility === "public" ? null : publicOnlyRefusal(forge, who.ok, "orgs");
    if (refused) return refused;
    const owner = who.ok.user.isAdmin ||
      org.owners.some((o) => o.toLowerCase() === who.ok.user.login.toLowerCase());
    if (!owner) {
      return apiError(
        forge.rootUrl,
        403,
        "Given user is not allowed to create repository in organization.",
      );
    }
    return await create(c, org.name, who.ok.user);
  });

  app.post("/repos/migrate", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const b = body.ok;
    const cloneAddr = String(b.clone_addr ?? "");
    const name = String(b.repo_name ?? "");
    if (!cloneAddr) return apiError(forge.rootUrl, 422, "[CloneAddr]: Required");
    if (!name) return apiError(forge.rootUrl, 422, "[RepoName]: Required");
    const ownerName = String(b.repo_owner ?? who.ok.user.login);
    const ownerUser = state.user(ownerName);
    const ownerOrg = ownerUser ? undefined : state.org(ownerName);
    if (!ownerUser && !ownerOrg) {
      return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${ownerName}]`);
    }
    const me = who.ok.user;
    if (ownerUser && ownerUser.id !== me.id && !me.isAdmin) {
      return apiError(forge.rootUrl, 403, "Given user is not an organization.");
    }
    if (
      ownerOrg && !me.isAdmin &&
      !ownerOrg.owners.some((o) => o.toLowerCase() === me.login.toLowerCase())
    ) {
      return apiError(forge.rootUrl, 403, "Given user is not owner of organization.");
    }
    if (state.repo(ownerName, name)) {
      return apiError(forge.rootUrl, 409, "The repository with the same name already exists.");
    }
    if (!/^https?:\/\//.test(cloneAddr) && !/^git:\/\//.test(cloneAddr)) {
      return apiError(forge.rootUrl, 422, "You are not allowed to import local repositories.");
    }
    // Forgejo refuses loopback and private hosts unless ALLOW_LOCALNETWORKS;
    // the emulator plays an instance where that switch is on (tests mirror
    // from other loopback emulators), and refuses everything else since it
    // must never reach the internet.
    const host = new URL(cloneAddr).hostname;
    if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) {
      return apiError(forge.rootUrl, 422, "You can not import from disallowed hosts.");
    }
    const owner = (ownerUser?.login ?? ownerOrg?.name)!;
    try {
      await forge.git.mirrorFrom(owner, name, withAuth(cloneAddr, b));
    } catch (error) {
      await forge.git.remove(owner, name);
      return apiError(
        forge.rootUrl,
        422,
        `Migration failed: ${(error as Error).message.replace(/\/\/[^@/]*@/g, "//")}`,
      );
    }
    const repo = newRepo(forge, owner, name, b);
    repo.defaultBranch = await forge.git.defaultBranch(owner, name);
    state.data.repos.push(repo);
    forge.onChange();
    return json(201, await forge.repoJson(repo, me));
  });

  app.get("/repos/:owner/:repo", async (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    return json(200, await forge.repoJson(found.ok.repo, found.ok.caller?.user ?? null));
  });

  app.patch("/repos/:owner/:repo", async (c) => {
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const repo = found.ok.repo;
    for (const [key, value] of Object.entries(body.ok)) {
      if (key === "description" && typeof value === "string") repo.description = value;
      else if (key === "private" && typeof value === "boolean") repo.private = value;
      else if (key === "default_branch" && typeof value === "string") repo.defaultBranch = value;
      else if (key.startsWith("allow_") || key === "default_merge_style") {
        repo.settings[key] = value;
      }
    }
    repo.updated = forge.iso();
    forge.onChange();
    return json(200, await forge.repoJson(repo, found.ok.caller?.user ?? null));
  });

  app.delete("/repos/:owner/:repo", async (c) => {
    const found = repoAccess(c, forge, "admin");
    if ("error" in found) return found.error;
    const repo = found.ok.repo;
    state.data.repos = state.data.repos.filter((r) => r !== repo);
    const issueIds = new Set(
      state.data.issues.filter((i) => i.repoId === repo.id).map((i) => i.id),
    );
    state.data.issues = state.data.issues.filter((i) => i.repoId !== repo.id);
    state.data.events = state.data.events.filter((e) => !issueIds.has(e.issueId));
    state.data.labels = state.data.labels.filter((l) => l.repoId !== repo.id);
    await forge.git.remove(repo.owner, repo.name);
    forge.onChange();
    return statusOnly(204);
  });

  app.get("/repos/:owner/:repo/collaborators", (c) => {
    // The whole collaborators group is behind reqToken (routers/api/v1/api.go).
    const found = signedInRepo(c, forge);
    if ("error" in found) return found.error;
    const users = Object.keys(found.ok.repo.collaborators).map((l) => state.user(l))
      .filter((u) => u !== undefined);
    const page = paged(c.req.raw, forge.rootUrl, users);
    return json(200, page.items.map((u) => forge.userJson(u)), page.headers);
  });

  app.get("/repos/:owner/:repo/collaborators/:collaborator", (c) => {
    const found = signedInRepo(c, forge);
    if ("error" in found) return found.error;
    const name = c.req.param("collaborator");
    if (!state.user(name)) {
      return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${name}]`);
    }
    return found.ok.repo.collaborators[name.toLowerCase()]
      ? statusOnly(204)
      : notFound(forge.rootUrl);
  });

  app.put("/repos/:owner/:repo/collaborators/:collaborator", async (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const name = c.req.param("collaborator");
    const user = state.user(name);
    if (!user) return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${name}]`);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const key = user.login.toLowerCase();
    const wanted = body.ok.permission;
    const known = wanted === "read" || wanted === "write" || wanted === "admin";
    const current = found.ok.repo.collaborators[key];
    // An unknown permission is ignored: new collaborators get write, existing keep theirs.
    found.ok.repo.collaborators[key] = known ? wanted as Permission : current ?? "write";
    forge.onChange();
    return statusOnly(204);
  });

  app.delete("/repos/:owner/:repo/collaborators/:collaborator", (c) => {
    const found = signedInRepo(c, forge, "admin");
    if ("error" in found) return found.error;
    const name = c.req.param("collaborator");
    if (!state.user(name)) {
      return apiError(forge.rootUrl, 422, `user does not exist [uid: 0, name: ${name}]`);
    }
    delete found.ok.repo.collaborators[name.toLowerCase()];
    forge.onChange();
    return statusOnly(204);
  });

  app.get("/repos/:owner/:repo/collaborators/:collaborator/permission", (c) => {
    const found = repoAccess(c, forge);
    if ("error" in found) return found.error;
    const name = c.req.param("collaborator");
    const user = state.user(name);
    if (!user) return notFound(forge.rootUrl);
    const me = found.ok.caller?.user;
    if (
      !me ||
      (me.id !== user.id && !me.isAdmin && found.ok.level !== "admin" && found.ok.level !== "owner")
    ) {
      return apiError(
        forge.rootUrl,
        403,
        "Only admins can query all permissions, repo admins can query all repo permissions, collaborators can query only their own",
      );
    }
    const level = forge.access(found.ok.repo, user);
    const permission = level === "read" && !found.ok.repo.collaborators[user.login.toLowerCase()]
      ? (found.ok.repo.private ? "none" : "read")
      : level;
    return json(200, { permission, role_name: permission, user: forge.userJson(user) });
  });
}

function newRepo(
  forge: Forge,
  owner: string,
  name: string,
  body: Record<string, unknown>,
): RepoRecord {
  const at = forge.iso();
  return {
    id: forge.state.nextId("repo"),
    owner,
    name,
    description: String(body.description ?? ""),
    private: body.private === true,
    defaultBranch: String(body.default_branch || "main"),
    created: at,
    updated: at,
    collaborators: {},
    protections: [],
    mirrors: [],
    nextIndex: 1,
    settings: {},
  };
}

function withAuth(address: string, body: Record<string, unknown>): string {
  const user = body.auth_username ? String(body.auth_username) : "";
  const secret = String(body.auth_password ?? body.auth_token ?? "");
  if (!user && !secret) return address;
  const url = new URL(address);
  url.username = encodeURIComponent(user || "oauth2");
  url.password = encodeURIComponent(secret);
  return url.toString();
}
