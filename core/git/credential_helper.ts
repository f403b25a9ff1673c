/**
 * Credentials for one git command, given through a one-shot credential
 * helper that reads them from git's environment: never inside a remote URL,
 * never on a command line (where `ps` would show them).
 */

/** Answers `get` with DISINTO_GIT_USER / DISINTO_GIT_PASS from its environment. */
export const CREDENTIAL_HELPER =
  '!f() { test "$1" = get && printf "username=%s\\npassword=%s\\n" "$DISINTO_GIT_USER" "$DISINTO_GIT_PASS"; }; f';

/** `-c` arguments for git: any configured helper cleared, then ours alone. */
export const CREDENTIAL_HELPER_ARGS: readonly string[] = [
  "-c",
  "credential.helper=",
  "-c",
  `credential.helper=${CREDENTIAL_HELPER}`,
];

/** The environment the helper answers from. */
export function credentialEnv(user: string, password: string): Record<string, string> {
  return { DISINTO_GIT_USER: user, DISINTO_GIT_PASS: password };
}
