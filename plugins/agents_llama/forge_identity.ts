/**
 * The hired agent's forge identity: core/identity's ensureIdentity on a
 * ForgejoHttp acting as the admin (token calls use basic auth as the user, as
 * the forge requires). A failed request becomes a RuntimeFailure (exit 1)
 * naming the method, the API path and the status — never a credential.
 */
import type { Clock } from "../../core/context.ts";
import { RuntimeFailure } from "../../core/errors.ts";
import { basicAuth } from "../../core/forgejo/auth.ts";
import { ForgejoError } from "../../core/forgejo/error.ts";
import { ForgejoHttp } from "../../core/forgejo/http.ts";
import {
  ensureIdentity,
  type EnsureIdentityOptions,
  type IdentityResult,
  type IdentitySpec,
} from "../../core/identity/ensure_identity.ts";

export interface ForgeAccess {
  /** Base URL of the forge, e.g. http://127.0.0.1:3000. */
  url: string;
  admin: { user: string; pass: string };
  fetch: typeof fetch;
  /** Sleeps between retries of a read. */
  clock: Clock;
  signal: AbortSignal;
}

export async function ensureAgentIdentity(
  access: ForgeAccess,
  spec: IdentitySpec,
  options: Omit<EnsureIdentityOptions, "http">,
): Promise<IdentityResult> {
  const http = new ForgejoHttp(access.url, basicAuth(access.admin.user, access.admin.pass), {
    fetch: access.fetch,
    timeoutMs: 10_000,
    signal: access.signal,
    sleep: (ms, signal) => access.clock.sleep(ms, signal),
  });
  try {
    return await ensureIdentity(spec, { ...options, http });
  } catch (error) {
    asRuntimeFailure(error);
  }
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
