/**
 * The forge operations `hire-an-agent` needs for core/identity's
 * ensureIdentity, over the Forgejo API (shared/FORGEJO-API.md §2.1–2.4).
 * Admin calls use the admin's basic auth; token calls use basic auth as the
 * user, as the forge requires. Failures are RuntimeFailure (exit 1) naming
 * the method, the path and the status — never a credential.
 */
import { RuntimeFailure } from "../../core/errors.ts";
import type { AuthCheck, IdentityForge, Permission } from "../../core/identity/ensure_identity.ts";

export interface ForgeAccess {
  /** Base URL of the forge, e.g. http://127.0.0.1:3000. */
  url: string;
  admin: { user: string; pass: string };
  fetch: typeof fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Auth = { basic: [string, string] } | { token: string };

interface Answer {
  status: number;
  body: unknown;
}

const enc = encodeURIComponent;

export function forgeIdentityAdapter(access: ForgeAccess): IdentityForge {
  const admin: Auth = { basic: [access.admin.user, access.admin.pass] };

  async function call(
    method: string,
    path: string,
    auth: Auth,
    options: { body?: unknown; accept?: readonly number[] } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { accept: "application/json" };
    if ("token" in auth) headers.authorization = `token ${auth.token}`;
    else headers.authorization = `Basic ${btoa(`${auth.basic[0]}:${auth.basic[1]}`)}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const signals = [AbortSignal.timeout(access.timeoutMs ?? 10_000)];
    if (access.signal) signals.push(access.signal);
    const url = `${access.url.replace(/\/+$/, "")}/api/v1${path}`;
    let response: Response;
    try {
      response = await access.fetch(url, {
        method,
        headers,
        signal: AbortSignal.any(signals),
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      const why = error instanceof Error ? error.name : "error";
      throw new RuntimeFailure(`${method} /api/v1${path}: no answer from the forge (${why})`);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    if (response.ok || options.accept?.includes(response.status)) {
      return { status: response.status, body };
    }
    const message = typeof body === "object" && body !== null && "message" in body
      ? String((body as { message: unknown }).message)
      : "";
    throw new RuntimeFailure(
      `${method} /api/v1${path}: HTTP ${response.status}${message ? ` (${message})` : ""}`,
    );
  }

  async function whoami(auth: Auth): Promise<AuthCheck> {
    const answer = await call("GET", "/user", auth, { accept: [401, 403] });
    if (answer.status === 200) {
      return { ok: true, login: String((answer.body as { login?: unknown }).login ?? "") };
    }
    const message = JSON.stringify(answer.body ?? "");
    if (answer.status === 403 && /change your password/i.test(message)) {
      return { ok: false, reason: "must-change-password" };
    }
    return { ok: false, reason: "unauthorized" };
  }

  return {
    async userExists(user) {
      const answer = await call("GET", `/users/${enc(user)}`, admin, { accept: [404] });
      return answer.status === 200;
    },
    async createUser(input) {
      await call("POST", "/admin/users", admin, {
        body: { ...input, must_change_password: false, source_id: 0, login_name: input.username },
      });
    },
    async updateUser(user, input) {
      const body: Record<string, unknown> = { must_change_password: input.mustChangePassword };
      if (input.password !== undefined) body.password = input.password;
      await call("PATCH", `/admin/users/${enc(user)}`, admin, { body });
    },
    checkPassword: (user, password) => whoami({ basic: [user, password] }),
    checkToken: (token) => whoami({ token }),
    async listTokenNames(user, password) {
      const answer = await call("GET", `/users/${enc(user)}/tokens`, { basic: [user, password] });
      const list = Array.isArray(answer.body) ? answer.body : [];
      return list.map((token) => String((token as { name?: unknown }).name ?? ""));
    },
    async deleteToken(user, password, name) {
      await call("DELETE", `/users/${enc(user)}/tokens/${enc(name)}`, { basic: [user, password] }, {
        accept: [404],
      });
    },
    async createToken(user, password, name, scopes) {
      const answer = await call("POST", `/users/${enc(user)}/tokens`, { basic: [user, password] }, {
        body: { name, scopes },
      });
      const sha1 = (answer.body as { sha1?: unknown } | null)?.sha1;
      if (typeof sha1 !== "string" || sha1 === "") {
        throw new RuntimeFailure(`POST /api/v1/users/${user}/tokens: the forge returned no token`);
      }
      return sha1;
    },
    async collaboratorPermission(repo, user) {
      const [owner, name] = repo.split("/");
      const answer = await call(
        "GET",
        `/repos/${enc(owner!)}/${enc(name!)}/collaborators/${enc(user)}/permission`,
        admin,
        { accept: [404] },
      );
      if (answer.status === 404) return "none";
      return String((answer.body as { permission?: unknown }).permission ?? "none");
    },
    async setCollaborator(repo, user, permission: Permission) {
      const [owner, name] = repo.split("/");
      await call("PUT", `/repos/${enc(owner!)}/${enc(name!)}/collaborators/${enc(user)}`, admin, {
        body: { permission },
      });
    },
  };
}
