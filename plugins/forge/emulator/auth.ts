/**
 * Who is calling (shared/FORGEJO-API.md §1.1): `token` / `access_token` in the
 * query or a urlencoded body first, then `token` / `Bearer` headers, then
 * basic auth with a password or a token as the password; then the gates every
 * authenticated request passes (prohibited login, must change password,
 * sign-in required) and sudo. Bad credentials
 * fail before routing, so even /version answers 401.
 */
import { apiError, gateError, notFound, withHeader } from "./respond.ts";
import type { State, TokenRecord, UserRecord } from "./state.ts";

export interface Caller {
  user: UserRecord;
  /** Set when a token authenticated the request (its scopes apply). */
  token: TokenRecord | null;
  /** Basic auth (with a password or a token as the password). */
  basic: boolean;
}

export type AuthResult = { caller: Caller | null } | { error: Response };

export interface AuthOptions {
  rootUrl: string;
  requireSignin: boolean;
  now: () => number;
  /** The request's form fields, from readForm. */
  form: FormValue;
}

/** One field of Go's req.Form: its first value, or "" when absent. */
export type FormValue = (key: string) => string;

/**
 * req.Form as Go's ParseForm builds it: a urlencoded POST/PUT/PATCH body's
 * fields come before the query's. The body is read from a clone, so the
 * handler can still read it.
 */
export async function readForm(request: Request): Promise<FormValue> {
  const query = new URL(request.url).searchParams;
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const withBody = ["POST", "PUT", "PATCH"].includes(request.method) &&
    type === "application/x-www-form-urlencoded" && request.body !== null;
  const body = withBody ? new URLSearchParams(await request.clone().text()) : null;
  return (key) => body?.get(key) ?? query.get(key) ?? "";
}

export function authenticate(request: Request, state: State, options: AuthOptions): AuthResult {
  const found = identify(request, state, options);
  if ("error" in found) return found;
  const caller = found.caller;
  if (!caller) {
    if (options.requireSignin) {
      return { error: gateError(403, "Only signed in user is allowed to call APIs.") };
    }
    return { caller: null };
  }
  // routers/api/shared/middleware.go: the prohibited/inactive check runs first.
  if (caller.user.prohibitLogin || !caller.user.active) {
    return {
      error: gateError(
        403,
        "This account is prohibited from signing in, please contact your site administrator.",
      ),
    };
  }
  if (caller.user.mustChangePassword) {
    return {
      error: gateError(
        403,
        `You must change your password. Change it at: ${options.rootUrl}/user/change_password`,
      ),
    };
  }
  // routers/api/v1/api.go sudo() (v11): the form field first, the header only without it.
  const sudo = options.form("sudo") || request.headers.get("sudo");
  if (sudo) {
    if (!caller.user.isAdmin) {
      return { error: gateError(403, "Only administrators allowed to sudo.") };
    }
    const target = state.user(sudo);
    if (!target) return { error: notFound(options.rootUrl) };
    return { caller: { ...caller, user: target } };
  }
  return { caller };
}

/**
 * The caller the credentials name, before any gate: services/auth's group of
 * methods (OAuth2/token, then basic), which Forgejo also runs for git over HTTP.
 */
export function identify(request: Request, state: State, options: AuthOptions): AuthResult {
  const header = request.headers.get("authorization");
  // services/auth/oauth2.go parseToken (v11): a non-empty req.Form token, else
  // access_token (query or urlencoded body), is taken before the Authorization
  // header, which is read only without them.
  const queryToken = options.form("token") || options.form("access_token");
  const headerToken = header?.startsWith("token ") || /^bearer /i.test(header ?? "")
    ? header!.slice(header!.indexOf(" ") + 1).trim()
    : "";
  const oauth = queryToken || headerToken
    ? byToken(queryToken || headerToken, state, options)
    : null;
  if (oauth && "caller" in oauth) return oauth;
  // services/auth/group.go Verify: when the token method fails, basic auth still gets its
  // turn; only if no method signs the caller in does the first method's error stand.
  const basic = header && /^basic /i.test(header) ? byBasic(header, state, options) : null;
  if (basic && "caller" in basic) return basic;
  // Any other scheme (e.g. a capitalised "Token") is claimed by no auth method:
  // parseToken wants exactly "token", so the caller is anonymous.
  return oauth ?? basic ?? { caller: null };
}

function byBasic(header: string, state: State, options: AuthOptions): AuthResult {
  let decoded: string;
  try {
    decoded = atob(header.slice(6).trim());
  } catch {
    return { error: apiError(options.rootUrl, 401, "user does not exist [uid: 0, name: ]") };
  }
  const colon = decoded.indexOf(":");
  const name = colon < 0 ? decoded : decoded.slice(0, colon);
  const password = colon < 0 ? "" : decoded.slice(colon + 1);
  // services/auth/basic.go: an empty password (or x-oauth-basic) tries the
  // username as the token, otherwise the password; either way a miss falls
  // through to signing in with name and password.
  const tokenText = password === "" || password === "x-oauth-basic" ? name : password;
  const asToken = state.tokenBySecret(tokenText);
  if (asToken && !expired(asToken, options.now)) {
    return asBasic(byToken(tokenText, state, options));
  }
  const user = state.userByEmailOrName(name);
  if (!user) {
    return {
      error: apiError(options.rootUrl, 401, `user does not exist [uid: 0, name: ${name}]`),
    };
  }
  if (!state.checkPassword(user, password)) {
    return {
      error: apiError(
        options.rootUrl,
        401,
        `user's password is invalid [uid: ${user.id}, name: ${user.login}]`,
      ),
    };
  }
  return { caller: { user, token: null, basic: true } };
}

function byToken(secret: string, state: State, options: AuthOptions): AuthResult {
  const token = state.tokenBySecret(secret);
  const user = token && !expired(token, options.now) ? state.userById(token.userId) : undefined;
  if (!token || !user) {
    return { error: apiError(options.rootUrl, 401, "user does not exist [uid: 0, name: ]") };
  }
  return { caller: { user, token, basic: false } };
}

function asBasic(result: AuthResult): AuthResult {
  return "caller" in result && result.caller
    ? { caller: { ...result.caller, basic: true } }
    : result;
}

function expired(token: TokenRecord, now: () => number): boolean {
  return token.oauthExpires !== undefined && token.oauthExpires < now();
}

// Forgejo v11 routers/api/shared/middleware.go checkDeprecatedAuthMethods: set
// before authentication, so every API answer carries it, errors included.
const QUERY_TOKEN_WARNING = "token and access_token API authentication is deprecated and " +
  "will be removed in gitea 1.23. Please use AuthorizationHeaderToken instead. Existing " +
  "queries will continue to work but without authorization.";

/** Add v11's deprecation `Warning` when the form (query or body) carries a non-empty token. */
export function withQueryTokenWarning(form: FormValue, response: Response): Response {
  if (!form("token") && !form("access_token")) return response;
  return withHeader(response, "warning", QUERY_TOKEN_WARNING);
}

/** Decode basic credentials for git smart HTTP and the OAuth login form. */
export function basicCredentials(header: string | null): { name: string; password: string } | null {
  if (!header || !/^basic /i.test(header)) return null;
  try {
    const decoded = atob(header.slice(6).trim());
    const colon = decoded.indexOf(":");
    return colon < 0
      ? { name: decoded, password: "" }
      : { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  } catch {
    return null;
  }
}
