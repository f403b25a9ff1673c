/**
 * The environment the Claude CLI runs with. It gets exactly one way to
 * authenticate (SPEC §11.1): the shared OAuth login, or an API key (a
 * local-model server or the chat's own key); the variables of the other way
 * are removed so the CLI cannot pick the wrong one. The factory's own secrets
 * (admin password, other identities' tokens, mirror tokens) never reach it.
 */

export type AuthKeep = "oauth" | "api-key";

/** Variables of the API-key way: removed when the OAuth login is used. */
const API_KEY_VARIABLES = [
  "ANTHROPIC_API_KEY",
  "ANTHROPIC_AUTH_TOKEN",
  "ANTHROPIC_BASE_URL",
  "ANTHROPIC_CUSTOM_HEADERS",
  "CLAUDE_CODE_USE_BEDROCK",
  "CLAUDE_CODE_USE_VERTEX",
  "AWS_BEARER_TOKEN_BEDROCK",
] as const;

/** Variables of the OAuth way: removed when an API key is used. */
const OAUTH_VARIABLES = ["CLAUDE_CODE_OAUTH_TOKEN"] as const;

/**
 * Factory secrets no agent needs: the admin, other identities (review-bot's
 * token would let a dev agent approve its own PR), mirrors, CI, chat.
 * FORGE_TOKEN itself is the agent's own identity and is kept.
 */
const NEVER_PASSED = [
  /^FORGE_ADMIN_/,
  /^FORGE_(?!TOKEN$)\w*(TOKEN|PASS)/,
  /^(GITHUB|CODEBERG)_TOKEN$/,
  /^WOODPECKER_.*(SECRET|TOKEN)/,
  /^CHAT_/,
  /^(SOPS_AGE_KEY|AGE_KEY)/,
];

/** Copy `base` without unset values, unused auth variables and factory secrets. */
export function agentEnv(
  base: Readonly<Record<string, string | undefined>>,
  keep: AuthKeep,
): Record<string, string> {
  const unused: readonly string[] = keep === "oauth" ? API_KEY_VARIABLES : OAUTH_VARIABLES;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || unused.includes(name)) continue;
    if (NEVER_PASSED.some((pattern) => pattern.test(name))) continue;
    env[name] = value;
  }
  return env;
}

/**
 * Which way an environment authenticates: an API key (with or without a
 * model server's ANTHROPIC_BASE_URL) when one is set, else the OAuth login.
 */
export function authKeepOf(env: Readonly<Record<string, string | undefined>>): AuthKeep {
  return env.ANTHROPIC_API_KEY || env.ANTHROPIC_AUTH_TOKEN ? "api-key" : "oauth";
}
