/**
 * The chat's side of the forge's OAuth2 authorization-code flow (RFC 6749)
 * with PKCE S256 (RFC 7636): the authorize URL the browser is sent to, and
 * the exchange of the returned code for the signed-in user's login. The
 * forge's access token is used once, to ask who signed in, and then dropped:
 * the chat never stores it and never hands it to the browser.
 */
import { createHash, randomBytes } from "node:crypto";

/** A sign-in that failed; the message is safe to show (no code, token or secret). */
export class SignInError extends Error {
  override readonly name = "SignInError";
  /** The HTTP status of the page that says so: 400, or 504 when the forge did not answer. */
  constructor(message: string, readonly status: 400 | 504 = 400) {
    super(message);
  }
}

/** How long the whole exchange with the forge (token, then userinfo) may take. */
export const SIGN_IN_TIMEOUT_MS = 15_000;

export interface PkcePair {
  verifier: string;
  challenge: string;
}

/** A fresh verifier (43 base64url characters: 256 bits) and its S256 challenge. */
export function pkcePair(): PkcePair {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

/** An unguessable `state` value binding the callback to this browser. */
export function newState(): string {
  return randomBytes(24).toString("base64url");
}

export interface OAuthClient {
  /** Forge base URL as the chat server reaches it (e.g. http://forgejo:3000). */
  forgeUrl: string;
  /** Forge base URL as the browser reaches it (the authorize page). */
  forgeBrowserUrl: string;
  clientId: string;
  /** Empty for a public client (then PKCE alone protects the code). */
  clientSecret: string;
  redirectUri: string;
}

export function authorizeUrl(client: OAuthClient, state: string, challenge: string): string {
  const url = new URL("login/oauth/authorize", withSlash(client.forgeBrowserUrl));
  url.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: "code",
    scope: "openid",
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  }).toString();
  return url.toString();
}

/**
 * Redeem the code (with the verifier) and return the forge login of who signed
 * in. A forge that does not answer within `timeoutMs` fails the sign-in rather
 * than holding the browser's request open.
 */
export async function signedInLogin(
  client: OAuthClient,
  code: string,
  verifier: string,
  fetcher: typeof fetch,
  timeoutMs = SIGN_IN_TIMEOUT_MS,
): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  const reach = async (call: () => Promise<Response>) => {
    try {
      return await call();
    } catch {
      throw forgeFailure(signal, timeoutMs);
    }
  };
  // A body cut off by the timeout reads as no JSON: say it was the timeout.
  const jsonWithin = async (response: Response) => {
    const json = await jsonOf(response);
    if (signal.aborted) throw forgeFailure(signal, timeoutMs);
    return json;
  };
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: client.clientId,
    code,
    redirect_uri: client.redirectUri,
    code_verifier: verifier,
  });
  if (client.clientSecret) form.set("client_secret", client.clientSecret);
  const base = withSlash(client.forgeUrl);
  const tokenReply = await reach(() =>
    fetcher(new URL("login/oauth/access_token", base), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: form,
      signal,
    })
  );
  const token = await jsonWithin(tokenReply);
  if (!tokenReply.ok || typeof token?.access_token !== "string") {
    const reason = typeof token?.error_description === "string" ? token.error_description : "";
    throw new SignInError(
      `The forge refused the sign-in code (HTTP ${tokenReply.status}${
        reason ? `: ${reason}` : ""
      })`,
    );
  }
  const infoReply = await reach(() =>
    fetcher(new URL("login/oauth/userinfo", base), {
      headers: { authorization: `Bearer ${token.access_token}`, accept: "application/json" },
      signal,
    })
  );
  const info = await jsonWithin(infoReply);
  const login = info?.preferred_username;
  if (!infoReply.ok || typeof login !== "string" || login === "") {
    throw new SignInError(`The forge did not say who signed in (HTTP ${infoReply.status})`);
  }
  return login;
}

function forgeFailure(signal: AbortSignal, timeoutMs: number): SignInError {
  return signal.aborted
    ? new SignInError(`The forge did not answer within ${timeoutMs / 1000} s`, 504)
    : new SignInError("The forge could not be reached");
}

// deno-lint-ignore no-explicit-any
async function jsonOf(response: Response): Promise<any> {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
