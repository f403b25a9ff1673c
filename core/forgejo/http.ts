/**
 * The one HTTP layer over the Forgejo API (SPEC §5.3): base URL, credentials
 * (sent on every request, public routes included: a forge that requires
 * sign-in answers nothing to anonymous callers), JSON, a timeout per attempt,
 * retries, response checking with zod, and error mapping to ForgejoError.
 *
 * Retry rule: a request is retried on no answer, 429 and 5xx (never on
 * 4xx), following HTTP_RETRY or the forge's `Retry-After` (up to 60 s; a
 * longer wait is not waited for), when it is safe to send twice. GET, HEAD,
 * PUT, DELETE and PATCH are safe: the endpoints here only PATCH absolute
 * values. POST is retried only when the call site says `idempotent: true`,
 * because a create whose first answer was lost would be created twice (a
 * second label, a second comment); callers that need convergence re-read
 * state (the ensure verbs).
 *
 * Paths are swagger templates (`/repos/{owner}/{repo}/labels`) filled from
 * `params`, so the contract test can check each call site against the
 * swagger file; a path without braces is sent as it is.
 */
import type { z } from "zod";
import { HTTP_RETRY, retry, RetryError, type Schedule } from "../backoff/mod.ts";
import { redactUrl } from "../redact.ts";
import { authorizationHeader, type Credentials, secretsOf } from "./auth.ts";
import { ForgejoError, isTransient } from "./error.ts";
import { parseRetryAfter } from "./retry_after.ts";

export interface HttpOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Clock for `Retry-After` dates. Default Date.now. */
  now?: () => number;
  signal?: AbortSignal;
  /** Per attempt, in ms. Default 15 s. */
  timeoutMs?: number;
  schedule?: Schedule;
  /** Called once per request sent (progress, verbose logs, counting); the path has no query. */
  onRequest?: (method: string, path: string, info: { template: string; attempt: number }) => void;
  /** Called before each retry's wait (a line per attempt on long waits, SPEC §3). */
  onRetry?: (
    method: string,
    path: string,
    info: { attempt: number; attempts: number; delayMs: number; error: unknown },
  ) => void;
}

export interface ForgejoResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
}

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined;

export interface RequestOptions<T = unknown> {
  /** Values of the `{name}` placeholders of the path template (URL-encoded here). */
  params?: Readonly<Record<string, string | number>>;
  query?: Readonly<Record<string, QueryValue>>;
  body?: unknown;
  /** Other credentials for this request only (e.g. basic auth for token routes). */
  credentials?: Credentials;
  /** Statuses returned as results instead of thrown (e.g. 404 on lookups); not schema-checked. */
  accept?: readonly number[];
  /** Retry even though the method is POST (the request has no side effect when repeated). */
  idempotent?: boolean;
  /** Checks a 2xx JSON answer; the fields the caller relies on must be there. */
  schema?: z.ZodType<T>;
}

/** 6 attempts, 250 ms doubling to 4 s, half jitter: about 8 s worst case. */
export const FORGEJO_HTTP_RETRY: Schedule = { ...HTTP_RETRY, attempts: 6 };

/** The longest `Retry-After` honoured; a forge asking for more is reported at once. */
export const MAX_RETRY_AFTER_MS = 60_000;

const SAFE_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "PATCH"]);

export class ForgejoHttp {
  readonly apiBase: string;
  #fetch: typeof fetch;
  #forgeDate: number | null = null;

  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
    readonly options: HttpOptions = {},
  ) {
    this.apiBase = `${baseUrl.replace(/\/+$/, "")}/api/v1`;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * The forge's clock: the `Date` header of the latest answer (ms), or null
   * before any. Ages of things the forge stamped are measured by it, not by
   * the local clock, which may be skewed.
   */
  get forgeDate(): number | null {
    return this.#forgeDate;
  }

  /** The same forge with other credentials (and the same options). */
  as(credentials: Credentials): ForgejoHttp {
    return new ForgejoHttp(this.baseUrl, credentials, this.options);
  }

  /** The same forge and credentials with some options replaced. */
  with(options: Partial<HttpOptions>): ForgejoHttp {
    return new ForgejoHttp(this.baseUrl, this.credentials, { ...this.options, ...options });
  }

  async request<T = unknown>(
    method: string,
    template: string,
    options: RequestOptions<T> = {},
  ): Promise<ForgejoResponse<T>> {
    const path = expandPath(template, options.params ?? {});
    const url = new URL(this.apiBase + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      if (Array.isArray(value)) { for (const v of value) url.searchParams.append(key, String(v)); }
      else url.searchParams.set(key, String(value));
    }
    const safe = SAFE_METHODS.has(method) || options.idempotent === true;
    const once = (attempt: number) => {
      this.options.onRequest?.(method, path, { template, attempt });
      return this.#once<T>(method, url.toString(), options);
    };
    if (!safe) return await once(1);
    try {
      return await retry(once, {
        schedule: this.options.schedule ?? FORGEJO_HTTP_RETRY,
        retriable: (error) =>
          isTransient(error) &&
          ((error as ForgejoError).retryAfterMs ?? 0) <= MAX_RETRY_AFTER_MS,
        requestedDelayMs: (error) => (error as ForgejoError).retryAfterMs,
        ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
        ...(this.options.random ? { random: this.options.random } : {}),
        ...(this.options.now ? { now: this.options.now } : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        onRetry: ({ attempt, attempts, delayMs, error }) =>
          this.options.onRetry?.(method, path, { attempt, attempts, delayMs, error }),
      });
    } catch (error) {
      // Surface the last forge error itself, not the retry wrapper.
      throw error instanceof RetryError && error.cause instanceof ForgejoError
        ? error.cause
        : error;
    }
  }

  async #once<T>(
    method: string,
    url: string,
    options: RequestOptions<T>,
  ): Promise<ForgejoResponse<T>> {
    const credentials = options.credentials ?? this.credentials;
    const headers: Record<string, string> = { accept: "application/json" };
    const auth = authorizationHeader(credentials);
    if (auth) headers.authorization = auth;
    // Writes always say JSON: the forge's form binding answers 422 to a
    // missing Content-Type and reads a form type as empty fields.
    if (options.body !== undefined || method !== "GET" && method !== "HEAD") {
      headers["content-type"] = "application/json";
    }
    const body = options.body === undefined ? null : JSON.stringify(options.body);
    const timeoutMs = this.options.timeoutMs ?? 15_000;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    const scrub = scrubber(url, credentials);
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, { method, headers, body, signal });
      text = await response.text();
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      const reason = timeout.aborted
        ? `timed out after ${timeoutMs} ms`
        : error instanceof Error
        ? error.message
        : String(error);
      throw new ForgejoError(method, url, 0, scrub(reason));
    }
    const date = Date.parse(response.headers.get("date") ?? "");
    if (!Number.isNaN(date)) this.#forgeDate = date;
    const data = parseBody(text);
    if (options.accept?.includes(response.status)) {
      return { status: response.status, headers: response.headers, data: data as T };
    }
    if (response.ok) {
      return { status: response.status, headers: response.headers, data: check(data) };
    }
    const retryAfter = parseRetryAfter(
      response.headers.get("retry-after"),
      (this.options.now ?? Date.now)(),
    );
    throw new ForgejoError(
      method,
      url,
      response.status,
      scrub(messageOf(data)),
      ...(retryAfter === null ? [] : [retryAfter]),
    );

    /** The answer checked with the schema; a violation names the first broken field. */
    function check(value: unknown): T {
      if (!options.schema || response.status === 204) return value as T;
      const result = options.schema.safeParse(value);
      if (result.success) return result.data;
      const issue = result.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "(root)";
      throw new ForgejoError(
        method,
        url,
        response.status,
        scrub(`unexpected answer: ${where}: ${issue?.message ?? "invalid"}`),
      );
    }
  }
}

/**
 * Fill `{name}` placeholders, URL-encoded; `{filepath}` keeps its "/" (a
 * path inside the repo). A missing value is a programming error.
 */
export function expandPath(
  template: string,
  params: Readonly<Record<string, string | number>>,
): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Missing path parameter "${name}" in ${template}`);
    const text = String(value);
    return name === "filepath"
      ? text.split("/").map(encodeURIComponent).join("/")
      : encodeURIComponent(text);
  });
}

/** `/repos/owner/repo`, encoded: the prefix of raw repo paths. */
export function repoPath(slug: string): string {
  return `/repos/${slug.split("/").map(encodeURIComponent).join("/")}`;
}

/** `owner/repo` as path parameters. */
export function repoParams(slug: string): { owner: string; repo: string } {
  const [owner = "", repo = ""] = slug.split("/");
  return { owner, repo };
}

function parseBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(data: unknown): string {
  if (typeof data === "object" && data !== null && "message" in data) {
    return String((data as { message: unknown }).message);
  }
  return typeof data === "string" ? data.slice(0, 200) : "";
}

/** Removes the request's secrets (and the raw URL) from a text copied into an error. */
function scrubber(url: string, credentials: Credentials): (text: string) => string {
  const secrets = secretsOf(credentials).filter((s) => s.length >= 4);
  return (text) => {
    let out = text.split(url).join(redactUrl(url));
    for (const secret of secrets) out = out.split(secret).join("***");
    return out;
  };
}
