/** Names of a local-model agent: its forge user, its TOML section, its service and `.env` keys. */
import { BadInputError } from "../../core/errors.ts";

/** A Forgejo user name: letters, digits, `.`, `_`, `-`; starts and ends alphanumeric. */
const AGENT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,38}[A-Za-z0-9])?$/;
const ROLE = /^[a-z][a-z0-9-]*$/;

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

/** `<section>` of `[agents.<section>]`: the name lower-cased, non `[a-z0-9]` → `-`. */
export function sectionOf(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "-");
}

/** The compose service of a local-model agent. */
export function serviceOf(section: string): string {
  return `agents-${section}`;
}
