/**
 * OAuth2 applications (API) and the authorization-code login flow
 * (/login/oauth/authorize, /login/oauth/access_token, /login/oauth/userinfo),
 * enough for the chat's browser login. The authorize page signs a user in
 * with basic auth or a small form, then redirects back with a code.
 *
 * Checks and answers follow Forgejo v11 routers/web/auth/oauth.go
 * (AuthorizeOAuth, handleAuthorizeError, AccessTokenOAuth,
 * handleAuthorizationCode) and models/auth/oauth2.go (ValidateCodeChallenge).
 * One difference: Forgejo stores the PKCE challenge with the code only when it
 * issues the code straight away (a confidential client the user already
 * granted); after its grant page it keeps none for S256 (GrantApplicationOAuth
 * reads session keys AuthorizeOAuth never sets), so the verifier goes
 * unchecked there. The emulator has no grant page and always keeps and checks
 * the challenge, as the direct path does.
 */
import { createHash } from "node:crypto";
import type { Hono } from "hono";
import { basicCredentials } from "./auth.ts";
import type { Forge } from "./forge.ts";
import { apiError, json, notFound, statusOnly } from "./respond.ts";
import { type ApiApp, bodyOf, signedIn } from "./route_kit.ts";
import {
  type OAuthAppRecord,
  type OAuthGrantRecord,
  randomHex,
  sha256,
  type UserRecord,
} from "./state.ts";

const CODE_TTL_MS = 10 * 60_000;
const ACCESS_TTL_MS = 60 * 60_000;

/**
 * Forgejo v11's CreateOAuth2ApplicationOptions (modules/structs/user_app.go),
 * the form of both create and update (routers/api/v1/user/app.go): name and
 * redirect_uris are `binding:"Required"`, confidential_client a plain bool, so
 * a missing one is false — a public client.
 */
function appForm(
  body: Record<string, unknown>,
): { name: string; uris: string[]; confidential: boolean } | { error: string } {
  const name = typeof body.name === "string" ? body.name : "";
  if (!name) return { error: "[Name]: Required" };
  if (!Array.isArray(body.redirect_uris)) return { error: "[RedirectURIs]: Required" };
  return {
    name,
    uris: body.redirect_uris.map(String),
    confidential: body.confidential_client === true,
  };
}

export function registerOAuthApiRoutes(app: ApiApp, forge: Forge): void {
  const { state } = forge;
  const appJson = (a: OAuthAppRecord, secret = "") => ({
    id: a.id,
    name: a.name,
    client_id: a.clientId,
    client_secret: secret,
    redirect_uris: a.redirectUris,
    confidential_client: a.confidential,
    created: a.created,
  });
  const mine = (userId: number, id: string) =>
    state.data.oauthApps.find((a) => a.userId === userId && a.id === Number(id));

  app.get("/user/applications/oauth2", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const apps = state.data.oauthApps.filter((a) => a.userId === who.ok.user.id);
    return json(200, apps.map((a) => appJson(a)), { "x-total-count": String(apps.length) });
  });

  app.post("/user/applications/oauth2", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    const form = appForm(body.ok);
    if ("error" in form) return apiError(forge.rootUrl, 422, form.error);
    const { name, uris } = form;
    const secret = `gto_${randomHex(26)}`;
    const record: OAuthAppRecord = {
      id: state.nextId("oauth_app"),
      userId: who.ok.user.id,
      name,
      clientId: crypto.randomUUID(),
      secretHash: sha256(secret),
      redirectUris: uris,
      confidential: form.confidential,
      created: forge.iso(),
    };
    state.data.oauthApps.push(record);
    forge.onChange();
    return json(201, appJson(record, secret));
  });

  app.get("/user/applications/oauth2/:id", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = mine(who.ok.user.id, c.req.param("id"));
    return found ? json(200, appJson(found)) : notFound(forge.rootUrl);
  });

  app.patch("/user/applications/oauth2/:id", async (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = mine(who.ok.user.id, c.req.param("id"));
    if (!found) return notFound(forge.rootUrl);
    const body = await bodyOf(c, forge);
    if ("error" in body) return body.error;
    // The update takes the create form and replaces all three fields (UpdateOAuth2Application).
    const form = appForm(body.ok);
    if ("error" in form) return apiError(forge.rootUrl, 422, form.error);
    found.name = form.name;
    found.redirectUris = form.uris;
    found.confidential = form.confidential;
    // Forgejo regenerates the secret on update and shows it once.
    const secret = `gto_${randomHex(26)}`;
    found.secretHash = sha256(secret);
    forge.onChange();
    return json(200, appJson(found, secret));
  });

  app.delete("/user/applications/oauth2/:id", (c) => {
    const who = signedIn(c, forge);
    if ("error" in who) return who.error;
    const found = mine(who.ok.user.id, c.req.param("id"));
    if (!found) return notFound(forge.rootUrl);
    state.data.oauthApps = state.data.oauthApps.filter((a) => a !== found);
    forge.onChange();
    return statusOnly(204);
  });
}

/**
 * models/auth/oauth2.go ContainsRedirectURI (v11): a registered URI matches
 * regardless of case and of one trailing slash; for a public client an http
 * URI on a loopback IP matches at any port (RFC 8252 §7.3), compared without it.
 */
export function containsRedirectUri(app: OAuthAppRecord, redirectUri: string): boolean {
  const bare = (uri: string) => uri.toLowerCase().replace(/\/$/, "");
  const contains = (uri: string) => app.redirectUris.some((u) => bare(u) === bare(uri));
  if (!app.confidential) {
    const uri = URL.parse(redirectUri);
    if (uri?.protocol === "http:" && uri.port !== "" && isLoopbackIp(uri.hostname)) {
      uri.port = "";
      if (contains(uri.toString())) return true;
    }
  }
  return contains(redirectUri);
}

/** Go's net.IP.IsLoopback on net.ParseIP: 127.0.0.0/8 and ::1 (a name such as localhost is not an IP). */
function isLoopbackIp(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]";
}

/** A grant with the PKCE challenge its code must be redeemed with (none: unchecked). */
type PkceGrant = OAuthGrantRecord & { codeChallenge?: string; codeChallengeMethod?: string };

/** models/auth/oauth2.go ValidateCodeChallenge (v11). */
export function validCodeChallenge(grant: PkceGrant, verifier: string): boolean {
  switch (grant.codeChallengeMethod ?? "") {
    case "S256":
      return createHash("sha256").update(verifier).digest("base64url") === grant.codeChallenge;
    case "plain":
      return verifier === grant.codeChallenge;
    case "":
      return true;
    default:
      return false;
  }
}

/** handleAuthorizeError (v11): back to the client with error, description and state, 303. */
function authorizeError(redirectUri: string, error: string, description: string, state: string) {
  const back = new URL(redirectUri);
  back.searchParams.set("error", error);
  back.searchParams.set("error_description", description);
  back.searchParams.set("state", state);
  return seeOther(back);
}

function seeOther(location: URL): Response {
  return new Response(null, { status: 303, headers: { location: location.toString() } });
}

export function registerOAuthLoginRoutes(app: Hono, forge: Forge): void {
  const { state } = forge;

  const signIn = (name: string, password: string): UserRecord | null => {
    const user = state.userByEmailOrName(name);
    return user && user.active && !user.prohibitLogin && state.checkPassword(user, password)
      ? user
      : null;
  };

  const authorize = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const params = request.method === "POST"
      ? new URLSearchParams(await request.text())
      : url.searchParams;
    const clientId = params.get("client_id") ?? "";
    const redirectUri = params.get("redirect_uri") ?? "";
    const stateParam = params.get("state") ?? "";
    const oauthApp = state.data.oauthApps.find((a) => a.clientId === clientId);
    if (!oauthApp) return new Response("Client ID not registered\n", { status: 400 });
    if (!containsRedirectUri(oauthApp, redirectUri)) {
      return new Response("Unregistered Redirect URI\n", { status: 400 });
    }
    const basic = basicCredentials(request.headers.get("authorization"));
    const user = basic
      ? signIn(basic.name, basic.password)
      : request.method === "POST"
      ? signIn(params.get("user_name") ?? "", params.get("password") ?? "")
      : null;
    // Forgejo's route requires a signed-in user before any of the checks below.
    if (!user) return loginForm(url, params, request.method === "POST" || basic !== null);
    if (params.get("response_type") !== "code") {
      return authorizeError(
        redirectUri,
        "unsupported_response_type",
        "Only code response type is supported.",
        stateParam,
      );
    }
    const method = params.get("code_challenge_method") ?? "";
    if (method === "" && !oauthApp.confidential) {
      // RFC 8252 §8.1 / RFC 7636 §4.4.1, as AuthorizeOAuth refuses it.
      return authorizeError(
        redirectUri,
        "invalid_request",
        "PKCE is required for public clients",
        stateParam,
      );
    }
    if (method !== "" && method !== "S256" && method !== "plain") {
      return authorizeError(
        redirectUri,
        "invalid_request",
        "unsupported code challenge method",
        stateParam,
      );
    }
    const code = randomHex(16);
    const grant: PkceGrant = {
      code: sha256(code),
      appId: oauthApp.id,
      userId: user.id,
      redirectUri,
      expires: forge.now() + CODE_TTL_MS,
      ...(method ? { codeChallenge: params.get("code_challenge") ?? "" } : {}),
      ...(method ? { codeChallengeMethod: method } : {}),
    };
    state.data.oauthGrants.push(grant);
    forge.onChange();
    // GenerateRedirectURI: state only when given, then the code.
    const back = new URL(redirectUri);
    if (stateParam) back.searchParams.set("state", stateParam);
    back.searchParams.set("code", code);
    return seeOther(back);
  };
  app.get("/login/oauth/authorize", (c) => authorize(c.req.raw));
  app.post("/login/oauth/authorize", (c) => authorize(c.req.raw));

  app.post("/login/oauth/access_token", async (c) => {
    const type = c.req.header("content-type") ?? "";
    const raw = await c.req.text();
    const params: Record<string, string> = type.includes("json")
      ? Object.fromEntries(Object.entries(JSON.parse(raw || "{}")).map(([k, v]) => [k, String(v)]))
      : Object.fromEntries(new URLSearchParams(raw));
    const basic = basicCredentials(c.req.header("authorization") ?? null);
    const clientId = params.client_id || basic?.name || "";
    const clientSecret = params.client_secret || basic?.password || "";
    const invalid = (error: string, description: string) =>
      json(400, { error, error_description: description });
    // AccessTokenOAuth switches on the grant type before loading the client.
    if (params.grant_type !== "authorization_code") {
      return invalid(
        "unsupported_grant_type",
        "Only refresh_token or authorization_code grant type is supported",
      );
    }
    const oauthApp = state.data.oauthApps.find((a) => a.clientId === clientId);
    if (!oauthApp) {
      return invalid("invalid_client", `cannot load client with client id: '${clientId}'`);
    }
    if (oauthApp.confidential && oauthApp.secretHash !== sha256(clientSecret)) {
      return invalid(
        "unauthorized_client",
        clientSecret ? "invalid client secret" : "invalid empty client secret",
      );
    }
    const redirectUri = params.redirect_uri ?? "";
    if (redirectUri !== "" && !containsRedirectUri(oauthApp, redirectUri)) {
      return invalid("unauthorized_client", "unexpected redirect URI");
    }
    const grant: PkceGrant | undefined = state.data.oauthGrants.find((g) =>
      g.code === sha256(params.code ?? "")
    );
    if (!grant || grant.expires < forge.now()) {
      return invalid("unauthorized_client", "client is not authorized");
    }
    if (!validCodeChallenge(grant, params.code_verifier ?? "")) {
      return invalid("unauthorized_client", "failed PKCE code challenge");
    }
    if (grant.appId !== oauthApp.id) return invalid("invalid_grant", "invalid grant");
    state.data.oauthGrants = state.data.oauthGrants.filter((g) => g !== grant);
    const secret = randomHex(20);
    state.addToken({
      id: state.nextId("token"),
      userId: grant.userId,
      name: `oauth2:${oauthApp.name}`,
      hash: sha256(secret),
      lastEight: secret.slice(-8),
      scopes: ["all"],
      created: forge.iso(),
      oauthExpires: forge.now() + ACCESS_TTL_MS,
    });
    forge.onChange();
    return json(200, {
      access_token: secret,
      token_type: "bearer",
      expires_in: ACCESS_TTL_MS / 1000,
      refresh_token: "",
    });
  });

  app.get("/login/oauth/userinfo", (c) => {
    const header = c.req.header("authorization") ?? "";
    const token = /^bearer /i.test(header)
      ? state.tokenBySecret(header.slice(7).trim())
      : undefined;
    const user = token && (token.oauthExpires ?? Infinity) >= forge.now()
      ? state.userById(token.userId)
      : undefined;
    if (!user) return json(401, { error: "invalid_token" });
    return json(200, {
      sub: String(user.id),
      name: user.fullName || user.login,
      preferred_username: user.login,
      email: user.email,
      picture: `${forge.rootUrl}avatars/${user.id}`,
      groups: null,
    });
  });
}

function loginForm(url: URL, params: URLSearchParams, failed: boolean): Response {
  const hidden = [
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
  ]
    .filter((k) => params.get(k) !== null)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k)!)}">`).join("");
  const page = `<!doctype html><title>Sign in</title><h1>Sign in to the forge</h1>${
    failed ? "<p>Username or password is incorrect.</p>" : ""
  }<form method="post" action="${
    escapeHtml(url.pathname)
  }">${hidden}<label>Username <input name="user_name"></label> <label>Password <input name="password" type="password"></label> <button>Sign in</button></form>\n`;
  return new Response(page, {
    status: failed ? 401 : 200,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
