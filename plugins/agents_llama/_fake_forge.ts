/**
 * Test double: a `fetch` answering the few Forgejo routes hire-an-agent uses
 * (shared/FORGEJO-API.md §2.1–2.4) plus a model server, in memory. It checks
 * credentials like the forge does (basic auth only for token routes) and
 * records every request. Used until the shared emulator helper lands.
 */

export interface FakeForgeOptions {
  admin: { user: string; pass: string };
  repo: string;
  /** Origins of model servers that answer /health with 200. */
  modelServers?: readonly string[];
}

export class FakeForge {
  users = new Map<string, { password: string }>();
  tokens = new Map<string, { user: string; name: string }>();
  collaborators = new Map<string, string>();
  requests: string[] = [];
  #next = 1;

  constructor(readonly options: FakeForgeOptions) {
    this.users.set(options.admin.user, { password: options.admin.pass });
  }

  readonly fetch: typeof fetch = (input, init) => {
    const request = new Request(input, init);
    return Promise.resolve(this.#handle(request, init?.body ? String(init.body) : ""));
  };

  #who(request: Request): { user: string; via: "basic" | "token" } | null {
    const header = request.headers.get("authorization") ?? "";
    if (header.startsWith("Basic ")) {
      const [user, pass] = atob(header.slice(6)).split(":");
      const account = this.users.get(user ?? "");
      return account && account.password === pass ? { user: user!, via: "basic" } : null;
    }
    if (header.startsWith("token ")) {
      const token = this.tokens.get(header.slice(6));
      return token ? { user: token.user, via: "token" } : null;
    }
    return null;
  }

  #handle(request: Request, body: string): Response {
    const url = new URL(request.url);
    const json = (status: number, data: unknown) => Response.json(data, { status });
    if (this.options.modelServers?.includes(url.origin)) {
      return url.pathname === "/health" ? json(200, { status: "ok" }) : json(404, {});
    }
    this.requests.push(`${request.method} ${url.pathname}`);
    const who = this.#who(request);
    if (!who) return json(401, { message: "unauthorized" });
    const isAdmin = who.user === this.options.admin.user;
    const path = url.pathname.replace(/^\/api\/v1/, "");
    const input = body ? JSON.parse(body) : {};
    let match: RegExpMatchArray | null;
    if (request.method === "GET" && path === "/user") return json(200, { login: who.user });
    if ((match = path.match(/^\/users\/([^/]+)$/)) && request.method === "GET") {
      return this.users.has(match[1]!) ? json(200, { login: match[1] }) : json(404, {});
    }
    if (path === "/admin/users" && request.method === "POST" && isAdmin) {
      if (this.users.has(input.username)) return json(422, { message: "user already exists" });
      if (input.must_change_password !== false) {
        return json(400, { message: "test: must be false" });
      }
      this.users.set(input.username, { password: input.password });
      return json(201, { login: input.username });
    }
    if (
      (match = path.match(/^\/admin\/users\/([^/]+)$/)) && request.method === "PATCH" && isAdmin
    ) {
      const account = this.users.get(match[1]!);
      if (!account) return json(404, {});
      if (input.password) account.password = input.password;
      return json(200, { login: match[1] });
    }
    if ((match = path.match(/^\/users\/([^/]+)\/tokens(?:\/([^/]+))?$/))) {
      const user = decodeURIComponent(match[1]!);
      if (who.via !== "basic") return json(401, { message: "auth required" });
      if (who.user !== user && !isAdmin) return json(403, {});
      if (request.method === "GET") {
        return json(
          200,
          [...this.tokens.values()].filter((t) => t.user === user).map((t) => ({
            name: t.name,
            sha1: "",
          })),
        );
      }
      if (request.method === "POST") {
        const sha1 = `${"0".repeat(32)}${String(this.#next++).padStart(8, "0")}`;
        this.tokens.set(sha1, { user, name: input.name });
        return json(201, { name: input.name, sha1 });
      }
      if (request.method === "DELETE") {
        const name = decodeURIComponent(match[2]!);
        for (const [sha, token] of this.tokens) {
          if (token.user === user && token.name === name) this.tokens.delete(sha);
        }
        return new Response(null, { status: 204 });
      }
    }
    if ((match = path.match(/^\/repos\/([^/]+\/[^/]+)\/collaborators\/([^/]+)(\/permission)?$/))) {
      if (match[1] !== this.options.repo) return json(404, { message: "repo not found" });
      const key = `${match[1]} ${match[2]}`;
      if (request.method === "GET" && match[3]) {
        return json(200, { permission: this.collaborators.get(key) ?? "none" });
      }
      if (request.method === "PUT" && isAdmin) {
        this.collaborators.set(key, input.permission ?? "write");
        return new Response(null, { status: 204 });
      }
    }
    return json(404, { message: `test forge: no route ${request.method} ${path}` });
  }
}
