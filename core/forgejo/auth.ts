/**
 * How a request authenticates: an access token (`Authorization: token …`),
 * basic auth (user and password; the forge needs it for token management), or
 * nothing (public routes).
 */

export type Credentials =
  | { kind: "token"; token: string }
  | { kind: "basic"; user: string; password: string }
  | { kind: "none" };

export function tokenAuth(token: string): Credentials {
  return { kind: "token", token };
}

export function basicAuth(user: string, password: string): Credentials {
  return { kind: "basic", user, password };
}

export const noAuth: Credentials = { kind: "none" };

/** The `Authorization` header value, or null for none. */
export function authorizationHeader(credentials: Credentials): string | null {
  if (credentials.kind === "token") return `token ${credentials.token}`;
  if (credentials.kind === "basic") {
    const bytes = new TextEncoder().encode(`${credentials.user}:${credentials.password}`);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return `Basic ${btoa(binary)}`;
  }
  return null;
}

/** The secret values inside credentials, for scrubbing texts copied from elsewhere. */
export function secretsOf(credentials: Credentials): string[] {
  const header = authorizationHeader(credentials);
  if (credentials.kind === "token") return [credentials.token, header!];
  if (credentials.kind === "basic") {
    return [credentials.password, header!.slice("Basic ".length)].filter((s) => s !== "");
  }
  return [];
}
