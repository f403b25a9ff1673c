/**
 * Who is talking to the chat server: the forge login (OAuth2 code flow with
 * `state` and PKCE S256, both kept in a short-lived signed cookie), a signed
 * HttpOnly SameSite=Lax session cookie afterwards, the allow-list checked on
 * every request (not only at sign-in), and an Origin check on every POST.
 */
import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  authorizeUrl,
  newState,
  type OAuthClient,
  pkcePair,
  signedInLogin,
  SignInError,
} from "./oauth_client.ts";
import { htmlPage } from "./page.ts";
import type { TokenSigner } from "./signed_token.ts";

export const SESSION_COOKIE = "chat_session";
export const LOGIN_COOKIE = "chat_login";
const LOGIN_TTL_MS = 10 * 60_000;
export const SESSION_TTL_MS = 12 * 60 * 60_000;

export interface WebAuthOptions {
  /** The chat's own origin as browsers see it, e.g. https://chat.example.org */
  publicUrl: string;
  oauth: OAuthClient;
  signer: TokenSigner;
  /** The admin or a configured user; asked on every request. */
  isAllowed(user: string): boolean;
  fetch: typeof fetch;
  now(): number;
  log(line: string): void;
  /** The forge's time to answer a sign-in (default 15 s). */
  signInTimeoutMs?: number;
}

/** What a request's session cookie says, checked against the allow-list now. */
export type Visitor =
  | { kind: "allowed"; user: string }
  | { kind: "refused"; user: string }
  | { kind: "anonymous" };

export function visitorOf(c: Context, o: WebAuthOptions): Visitor {
  const token = getCookie(c, SESSION_COOKIE);
  const session = token ? o.signer.verify("session", token, o.now()) : null;
  const user = typeof session?.u === "string" ? session.u : null;
  if (!user) return { kind: "anonymous" };
  return o.isAllowed(user) ? { kind: "allowed", user } : { kind: "refused", user };
}

/** A POST must come from the chat's own page: its Origin is the chat's origin. */
export function sameOrigin(c: Context, publicUrl: string): boolean {
  return c.req.header("origin") === new URL(publicUrl).origin;
}

export function registerAuthRoutes(app: Hono, o: WebAuthOptions): void {
  const secure = new URL(o.publicUrl).protocol === "https:";
  const cookie = { httpOnly: true, sameSite: "Lax" as const, secure };

  app.get("/login", (c) => {
    const state = newState();
    const { verifier, challenge } = pkcePair();
    const token = o.signer.sign("login", { s: state, v: verifier }, o.now() + LOGIN_TTL_MS);
    setCookie(c, LOGIN_COOKIE, token, {
      ...cookie,
      path: "/oauth",
      maxAge: LOGIN_TTL_MS / 1000,
    });
    return c.redirect(authorizeUrl(o.oauth, state, challenge), 303);
  });

  app.get("/oauth/callback", async (c) => {
    const token = getCookie(c, LOGIN_COOKIE);
    deleteCookie(c, LOGIN_COOKIE, { path: "/oauth", secure });
    const pending = token ? o.signer.verify("login", token, o.now()) : null;
    const state = c.req.query("state") ?? "";
    const fail = (message: string, status: 400 | 504 = 400) => {
      o.log(`chat: sign-in refused: ${oneLine(message)}`);
      return c.html(signInFailed(message), status);
    };
    if (!pending || typeof pending.s !== "string" || typeof pending.v !== "string") {
      return fail("the sign-in expired or was not started here");
    }
    if (state !== pending.s) return fail("the state does not match this sign-in");
    const error = c.req.query("error");
    if (error) return fail(`the forge answered ${oneLine(error)}`);
    const code = c.req.query("code");
    if (!code) return fail("the forge sent no code");
    let user: string;
    try {
      user = await signedInLogin(o.oauth, code, pending.v, o.fetch, o.signInTimeoutMs);
    } catch (caught) {
      if (caught instanceof SignInError) return fail(caught.message, caught.status);
      throw caught;
    }
    if (!o.isAllowed(user)) {
      o.log(`chat: ${user} signed in but is not allowed`);
      return c.html(notAllowed(user), 403);
    }
    setCookie(
      c,
      SESSION_COOKIE,
      o.signer.sign("session", { u: user }, o.now() + SESSION_TTL_MS),
      { ...cookie, path: "/", maxAge: SESSION_TTL_MS / 1000 },
    );
    o.log(`chat: ${user} signed in`);
    return c.redirect("/", 303);
  });

  app.post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure });
    return c.html(
      htmlPage("Signed out", '<h1>Signed out</h1><p><a href="/login">Sign in again</a></p>'),
    );
  });
}

export function notAllowed(user: string): string {
  return htmlPage(
    "Not allowed",
    `<h1>Not allowed</h1><p>The forge user <strong>${
      escapeHtml(user)
    }</strong> may not use this chat. The admin can add you to CHAT_ALLOWED_USERS.</p>` +
      `<form method="post" action="/logout"><button>Sign out</button></form>`,
  );
}

function signInFailed(message: string): string {
  return htmlPage(
    "Sign-in failed",
    `<h1>Sign-in failed</h1><p>${escapeHtml(message)}.</p><p><a href="/login">Try again</a></p>`,
  );
}

/**
 * Text from a request (or the forge) as part of one log line: control
 * characters become spaces, so it can never start a line of its own; cut at
 * 200 characters.
 */
function oneLine(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").slice(0, 200);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
