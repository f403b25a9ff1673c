/**
 * The forge operations `hire-an-agent` needs for core/identity's
 * ensureIdentity: core/forgejo's identityForge acting as the admin (token
 * calls use basic auth as the user, as the forge requires). Failures become
 * RuntimeFailure (exit 1) naming the method, the API path and the status —
 * never a credential.
 */
import { RuntimeFailure } from "../../core/errors.ts";
import { basicAuth } from "../../core/forgejo/auth.ts";
import { ForgejoError } from "../../core/forgejo/error.ts";
import { ForgejoHttp } from "../../core/forgejo/http.ts";
import { identityForge } from "../../core/forgejo/identity_forge.ts";
import type { IdentityForge } from "../../core/identity/ensure_identity.ts";

export interface ForgeAccess {
  /** Base URL of the forge, e.g. http://127.0.0.1:3000. */
  url: string;
  admin: { user: string; pass: string };
  fetch: typeof fetch;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The wait between retries of a read (tests pass an instant one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function forgeIdentityAdapter(access: ForgeAccess): IdentityForge {
  const http = new ForgejoHttp(access.url, basicAuth(access.admin.user, access.admin.pass), {
    fetch: access.fetch,
    timeoutMs: access.timeoutMs ?? 10_000,
    ...(access.signal ? { signal: access.signal } : {}),
    ...(access.sleep ? { sleep: access.sleep } : {}),
  });
  const forge = identityForge(http);
  const wrapped: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(forge)) {
    wrapped[name] = (...args: unknown[]) =>
      (operation as (...a: unknown[]) => Promise<unknown>)(...args).catch(asRuntimeFailure);
  }
  return wrapped as unknown as IdentityForge;
}

/** "GET /api/v1/users/x: HTTP 401 (message)": the path only, exit 1. */
function asRuntimeFailure(error: unknown): never {
  if (!(error instanceof ForgejoError)) throw error;
  const path = new URL(error.url).pathname;
  const what = error.status === 0
    ? `no answer from the forge (${error.forgeMessage})`
    : `HTTP ${error.status}${error.forgeMessage ? ` (${error.forgeMessage})` : ""}`;
  throw new RuntimeFailure(`${error.method} ${path}: ${what}`);
}
