/**
 * Identity secrets (an identity's FORGE_TOKEN… / FORGE_PASS…, an agent's
 * model-server key) are generated or given once and owned by `.env`: init and
 * hire-an-agent read them from `.env` only and write them there, so both agree
 * whatever the shell holds. SPEC §4's precedence still rules whoever reads
 * them afterwards (docker compose and disinto take the process environment
 * over `.env`), so a shell value that differs from `.env` would silently win
 * and act with a stale or foreign secret: it is reported by key, never by value.
 */

/** One warning per key whose process-environment value differs from `.env`'s. */
export function shadowedSecretWarnings(
  keys: Iterable<string>,
  env: Readonly<Record<string, string | undefined>>,
  dotenv: ReadonlyMap<string, string>,
): string[] {
  const warnings: string[] = [];
  for (const key of new Set(keys)) {
    const shell = env[key];
    if (shell === undefined || shell === dotenv.get(key)) continue;
    warnings.push(
      `${key} in the environment differs from .env, which holds the secret init and ` +
        `hire-an-agent keep; docker compose and disinto would use the environment's: unset it`,
    );
  }
  return warnings;
}
