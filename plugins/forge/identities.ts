/**
 * The factory's forge identities (SPEC §6.1 step 3): one user per agent role,
 * plus one per `[agents.<name>].forge_user` of the project TOML.
 *
 * Token scopes are least privilege. Every token gets `read:user` (the forge
 * needs it for `GET /user`, which is how disinto checks that a token still
 * works) and `write:issue` (labels, comments, assignees: every role touches
 * issues). Roles that push branches, open or merge pull requests or review
 * get `write:repository`; roles that only read code get `read:repository`.
 * No token gets admin, organization or package scopes.
 *
 * | user           | repository | why                                              |
 * |----------------|------------|--------------------------------------------------|
 * | dev-bot        | write      | pushes branches, opens and merges PRs            |
 * | review-bot     | write      | posts PR reviews (a repository-scope write)      |
 * | planner-bot    | write      | writes plans to the ops repo                     |
 * | gardener-bot   | write      | tidies branches and the ops repo                 |
 * | vault-bot      | write      | runs approved actions that commit to the ops repo|
 * | supervisor-bot | read       | watches; files issues only                       |
 * | predictor-bot  | read       | reads code; files prediction issues              |
 * | architect-bot  | write      | writes design documents                          |
 * | agent users    | write      | dev work like dev-bot                            |
 */
import type { Permission } from "../../core/identity/ensure_identity.ts";
import { agentEnvKeys } from "../../core/identity/env_keys.ts";

export interface IdentityRow {
  user: string;
  tokenKey: string;
  passKey: string;
  scopes: readonly string[];
  /** Permission on the project repo. */
  project: Permission;
  /** Permission on the ops repo; null = no access. */
  ops: Permission | null;
}

const WRITE_SCOPES = ["write:issue", "write:repository", "read:user"] as const;
const READ_SCOPES = ["write:issue", "read:repository", "read:user"] as const;

function row(
  user: string,
  suffix: string,
  project: Permission,
  ops: Permission | null,
  scopes: readonly string[],
): IdentityRow {
  return {
    user,
    tokenKey: `FORGE_${suffix ? `${suffix}_` : ""}TOKEN`,
    passKey: `FORGE_${suffix ? `${suffix}_` : ""}PASS`,
    scopes,
    project,
    ops,
  };
}

/** The fixed table, in the order the spec lists it. */
export const BOT_IDENTITIES: readonly IdentityRow[] = [
  row("dev-bot", "", "write", "write", WRITE_SCOPES),
  row("review-bot", "REVIEW", "read", "write", WRITE_SCOPES),
  row("planner-bot", "PLANNER", "write", "write", WRITE_SCOPES),
  row("gardener-bot", "GARDENER", "write", "write", WRITE_SCOPES),
  row("vault-bot", "VAULT", "write", "write", WRITE_SCOPES),
  row("supervisor-bot", "SUPERVISOR", "read", "write", READ_SCOPES),
  row("predictor-bot", "PREDICTOR", "read", "write", READ_SCOPES),
  row("architect-bot", "ARCHITECT", "write", "write", WRITE_SCOPES),
];

/**
 * The `forge_user` of every `[agents.<name>]` table, read raw (no plugin
 * import); with `role`, only the tables whose `roles` list it.
 */
export function agentForgeUsers(agentsTable: unknown, role?: string): string[] {
  if (typeof agentsTable !== "object" || agentsTable === null) return [];
  const users: string[] = [];
  for (const agent of Object.values(agentsTable as Record<string, unknown>)) {
    if (typeof agent !== "object" || agent === null) continue;
    const { forge_user: user, roles } = agent as Record<string, unknown>;
    if (role !== undefined && !(Array.isArray(roles) && roles.includes(role))) continue;
    if (typeof user === "string" && user !== "" && !users.includes(user)) users.push(user);
  }
  return users;
}

/** Every identity of a project: the fixed table, then one per agent forge user. */
export function identityTable(agentUsers: readonly string[]): IdentityRow[] {
  const fixed = new Set(BOT_IDENTITIES.map((identity) => identity.user));
  return [
    ...BOT_IDENTITIES,
    ...agentUsers.filter((user) => !fixed.has(user)).map((user) => ({
      user,
      ...agentEnvKeys(user),
      scopes: WRITE_SCOPES,
      project: "write" as const,
      ops: null,
    })),
  ];
}

/** The `.env` keys holding the token of `user` (table or agent naming). */
export function tokenKeyFor(user: string): string {
  return BOT_IDENTITIES.find((identity) => identity.user === user)?.tokenKey ??
    agentEnvKeys(user).tokenKey;
}
