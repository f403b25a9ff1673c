/**
 * What `disinto chat serve` and `disinto chat` read: the process environment,
 * then the factory's `.env` (the process wins). A bad value is bad input
 * (exit 2, one line naming it). The session secret is generated into `.env`
 * when missing, so sessions survive a restart.
 */
import { parseHttpUrl } from "../../core/config/http_url.ts";
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { exposes, resolveClaudeConfigDir } from "../../core/compose/claude.ts";
import { readEnvFile, updateEnvFile } from "../../core/config/env_file.ts";
import { BadInputError } from "../../core/errors.ts";
import { type ChatLimits, defaultLimits } from "./limits.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface ChatSettings {
  /** `<root>/state/chat`: history, limits, sessions, the users' folders. */
  stateDir: string;
  admin: string;
  allowedUsers: readonly string[];
  limits: ChatLimits;
  claude: ClaudeSettings;
}

export interface ClaudeSettings {
  bin: string;
  /** The chat's own config directory, never the agents' shared one. */
  configDir: string;
  model?: string | undefined;
  timeoutMs: number;
  /** The CLI's environment base (the process environment plus the chat's key, if any). */
  env: Record<string, string | undefined>;
}

export interface WebSettings {
  publicUrl: string;
  forgeUrl: string;
  forgeBrowserUrl: string;
  clientId: string;
  clientSecret: string;
  sessionSecret: string;
}

/** The process environment over `.env`. */
export async function chatEnv(root: string, env: Env): Promise<Env> {
  const dotenv = Object.fromEntries(await readEnvFile(posix.join(root, ".env")));
  const merged: Record<string, string | undefined> = { ...dotenv };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

export function chatSettings(root: string, env: Env, processEnv: Env): ChatSettings {
  const stateDir = posix.join(root, "state", "chat");
  const configDir = chatConfigDir(env, stateDir);
  const apiKey = env.CHAT_ANTHROPIC_API_KEY || processEnv.ANTHROPIC_API_KEY;
  return {
    stateDir,
    admin: env.FORGE_ADMIN_USER || "disinto-admin",
    allowedUsers: (env.CHAT_ALLOWED_USERS ?? "").split(/[\s,]+/).filter(Boolean),
    limits: {
      requestsPerHour: count(env, "CHAT_MAX_REQUESTS_PER_HOUR", defaultLimits.requestsPerHour),
      requestsPerDay: count(env, "CHAT_MAX_REQUESTS_PER_DAY", defaultLimits.requestsPerDay),
      tokensPerDay: count(env, "CHAT_MAX_TOKENS_PER_DAY", defaultLimits.tokensPerDay),
    },
    claude: {
      bin: env.CLAUDE_BIN || "claude",
      configDir,
      model: env.CHAT_MODEL || undefined,
      timeoutMs: count(env, "CHAT_TIMEOUT", 600) * 1000 || 600_000,
      env: {
        ...processEnv,
        CLAUDE_CONFIG_DIR: configDir,
        ...(apiKey ? { ANTHROPIC_API_KEY: apiKey } : {}),
      },
    },
  };
}

/** Whether a forge login may use the chat: the admin or a listed user (case-insensitive). */
export function allowList(settings: Pick<ChatSettings, "admin" | "allowedUsers">) {
  const allowed = new Set([settings.admin, ...settings.allowedUsers].map((u) => u.toLowerCase()));
  return (user: string) => allowed.has(user.toLowerCase());
}

/**
 * The chat's own Claude config directory: CHAT_CLAUDE_CONFIG_DIR, else
 * `state/chat/claude`. Refused when it is, holds or lies inside the agents'
 * shared directory (SPEC §11.1: the chat never shares the agents' login).
 */
function chatConfigDir(env: Env, stateDir: string): string {
  const given = env.CHAT_CLAUDE_CONFIG_DIR;
  if (given && (!posix.isAbsolute(given) || given.includes("\n"))) {
    throw new BadInputError(`CHAT_CLAUDE_CONFIG_DIR: "${given}" is not an absolute path`);
  }
  const dir = posix.normalize(given || posix.join(stateDir, "claude")).replace(/(.)\/+$/, "$1");
  const shared = [env.HOME ? resolveClaudeConfigDir({ HOME: env.HOME }) : undefined];
  // CLAUDE_CONFIG_DIR names the agents' directory, unless it is the chat's own
  // (the chat container sets both to its own volume).
  if (env.CLAUDE_CONFIG_DIR && env.CLAUDE_CONFIG_DIR !== given) shared.push(env.CLAUDE_CONFIG_DIR);
  for (const agents of shared) {
    if (agents && exposes(dir, posix.normalize(agents).replace(/(.)\/+$/, "$1"))) {
      throw new BadInputError(
        `CHAT_CLAUDE_CONFIG_DIR: "${dir}" overlaps the agents' shared Claude config directory "${agents}"; expected a directory of the chat's own`,
      );
    }
  }
  return dir;
}

/** The web server's settings; generates CHAT_SESSION_SECRET into `.env` when missing. */
export async function webSettings(root: string, env: Env, port: number): Promise<WebSettings> {
  const clientId = env.CHAT_OAUTH_CLIENT_ID ?? "";
  if (!clientId) {
    throw new BadInputError(
      "CHAT_OAUTH_CLIENT_ID: not set; expected the client id of the chat's OAuth2 application on the forge (see docs/chat.md)",
    );
  }
  const forgeUrl = forgeUrlOf(env);
  const publicUrl = publicUrlOf(env, port);
  const forgeBrowserUrl = httpUrl(env, "CHAT_FORGE_PUBLIC_URL", forgeUrl);
  let sessionSecret = env.CHAT_SESSION_SECRET ?? "";
  if (sessionSecret && sessionSecret.length < 32) {
    throw new BadInputError("CHAT_SESSION_SECRET: too short; expected at least 32 characters");
  }
  // Last, once every input is known good: nothing is written on bad input.
  if (!sessionSecret) {
    sessionSecret = randomBytes(32).toString("hex");
    await updateEnvFile(posix.join(root, ".env"), { CHAT_SESSION_SECRET: sessionSecret });
  }
  return {
    publicUrl,
    forgeUrl,
    forgeBrowserUrl,
    clientId,
    clientSecret: env.CHAT_OAUTH_CLIENT_SECRET ?? "",
    sessionSecret,
  };
}

/** The forge as the server reaches it (FORGE_URL). */
export function forgeUrlOf(env: Env): string {
  return httpUrl(env, "FORGE_URL", "http://localhost:3000");
}

/** The chat's URL as browsers see it (CHAT_PUBLIC_URL), without a trailing slash. */
export function publicUrlOf(env: Env, port: number): string {
  return httpUrl(env, "CHAT_PUBLIC_URL", defaultPublicUrl(port)).replace(/\/$/, "");
}

/** The chat's URL as browsers see it when CHAT_PUBLIC_URL is not set. */
export function defaultPublicUrl(port: number): string {
  return `http://localhost:${port}`;
}

function httpUrl(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  parseHttpUrl(value, name);
  return value;
}

function count(env: Env, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new BadInputError(`${name}: "${value}" is not a count; expected a whole number >= 0`);
  }
  return n;
}
