/**
 * A hired agent needs a name of its own (SPEC §8 step 1, §14 regression 3).
 * Taking a factory identity would reset that identity's password and replace
 * its token (dev-bot's FORGE_TOKEN stops working); taking a name that maps
 * to another agent's `[agents.<section>]` or `.env` keys would overwrite that
 * agent's table and token. Both are refused as bad input before anything is
 * written.
 */
import { BadInputError } from "../../core/errors.ts";
import { envSuffix } from "../../core/identity/env_keys.ts";
import { FACTORY_BOT_USERS } from "../../core/identity/factory_bots.ts";
import { sectionOf } from "./names.ts";

/** A local-model agent already in a project TOML. */
export interface KnownAgent {
  file: string;
  section: string;
  forgeUser: string;
}

/** The `[agents.<section>]` tables of a project, read raw (forge_user only). */
export function knownAgents(file: string, agentsTable: unknown): KnownAgent[] {
  if (typeof agentsTable !== "object" || agentsTable === null) return [];
  return Object.entries(agentsTable as Record<string, unknown>).flatMap(([section, table]) => {
    const user = (table as Record<string, unknown> | null)?.forge_user;
    return typeof user === "string" ? [{ file, section, forgeUser: user }] : [];
  });
}

/** Forgejo user names are case-insensitive. */
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function assertNameOfItsOwn(
  name: string,
  options: { adminUser: string; agents: readonly KnownAgent[] },
): void {
  if (FACTORY_BOT_USERS.some((bot) => same(bot, name)) || same(options.adminUser, name)) {
    throw new BadInputError(
      `agent name: "${name}" is one of the factory's own identities; ` +
        `expected a name of its own for the agent`,
    );
  }
  const section = sectionOf(name);
  const suffix = envSuffix(name);
  for (const agent of options.agents) {
    if (same(agent.forgeUser, name)) continue;
    const clash = agent.section === section
      ? `[agents.${section}]`
      : envSuffix(agent.forgeUser) === suffix
      ? `.env keys FORGE_TOKEN_${suffix} / FORGE_PASS_${suffix}`
      : null;
    if (clash) {
      throw new BadInputError(
        `agent name: "${name}": its ${clash} belong to forge user "${agent.forgeUser}" ` +
          `(${agent.file}); expected another name`,
      );
    }
  }
}
