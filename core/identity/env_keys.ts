/**
 * How an identity's secrets are named in `.env` (SPEC §6.1 step 3):
 * `FORGE_TOKEN_<USER>` / `FORGE_PASS_<USER>`, where `<USER>` is the user name
 * upper-cased with every character outside [A-Z0-9] turned into `_`.
 */

/** `dev-qwen` → `DEV_QWEN`. */
export function envSuffix(user: string): string {
  return user.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** The `.env` keys of an agent identity that is not in the fixed table. */
export function agentEnvKeys(user: string): { tokenKey: string; passKey: string } {
  const suffix = envSuffix(user);
  return { tokenKey: `FORGE_TOKEN_${suffix}`, passKey: `FORGE_PASS_${suffix}` };
}

/** The name of the API token disinto keeps for `user` (one per user). */
export function tokenName(user: string): string {
  return `disinto-${user}-token`;
}
