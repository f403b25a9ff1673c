/**
 * Git smart HTTP with Forgejo's gates (routers/web/githttp.go and
 * routers/web/repo/githttp.go httpBase, v11): anonymous reads of public repos,
 * 401 to ask for credentials, token scopes, then `git http-backend`, whose
 * pushes pass the pre-receive hook (git_push_hook.ts).
 */
import { type AuthResult, identify, readForm } from "./auth.ts";
import type { Forge } from "./forge.ts";
import { hookEnv, receiveCommands } from "./git_push_hook.ts";
import { canWrite } from "./route_kit.ts";

const TEXT = { "content-type": "text/plain; charset=utf-8", "x-content-type-options": "nosniff" };

const challenge = () =>
  new Response("Unauthorized\n", {
    status: 401,
    headers: { ...TEXT, "www-authenticate": 'Basic realm="Gitea"' },
  });

/**
 * routers/web/web.go webAuth: credentials no auth method accepts are a 401
 * with the `auth.unauthorized_credentials` text and no challenge.
 */
const credentialsRefused = () =>
  new Response(
    "Credentials are incorrect or have expired. Retry your command or see " +
      "https://codeberg.org/forgejo/forgejo/issues/2809 for more information\n",
    { status: 401, headers: TEXT },
  );

/** The prohibit_login page verifyAuthWithOptions renders, with status 200. */
const suspendedPage = () =>
  new Response(
    "<!DOCTYPE html>\n<html><head><title>Account is suspended</title></head><body>" +
      "<p>Your account has been suspended from interacting with the instance. " +
      "Contact the instance administrator to regain access.</p></body></html>\n",
    { status: 200, headers: { "content-type": "text/html; charset=utf-8" } },
  );

/** Go's http.Error with http.StatusText: the plain answer of ctx.Error(status). */
const forbidden = () => new Response("Forbidden\n", { status: 403, headers: TEXT });

/**
 * Who is calling, through the middlewares Forgejo runs before any git route
 * (routers/web/githttp.go): webAuth, then ignSignInAndCsrf's account checks
 * (routers/web/web.go verifyAuthWithOptions), then requireSignIn.
 */
async function gitCaller(forge: Forge, request: Request): Promise<AuthResult> {
  // services/auth/basic.go: a token as the user name only with an empty
  // password or `x-oauth-basic`; a token header or ?token= works too.
  const found = identify(request, forge.state, {
    rootUrl: forge.rootUrl,
    requireSignin: forge.knobs.requireSignin,
    now: forge.now,
    form: await readForm(request),
  });
  if ("error" in found) return { error: credentialsRefused() };
  const caller = found.caller;
  if (!caller) return forge.knobs.requireSignin ? { error: challenge() } : found;
  const user = caller.user;
  // services/auth/signin.go UserSignIn refuses a prohibited user's password
  // (not an inactive one's): webAuth's 401. A token still signs them in.
  if (!caller.token && user.prohibitLogin) return { error: credentialsRefused() };
  if (user.prohibitLogin || !user.active) return { error: suspendedPage() };
  if (user.mustChangePassword) {
    const git = (request.headers.get("user-agent") ?? "").startsWith("git");
    return {
      error: git
        ? new Response("Update your password\n", { status: 401, headers: TEXT })
        : new Response(null, {
          status: 303,
          headers: { location: "/user/settings/change_password" },
        }),
    };
  }
  return found;
}

export async function handleGit(
  forge: Forge,
  request: Request,
  owner: string,
  name: string,
  rest: string,
): Promise<Response> {
  const found = await gitCaller(forge, request);
  if ("error" in found) return found.error;
  const repo = forge.state.repo(owner, name);
  if (!repo) return new Response("Not found\n", { status: 404 });
  const url = new URL(request.url);
  const pushing = rest === "git-receive-pack" ||
    url.searchParams.get("service") === "git-receive-pack";
  const token = found.caller?.token ?? null;
  const user = found.caller?.user ?? null;
  if (token) {
    // services/context/permission.go CheckRepoScopedToken (v11): a public-only
    // token is refused on a private repo before its scopes are looked at.
    if (repo.private && token.scopes.includes("public-only")) return forbidden();
    // Same function: a missing repository scope is ctx.Error(403), Go's
    // http.Error with http.StatusText — plain "Forbidden", no scope named.
    if (
      !token.scopes.includes("all") &&
      !token.scopes.includes(`${pushing ? "write" : "read"}:repository`) &&
      !token.scopes.includes("write:repository")
    ) {
      return forbidden();
    }
  }
  const level = forge.access(repo, user);
  if (level === "none") return user ? new Response("Not found\n", { status: 404 }) : challenge();
  if (pushing && !user) return challenge();
  if (!pushing) {
    return await forge.git.handleHttp(request, repo.owner, repo.name, rest, {
      user: user?.login ?? null,
    });
  }
  // httpBase checks only read access for a push (git.SupportProcReceive): the
  // pre-receive hook refuses a pusher without write access, and protected branches.
  const body = new Uint8Array(await request.arrayBuffer());
  const commands = rest === "git-receive-pack"
    ? receiveCommands(body, request.headers.get("content-encoding"))
    : [];
  const replayed = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    ...(request.method === "GET" || request.method === "HEAD" ? {} : { body }),
  });
  return await forge.git.handleHttp(replayed, repo.owner, repo.name, rest, {
    user: user?.login ?? null,
    pushHookEnv: hookEnv(forge, repo, user, canWrite(level), commands),
  });
}
