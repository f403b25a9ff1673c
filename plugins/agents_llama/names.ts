/** Names of a local-model agent: its forge user, its TOML section, its service and `.env` keys. */
import { BadInputError } from "../../core/errors.ts";

/** A Forgejo user name: letters, digits, `.`, `_`, `-`; starts and ends alphanumeric. */
const AGENT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?$/;
const ROLE = /^[a-z][a-z0-9-]*$/;
/**
 * The roles the agents' poll loop runs (plugins/agents/settings.ts ROLES; a
 * plugin may not import another): an agent hired for any other role would
 * write AGENT_ROLES its container refuses at start-up, a crash loop.
 */
export const AGENT_ROLES = ["dev", "review"] as const;

export function validateAgentName(name: string): string {
  if (!AGENT_NAME.test(name) || /[._-]{2}/.test(name)) {
    throw new BadInputError(
      `agent name: "${name}" is not valid; expected a Forgejo user name of letters, digits, ` +
        `".", "_" or "-" (at most 40, starting and ending with a letter or digit)`,
    );
  }
  return name;
}

export function validateRole(role: string): string {
  if (!ROLE.test(role)) {
    throw new BadInputError(`role: "${role}" is not valid; expected a role name like "dev"`);
  }
  return role;
}

/** A local-model agent's role ends up in its container's AGENT_ROLES: one the loop runs. */
export function validateAgentRole(role: string): string {
  if (!(AGENT_ROLES as readonly string[]).includes(role)) {
    throw new BadInputError(
      `role: "${role}" is not a role an agent plays; expected one of ${AGENT_ROLES.join(", ")}`,
    );
  }
  return role;
}

/** `<section>` of `[agents.<section>]`: the name lower-cased, non `[a-z0-9]` → `-`. */
export function sectionOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "-");
}

/** The compose service of a local-model agent. */
export function serviceOf(section: string): string {
  return `agents-${section}`;
}
