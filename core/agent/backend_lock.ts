/**
 * Which lock an agent run takes (SPEC §11.1): on the shared OAuth login the
 * exclusive flock on `<CLAUDE_CONFIG_DIR>/session.lock` (inside the shared
 * mount, the same inode in every container); for a local-model agent (an API
 * key and ANTHROPIC_BASE_URL) one lock per model backend under
 * `<root>/state/locks/`, never in the shared config directory; with an API key
 * against Anthropic itself, none (no OAuth refresh to protect).
 */
import { parseHttpUrl } from "../config/http_url.ts";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { BadInputError } from "../errors.ts";
import { authKeepOf } from "./agent_env.ts";

export const SESSION_LOCK_FILE = "session.lock";
export const BACKEND_LOCKS_DIR = "state/locks";

export type BackendLock =
  | { kind: "session"; path: string }
  | { kind: "backend"; path: string }
  | { kind: "none" };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The lock file's name for a model server: its host and port for people, and
 * a short hash of the whole normalised URL so two servers never share one.
 */
export function backendLockName(baseUrl: string): string {
  const url = parseHttpUrl(baseUrl, "ANTHROPIC_BASE_URL");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const normal = `${url.protocol}//${url.hostname.toLowerCase()}:${port}${
    url.pathname.replace(/\/+$/, "")
  }`;
  const hash = createHash("sha256").update(normal).digest("hex").slice(0, 10);
  return `backend-${host}-${port}-${hash}.lock`;
}

/** The backend lock file under the factory root for a model server. */
export function backendLockPath(root: string, baseUrl: string): string {
  return join(root, BACKEND_LOCKS_DIR, backendLockName(baseUrl));
}

/** The lock an agent started with `env` takes. AGENT_LOCK_FILE overrides a backend lock's path. */
export function backendLockFor(env: Env, root: string): BackendLock {
  if (authKeepOf(env) === "oauth") {
    const dir = env.CLAUDE_CONFIG_DIR || (env.HOME ? join(env.HOME, ".claude") : "");
    if (!dir) {
      throw new BadInputError(
        "CLAUDE_CONFIG_DIR: not set and HOME is not set; expected the shared Claude config directory",
      );
    }
    return { kind: "session", path: join(dir, SESSION_LOCK_FILE) };
  }
  const baseUrl = env.ANTHROPIC_BASE_URL;
  if (!baseUrl) return { kind: "none" };
  return { kind: "backend", path: env.AGENT_LOCK_FILE || backendLockPath(root, baseUrl) };
}
