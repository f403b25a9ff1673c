/**
 * A small in-memory Forgejo stand-in as a `fetch` function, for fast
 * in-process tests of init and the issue lifecycle (no sockets, injectable
 * faults). It follows shared/FORGEJO-API.md for the routes disinto uses:
 * basic-auth-only token creation with the secret shown once, must-change-
 * password gate, label ids global, timeline label events with string type
 * and body "1"/"" for add/remove, branch protection duplicates as 403, user
 * duplicates as 422, repo duplicates as 409. The full emulator lives in
 * plugins/forge/emulator; this fake exists so these tests need no server.
 */

export interface FakeRequest {
  method: string;
  path: string;
  status: number;
  user: string | null;
}

interface User {
  login: string;
  password: string;
  admin: boolean;
  mustChange: boolean;
}
interface Token {
  id: number;
  user: string;
  name: string;
  secret: string;
  scopes: string[];
}
interface Label {
  id: number;
  name: string;
  color: string;
}
interface Event {
  id: number;
  type: string;
  body: string;
  created_at: string;
  label: Label | null;
  user: { login: string };
}
interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: number[];
  assignees: string[];
  comments: Event[];
  events: Event[];
}
interface Repo {
  owner: string;
  name: string;
  branches: Set<string>;
  labels: Label[];
  collaborators: Map<string, string>;
  protections: Map<string, Record<string, unknown>>;
  issues: Issue[];
  nextIssue: number;
  pulls: Array<{ number: number; head: { ref: string }; state: string }>;
}

const json = (status: number, data: unknown, headers: Record<string, string> = {}) =>
  new Response(data === undefined ? null : JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json;charset=utf-8", ...headers },
  });
const msg = (status: number, message: string) => json(status, { message, url: "x" });
const notFound = () => json(404, { message: "The target couldn't be found.", errors: [] });

export interface FakeForgeOptions {
  adminUser?: string;
  adminPass?: string;
  now?: () => number;
  /** Chance (0..1) that an answer becomes a 500 or a dropped connection. */
  faultRate?: number;
  random?: () => number;
  /** Branch of a new repo becomes visible only after this many ms (by `now`). */
  branchDelayMs?: number;
  /** Never make branches visible. */
  branchNever?: boolean;
  /** REQUIRE_SIGNIN_VIEW: anonymous callers get 403 everywhere. */
  requireSignin?: boolean;
  /** Start without the admin user (created later, e.g. by a fake docker). */
  noAdmin?: boolean;
}

export class FakeForge {
  users = new Map<string, User>();
  orgs = new Set<string>();
  tokens: Token[] = [];
  repos = new Map<string, Repo>();
  log: FakeRequest[] = [];
  #id = 100;
  #branchVisibleAt = new Map<string, number>();
  readonly now: () => number;
  faultRate: number;
  readonly random: () => number;
  url = "http://forge.test";

  constructor(readonly options: FakeForgeOptions = {}) {
    this.now = options.now ?? Date.now;
    this.faultRate = options.faultRate ?? 0;
    this.random = options.random ?? Math.random;
    const admin = options.adminUser ?? "disinto-admin";
    if (!options.noAdmin) this.addAdmin(admin, options.adminPass ?? "admin-pass-123");
  }

  addAdmin(admin: string, password: string): void {
    this.users.set(admin, {
      login: admin,
      password,
      admin: true,
      mustChange: false,
    });
  }

  writes(): FakeRequest[] {
    return this.log.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  }

  fetch: typeof fetch = (input, init) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    return this.handle(request);
  };

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const auth = this.#authenticate(request.headers.get("authorization"));
    const user = auth === "bad" ? null : auth?.user.login ?? null;
    const fault = this.faultRate > 0 && this.random() < this.faultRate;
    const dropBefore = fault && this.random() < 0.5;
    if (dropBefore) {
      this.log.push({ method: request.method, path, status: 0, user });
      throw new TypeError("connection reset (fake)");
    }
    let response: Response;
    if (auth === "bad") response = msg(401, "user does not exist [uid: 0, name: ]");
    else if (auth?.user.mustChange) {
      response = json(403, { message: "You must change your password." });
    } else if (auth?.token && !scopeAllows(auth.token.scopes, request.method, path)) {
      response = msg(
        403,
        `token does not have at least one of required scope(s): [${
          requiredScope(request.method, path)
        }]`,
      );
    } else {
      const body = request.method === "GET"
        ? null
        : await request.text().then((t) => t ? JSON.parse(t) : {});
      response = this.#route(request.method, path, url.searchParams, body, auth) ?? notFound();
    }
    this.log.push({ method: request.method, path, status: response.status, user });
    if (fault) return msg(500, "");
    return response;
  }

  #authenticate(
    header: string | null,
  ): { user: User; token: Token | null; basic: boolean } | "bad" | null {
    if (!header) return null;
    if (header.startsWith("token ")) {
      const token = this.tokens.find((t) => t.secret === header.slice(6));
      if (!token) return "bad";
      return { user: this.users.get(token.user)!, token, basic: false };
    }
    if (header.startsWith("Basic ")) {
      const [name, password] = atob(header.slice(6)).split(":") as [string, string];
      const user = this.users.get(name.toLowerCase()) ??
        [...this.users.values()].find((u) => u.login.toLowerCase() === name.toLowerCase());
      if (!user || user.password !== password) return "bad";
      return { user, token: null, basic: true };
    }
    return "bad";
  }

  #event(type: string, body: string, actor: string, label: Label | null = null): Event {
    return {
      id: ++this.#id,
      type,
      body,
      created_at: new Date(this.now()).toISOString(),
      label,
      user: { login: actor },
    };
  }

  /** Test knob: move every event/comment of an issue `seconds` into the past. */
  age(slug: string, number: number, seconds: number): void {
    const issue = this.repos.get(slug)!.issues.find((i) => i.number === number)!;
    for (const e of [...issue.events, ...issue.comments]) {
      e.created_at = new Date(Date.parse(e.created_at) - seconds * 1000).toISOString();
    }
  }

  /** Test knob: an issue with labels by name. */
  addIssue(slug: string, title: string, labels: string[], body = ""): number {
    const repo = this.repos.get(slug)!;
    const issue: Issue = {
      number: repo.nextIssue++,
      title,
      body,
      state: "open",
      labels: [],
      assignees: [],
      comments: [],
      events: [],
    };
    for (const name of labels) {
      const label = repo.labels.find((l) => l.name === name)!;
      issue.labels.push(label.id);
      issue.events.push(this.#event("label", "1", "disinto-admin", label));
    }
    repo.issues.push(issue);
    return issue.number;
  }

  #issueJson(repo: Repo, issue: Issue) {
    return {
      number: issue.number,
      title: issue.title,
      body: issue.body,
      state: issue.state,
      labels: issue.labels.map((id) => repo.labels.find((l) => l.id === id)!).filter(Boolean),
      assignees: issue.assignees.length ? issue.assignees.map((login) => ({ login })) : null,
      assignee: issue.assignees[0] ? { login: issue.assignees[0] } : null,
      pull_request: null,
    };
  }

  #branchVisible(repo: Repo, branch: string): boolean {
    if (!repo.branches.has(branch)) return false;
    if (this.options.branchNever) return false;
    const at = this.#branchVisibleAt.get(`${repo.owner}/${repo.name}:${branch}`) ?? 0;
    return this.now() >= at;
  }

  #addRepo(owner: string, name: string, branch: string | null): void {
    const key = `${owner}/${name}`.toLowerCase();
    this.repos.set(key, {
      owner,
      name,
      branches: new Set(branch ? [branch] : []),
      labels: [],
      collaborators: new Map(),
      protections: new Map(),
      issues: [],
      nextIssue: 1,
      pulls: [],
    });
    if (branch) {
      this.#branchVisibleAt.set(`${key}:${branch}`, this.now() + (this.options.branchDelayMs ?? 0));
    }
  }

  #route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: Record<string, unknown> | null,
    auth: { user: User; token: Token | null; basic: boolean } | null,
  ): Response | null {
    const me = auth?.user ?? null;
    const isAdmin = me?.admin === true;
    let m: RegExpExecArray | null;
    if (method === "GET" && path === "/version") {
      return json(200, { version: "11.0.1+gitea-1.22.0" });
    }
    if (method === "GET" && path === "/user") {
      return me ? json(200, { login: me.login }) : msg(401, "token is required");
    }
    if ((m = /^\/users\/([^/]+)$/.exec(path)) && method === "GET") {
      const u = this.users.get(decodeURIComponent(m[1]!).toLowerCase());
      return u || this.orgs.has(m[1]!.toLowerCase())
        ? json(200, { login: u?.login ?? m[1] })
        : msg(404, `user redirect does not exist [name: ${m[1]}]`);
    }
    if (path === "/admin/users" && method === "POST") {
      if (!isAdmin) return msg(403, "user should be the site admin");
      const name = String(body!.username);
      if (this.users.has(name.toLowerCase()) || this.orgs.has(name.toLowerCase())) {
        return msg(422, `user already exists [name: ${name}]`);
      }
      this.users.set(name.toLowerCase(), {
        login: name,
        password: String(body!.password),
        admin: false,
        mustChange: body!.must_change_password !== false,
      });
      return json(201, { login: name });
    }
    if ((m = /^\/admin\/users\/([^/]+)$/.exec(path)) && method === "PATCH") {
      if (!isAdmin) return msg(403, "user should be the site admin");
      const u = this.users.get(m[1]!.toLowerCase());
      if (!u) return notFound();
      if (typeof body!.password === "string") u.password = body!.password;
      if (typeof body!.must_change_password === "boolean") {
        u.mustChange = body!.must_change_password;
      }
      return json(200, { login: u.login });
    }
    if ((m = /^\/orgs\/([^/]+)$/.exec(path)) && method === "GET") {
      return this.orgs.has(m[1]!.toLowerCase())
        ? json(200, { name: m[1] })
        : msg(404, "GetOrgByName");
    }
    if (path === "/orgs" && method === "POST") {
      const name = String(body!.username).toLowerCase();
      if (this.users.has(name) || this.orgs.has(name)) {
        return msg(422, `user already exists [name: ${name}]`);
      }
      this.orgs.add(name);
      return json(201, { name });
    }
    if ((m = /^\/users\/([^/]+)\/tokens(?:\/([^/]+))?$/.exec(path))) {
      const owner = decodeURIComponent(m[1]!).toLowerCase();
      if (!me || (me.login.toLowerCase() !== owner && !isAdmin)) {
        return msg(403, "doer should be the site admin or be same as the contextUser");
      }
      if (method === "GET") {
        return json(
          200,
          this.tokens.filter((t) => t.user === owner).map((t) => ({
            ...t,
            secret: undefined,
            sha1: "",
          })),
        );
      }
      if (!auth!.basic) return msg(401, "auth required");
      if (method === "POST") {
        if (this.tokens.some((t) => t.user === owner && t.name === body!.name)) {
          return msg(400, "access token name has been used already");
        }
        const scopes = body!.scopes as string[];
        if (!scopes?.length) return msg(400, "access token must have a scope");
        const secret = crypto.randomUUID().replace(/-/g, "") + "abcdefgh";
        const token = { id: ++this.#id, user: owner, name: String(body!.name), secret, scopes };
        this.tokens.push(token);
        return json(201, { id: token.id, name: token.name, sha1: secret, scopes });
      }
      if (method === "DELETE") {
        const name = decodeURIComponent(m[2]!);
        const before = this.tokens.length;
        this.tokens = this.tokens.filter((t) => !(t.user === owner && t.name === name));
        return before === this.tokens.length ? notFound() : new Response(null, { status: 204 });
      }
    }
    if ((m = /^\/admin\/users\/([^/]+)\/repos$/.exec(path)) && method === "POST") {
      if (!isAdmin) return msg(403, "user should be the site admin");
      const owner = decodeURIComponent(m[1]!);
      if (!this.users.has(owner.toLowerCase()) && !this.orgs.has(owner.toLowerCase())) {
        return msg(404, `user redirect does not exist [name: ${owner}]`);
      }
      const name = String(body!.name);
      if (this.repos.has(`${owner}/${name}`.toLowerCase())) {
        return msg(409, "The repository with the same name already exists.");
      }
      this.#addRepo(owner, name, body!.auto_init ? String(body!.default_branch ?? "main") : null);
      return json(201, { full_name: `${owner}/${name}` });
    }
    if (path === "/repos/migrate" && method === "POST") {
      const owner = String(body!.repo_owner);
      const name = String(body!.repo_name);
      if (this.repos.has(`${owner}/${name}`.toLowerCase())) {
        return msg(409, "The repository with the same name already exists.");
      }
      this.#addRepo(owner, name, "main");
      return json(201, { full_name: `${owner}/${name}` });
    }
    if (!(m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path))) return null;
    const slug = `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase();
    const repo = this.repos.get(slug);
    if (!repo) return notFound();
    const rest = m[3] ?? "";
    const level = !me
      ? "none"
      : isAdmin || repo.owner.toLowerCase() === me.login.toLowerCase()
      ? "owner"
      : repo.collaborators.get(me.login.toLowerCase()) ?? "read";
    const canWrite = ["write", "admin", "owner"].includes(level);
    const canAdmin = ["admin", "owner"].includes(level);
    if (method !== "GET") {
      const adminOnly = /^\/(collaborators|branch_protections)/.test(rest);
      const readerMay = /^\/issues\/\d+\/comments$/.test(rest);
      if (adminOnly && !canAdmin) {
        return msg(
          403,
          "user should be an owner or a collaborator with admin write of a repository",
        );
      }
      if (!adminOnly && !readerMay && !canWrite) return new Response(null, { status: 403 });
    }
    if (rest === "" && method === "GET") {
      return json(200, {
        full_name: `${repo.owner}/${repo.name}`,
        empty: repo.branches.size === 0,
        default_branch: "main",
      });
    }
    if ((m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest)) && method === "GET") {
      const user = decodeURIComponent(m[1]!).toLowerCase();
      const u = this.users.get(user);
      if (!u) return notFound();
      if (u.admin || repo.owner.toLowerCase() === user) return json(200, { permission: "owner" });
      return json(200, { permission: repo.collaborators.get(user) ?? "none" });
    }
    if ((m = /^\/collaborators\/([^/]+)$/.exec(rest)) && method === "GET") {
      const user = decodeURIComponent(m[1]!).toLowerCase();
      return new Response(null, { status: repo.collaborators.has(user) ? 204 : 404 });
    }
    if ((m = /^\/collaborators\/([^/]+)$/.exec(rest)) && method === "PUT") {
      const user = decodeURIComponent(m[1]!).toLowerCase();
      if (!this.users.has(user)) return msg(422, `user does not exist [uid: 0, name: ${user}]`);
      repo.collaborators.set(user, String(body?.permission ?? "write"));
      return new Response(null, { status: 204 });
    }
    if (rest === "/labels" && method === "GET") {
      return json(200, [...repo.labels].sort((a, b) => a.name.localeCompare(b.name)), {
        "x-total-count": String(repo.labels.length),
      });
    }
    if (rest === "/labels" && method === "POST") {
      const label = {
        id: ++this.#id,
        name: String(body!.name),
        color: String(body!.color).replace("#", ""),
      };
      repo.labels.push(label);
      return json(201, label);
    }
    if ((m = /^\/labels\/(\d+)$/.exec(rest))) {
      const label = repo.labels.find((l) => l.id === Number(m![1]));
      if (method === "DELETE") {
        repo.labels = repo.labels.filter((l) => l !== label);
        return new Response(null, { status: 204 });
      }
      if (method === "PATCH" && label) {
        label.color = String(body!.color).replace("#", "");
        return json(200, label);
      }
    }
    if ((m = /^\/branches\/(.+)$/.exec(rest)) && method === "GET") {
      const branch = decodeURIComponent(m[1]!);
      return this.#branchVisible(repo, branch) ? json(200, { name: branch }) : json(404, {
        message: "The target couldn't be found.",
        errors: [`branch does not exist [name: ${branch}]`],
      });
    }
    if (rest === "/branch_protections" && method === "POST") {
      const name = String(body!.rule_name || body!.branch_name);
      if (repo.protections.has(name)) return msg(403, "Branch protection already exist");
      const rule = {
        rule_name: name,
        enable_push: false,
        enable_merge_whitelist: false,
        merge_whitelist_usernames: [],
        required_approvals: 0,
        apply_to_admins: false,
        ...body,
      };
      repo.protections.set(name, rule);
      return json(201, rule);
    }
    if ((m = /^\/branch_protections\/([^/]+)$/.exec(rest))) {
      const name = decodeURIComponent(m[1]!);
      const rule = repo.protections.get(name);
      if (!rule) return notFound();
      if (method === "GET") return json(200, rule);
      if (method === "PATCH") {
        Object.assign(rule, body);
        return json(200, rule);
      }
    }
    if (rest === "/issues" && method === "GET") {
      const wanted = (query.get("labels") ?? "").split(",").filter(Boolean);
      const ids = wanted.map((n) => repo.labels.find((l) => l.name === n)?.id).filter((id) =>
        id !== undefined
      );
      const state = query.get("state") ?? "open";
      const all = repo.issues.filter((i) =>
        (state === "all" || i.state === state) && ids.every((id) => i.labels.includes(id!))
      );
      const limit = Math.min(Number(query.get("limit") ?? 30) || 30, 50);
      const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
      const items = all.slice((page - 1) * limit, page * limit).map((i) =>
        this.#issueJson(repo, i)
      );
      return json(200, items, { "x-total-count": String(all.length) });
    }
    if (rest === "/pulls" && method === "GET") {
      const open = repo.pulls.filter((p) => p.state === "open");
      const limit = Math.min(Number(query.get("limit") ?? 30) || 30, 50);
      return json(200, open.slice(0, limit), { "x-total-count": String(open.length) });
    }
    if (!(m = /^\/issues\/(\d+)(\/.*)?$/.exec(rest))) return null;
    const issue = repo.issues.find((i) => i.number === Number(m![1]));
    if (!issue) return notFound();
    const sub = m[2] ?? "";
    const actor = me?.login ?? "anonymous";
    if (sub === "" && method === "GET") return json(200, this.#issueJson(repo, issue));
    if (sub === "" && method === "PATCH") {
      if (Array.isArray(body!.assignees)) {
        issue.assignees = (body!.assignees as string[]).map(String);
      }
      if (body!.state === "closed") issue.state = "closed";
      return json(201, this.#issueJson(repo, issue));
    }
    if (sub === "/comments" && method === "GET") return json(200, issue.comments);
    if (sub === "/comments" && method === "POST") {
      const comment = this.#event("comment", String(body!.body), actor);
      issue.comments.push(comment);
      issue.events.push(comment);
      return json(201, comment);
    }
    if (sub === "/timeline" && method === "GET") return json(200, issue.events);
    if (sub === "/labels" && method === "POST") {
      for (const id of body!.labels as number[]) {
        const label = repo.labels.find((l) => l.id === id);
        if (!label || issue.labels.includes(id)) continue;
        issue.labels.push(id);
        issue.events.push(this.#event("label", "1", actor, label));
      }
      return json(200, this.#issueJson(repo, issue).labels);
    }
    if ((m = /^\/labels\/(\d+)$/.exec(sub)) && method === "DELETE") {
      const id = Number(m[1]);
      const label = repo.labels.find((l) => l.id === id);
      if (!label) return msg(422, `label does not exist [label_id: ${id}]`);
      if (issue.labels.includes(id)) {
        issue.labels = issue.labels.filter((l) => l !== id);
        issue.events.push(this.#event("label", "", actor, label));
      }
      return new Response(null, { status: 204 });
    }
    return null;
  }
}

/** The token scope a route needs (shared/FORGEJO-API.md §1.2). */
export function requiredScope(method: string, path: string): string {
  const level = method === "GET" || method === "HEAD" ? "read" : "write";
  const category = path.startsWith("/admin/")
    ? "admin"
    : path === "/user" || path.startsWith("/users/") || path.startsWith("/user/")
    ? "user"
    : path.startsWith("/orgs")
    ? "organization"
    : /^\/repos\/[^/]+\/[^/]+\/(issues|labels)/.test(path)
    ? "issue"
    : path.startsWith("/repos/")
    ? "repository"
    : null;
  return category ? `${level}:${category}` : "";
}

function scopeAllows(scopes: readonly string[], method: string, path: string): boolean {
  const needed = requiredScope(method, path);
  if (needed === "" || scopes.includes("all")) return true;
  const [level, category] = needed.split(":");
  return scopes.includes(`write:${category}`) || (level === "read" && scopes.includes(needed));
}
