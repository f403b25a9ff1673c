/**
 * The agents' settings, with the precedence of SPEC §4: flag, process
 * environment, `.env`, project TOML, default. Bad values are bad input
 * (exit 2, one line naming the setting and what is expected).
 */
import { join, resolve } from "node:path";
import type { Project } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";

/** The roles this plugin has a poll cycle for. */
export const ROLES = ["dev", "review"] as const;
export type Role = typeof ROLES[number];

export const DEFAULT_ROLES: readonly Role[] = ["dev", "review"];
export const DEFAULT_POLL_INTERVAL_S = 300;

/** Reads one setting: the process environment, then `.env` (as openFactory does). */
export type Setting = (key: string) => string | undefined;

export function parseRole(value: string, source: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  throw new BadInputError(
    `${source}: unknown role "${value}"; expected one of ${ROLES.join(", ")}`,
  );
}

/** A comma list of roles (duplicates dropped, order kept). */
export function parseRoles(value: string, source: string): Role[] {
  const names = value.split(",").map((name) => name.trim()).filter(Boolean);
  if (names.length === 0) {
    throw new BadInputError(`${source}: no role given; expected a comma list such as dev,review`);
  }
  return [...new Set(names.map((name) => parseRole(name, source)))];
}

/** Seconds between cycles: a whole number from 1 to 86400. */
export function parseInterval(value: string, source: string): number {
  if (!/^[0-9]{1,6}$/.test(value.trim()) || Number(value) < 1 || Number(value) > 86_400) {
    throw new BadInputError(
      `${source}: "${value}" is not a poll interval; expected whole seconds from 1 to 86400`,
    );
  }
  return Number(value);
}

/** The `[agents.<name>]` table of the project whose forge_user is `user`, if any. */
function agentTable(project: Project, user: string | undefined): Record<string, unknown> | null {
  const agents = project.tables.agents;
  if (!user || typeof agents !== "object" || agents === null) return null;
  for (const table of Object.values(agents as Record<string, unknown>)) {
    if (typeof table === "object" && table !== null) {
      const row = table as Record<string, unknown>;
      if (row.forge_user === user) return row;
    }
  }
  return null;
}

export interface LoopSettings {
  roles: Role[];
  intervalSeconds: number;
}

export function loopSettings(
  flags: { roles?: string | undefined; interval?: string | undefined },
  setting: Setting,
  project: Project,
): LoopSettings {
  const table = agentTable(project, setting("FORGE_USER"));
  const rolesFrom = flags.roles !== undefined
    ? { value: flags.roles, source: "--roles" }
    : setting("AGENT_ROLES") !== undefined
    ? { value: setting("AGENT_ROLES")!, source: "AGENT_ROLES" }
    : Array.isArray(table?.roles)
    ? { value: (table.roles as unknown[]).join(","), source: `${project.file}: agents roles` }
    : null;
  const intervalFrom = flags.interval !== undefined
    ? { value: flags.interval, source: "--interval" }
    : setting("POLL_INTERVAL") !== undefined
    ? { value: setting("POLL_INTERVAL")!, source: "POLL_INTERVAL" }
    : table?.poll_interval !== undefined
    ? { value: String(table.poll_interval), source: `${project.file}: agents poll_interval` }
    : null;
  return {
    roles: rolesFrom ? parseRoles(rolesFrom.value, rolesFrom.source) : [...DEFAULT_ROLES],
    intervalSeconds: intervalFrom
      ? parseInterval(intervalFrom.value, intervalFrom.source)
      : DEFAULT_POLL_INTERVAL_S,
  };
}

export interface RoleIdentity {
  /** The `.env` / environment key the token came from (for messages). */
  tokenKey: string;
  token: string;
}

/**
 * The token a role acts with. A local-model agent (FORGE_USER set; compose
 * gives it its own FORGE_TOKEN) acts as itself in every role. Otherwise dev
 * acts as dev-bot (FORGE_TOKEN) and review as review-bot (FORGE_REVIEW_TOKEN).
 */
export function roleIdentity(role: Role, setting: Setting): RoleIdentity {
  const tokenKey = setting("FORGE_USER") || role === "dev" ? "FORGE_TOKEN" : "FORGE_REVIEW_TOKEN";
  const token = setting(tokenKey);
  if (!token) {
    throw new BadInputError(
      `${tokenKey}: not set; the ${role} role needs it in the environment or .env`,
    );
  }
  return { tokenKey, token };
}

/** Where clones and worktrees live: AGENT_WORKDIR, default `<root>/state/work`. */
export function workRoot(root: string, setting: Setting): string {
  const dir = setting("AGENT_WORKDIR");
  return dir ? resolve(root, dir) : join(root, "state", "work");
}
