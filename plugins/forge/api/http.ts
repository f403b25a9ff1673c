/**
 * The forge plugin's HTTP layer over the Forgejo API: base URL, credentials
 * (sent on every request, also to public routes: a forge that requires
 * sign-in answers nothing to anonymous callers), JSON, timeouts, retries of
 * idempotent requests on 5xx and dropped connections, and error mapping.
 * POST is never retried here: the callers' ensure-verbs re-read state and try
 * again, so a create that succeeded before its answer was lost is not doubled.
 */
import { HTTP_RETRY, retry, type Schedule } from "../../../core/backoff/mod.ts";
import { redactUrl } from "../../../core/redact.ts";

export type Credentials =
  | { kind: "token"; token: string }
  | { kind: "basic"; user: string; password: string }
  | { kind: "none" };

export class ForgeError extends Error {
  override readonly name = "ForgeError";
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly forgeMessage: string,
  ) {
    super(
      `${method} ${redactUrl(url)}: ${status === 0 ? "no answer" : `HTTP ${status}`}${
        forgeMessage ? ` (${forgeMessage})` : ""
      }`,
    );
  }
}

/** 5xx and dropped connections are worth another attempt; 4xx never. */
export function isTransient(error: unknown): boolean {
  return error instanceof ForgeError && (error.status === 0 || error.status >= 500);
}

export interface HttpOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
  timeoutMs?: number;
  schedule?: Schedule;
  /** Called once per request sent (for counting in benchmarks). */
  onRequest?: (method: string, path: string) => void;
}

export interface ForgeResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  credentials?: Credentials;
  /** Statuses returned as results instead of thrown (e.g. 404 on lookups). */
  accept?: readonly number[];
  /** Retry even though the method is POST (for requests without side effects). */
  idempotent?: boolean;
}

/** Forgejo's retry schedule here: 5 attempts, 100 ms doubling to 1.6 s, half jitter. */
export const FORGE_HTTP_RETRY: Schedule = { ...HTTP_RETRY, attempts: 6 };

export class ForgeHttp {
  readonly apiBase: string;
  #fetch: typeof fetch;

  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials,
    readonly options: HttpOptions = {},
  ) {
    this.apiBase = `${baseUrl.replace(/\/+$/, "")}/api/v1`;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** The same forge with other credentials (and the same options). */
  as(credentials: Credentials): ForgeHttp {
    return new ForgeHttp(this.baseUrl, credentials, this.options);
  }

  /** The same forge and credentials with some options replaced. */
  with(options: Partial<HttpOptions>): ForgeHttp {
    return new ForgeHttp(this.baseUrl, this.credentials, { ...this.options, ...options });
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ForgeResponse<T>> {
    const url = new URL(this.apiBase + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const retriable = method !== "POST" || options.idempotent === true;
    const once = () => this.#once<T>(method, url.toString(), path, options);
    if (!retriable) return await once();
    return await retry(once, {
      schedule: this.options.schedule ?? FORGE_HTTP_RETRY,
      retriable: isTransient,
      ...(this.options.sleep ? { sleep: this.options.sleep } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    }).catch((error: unknown) => {
      // Surface the last forge error itself, not the retry wrapper.
      throw error instanceof Error && error.cause instanceof ForgeError ? error.cause : error;
    });
  }

  async #once<T>(
    method: string,
    url: string,
    path: string,
    options: RequestOptions,
  ): Promise<ForgeResponse<T>> {
    const headers: Record<string, string> = { accept: "application/json" };
    const auth = authorization(options.credentials ?? this.credentials);
    if (auth) headers.authorization = auth;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    this.options.onRequest?.(method, path);
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 15_000);
    const signal = this.options.signal ? AbortSignal.any([timeout, this.options.signal]) : timeout;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, { method, headers, body: body ?? null, signal });
      text = await response.text();
    } catch (error) {
      if (this.options.signal?.aborted) throw error;
      throw new ForgeError(method, url, 0, error instanceof Error ? error.message : String(error));
    }
    let data: unknown = null;
    if (text !== "") {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (response.ok || options.accept?.includes(response.status)) {
      return { status: response.status, headers: response.headers, data: data as T };
    }
    const message = typeof data === "object" && data !== null && "message" in data
      ? String((data as { message: unknown }).message)
      : typeof data === "string"
      ? data.slice(0, 200)
      : "";
    throw new ForgeError(method, url, response.status, message);
  }
}

function authorization(credentials: Credentials): string | null {
  if (credentials.kind === "token") return `token ${credentials.token}`;
  if (credentials.kind === "basic") {
    const bytes = new TextEncoder().encode(`${credentials.user}:${credentials.password}`);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return `Basic ${btoa(binary)}`;
  }
  return null;
}
