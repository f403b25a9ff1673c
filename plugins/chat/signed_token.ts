/**
 * Signed tokens for the chat's cookies: `<payload>.<mac>`, both base64url,
 * the MAC an HMAC-SHA256 over the purpose and the payload, so a token made
 * for one cookie (the login state) is never accepted as another (the
 * session). Verification compares in constant time and checks the expiry.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

export type TokenPurpose = "session" | "login";

export interface TokenSigner {
  sign(purpose: TokenPurpose, payload: Record<string, unknown>, expiresAt: number): string;
  /** The payload, or null when the token is malformed, forged, for another purpose or expired. */
  verify(purpose: TokenPurpose, token: string, now: number): Record<string, unknown> | null;
}

export function tokenSigner(secret: string): TokenSigner {
  if (secret.length < 32) {
    throw new RangeError("Cannot sign with a secret shorter than 32 characters");
  }
  const mac = (purpose: string, body: string) =>
    createHmac("sha256", secret).update(`${purpose}\n${body}`).digest();
  return {
    sign(purpose, payload, expiresAt) {
      const body = Buffer.from(JSON.stringify({ ...payload, exp: expiresAt })).toString(
        "base64url",
      );
      return `${body}.${mac(purpose, body).toString("base64url")}`;
    },
    verify(purpose, token, now) {
      const [body, given, extra] = token.split(".");
      if (!body || !given || extra !== undefined) return null;
      const expected = mac(purpose, body);
      const actual = Buffer.from(given, "base64url");
      if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
      } catch {
        return null;
      }
      if (typeof payload !== "object" || payload === null) return null;
      const record = payload as Record<string, unknown>;
      return typeof record.exp === "number" && record.exp > now ? record : null;
    },
  };
}
