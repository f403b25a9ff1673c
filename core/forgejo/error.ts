/**
 * ForgejoError: one failed request. It carries the method, the URL with
 * credentials removed, the status (0 when no answer came) and the forge's own
 * message. Nothing in it (message, stack, JSON) ever holds a token or password:
 * the URL goes through redactUrl and the HTTP layer scrubs the credentials it
 * sent out of every text it copies in.
 */
import { redactUrl } from "../redact.ts";

export class ForgejoError extends Error {
  override readonly name = "ForgejoError";
  /** The request URL, redacted. */
  readonly url: string;

  constructor(
    readonly method: string,
    url: string,
    readonly status: number,
    readonly forgeMessage: string,
    /** What the forge asked for in `Retry-After`, in ms (429 and 503 answers). */
    readonly retryAfterMs?: number,
  ) {
    const safeUrl = redactUrl(url);
    const what = status === 0 ? "no answer" : `HTTP ${status}`;
    super(`${method} ${safeUrl}: ${what}${forgeMessage ? ` (${forgeMessage})` : ""}`);
    this.url = safeUrl;
  }
}

/**
 * Worth another attempt: no answer (dropped connection, timeout), 429 and 5xx.
 * 4xx are never retried: 400/401/403/404/409/410/422 will not change by asking again.
 */
export function isTransient(error: unknown): boolean {
  return error instanceof ForgejoError &&
    (error.status === 0 || error.status === 429 || error.status >= 500);
}

/** A 422 "user already exists" (users and orgs share one namespace). */
export function isAlreadyExists(error: unknown): boolean {
  return error instanceof ForgejoError && error.status === 422 &&
    /already exists/.test(error.forgeMessage);
}
