/**
 * The `[agents.<section>]` table of the project TOML (SPEC §8 step 3),
 * rendered with a fixed key order and written surgically: the table is
 * replaced whole (or appended), every other byte of the file stays.
 */
import { renderTable, replaceTable } from "../../core/config/toml_table.ts";
import { envSuffix } from "../../core/identity/env_keys.ts";

export const DEFAULT_MODEL = "local-model";
export const DEFAULT_API_KEY = "sk-no-key-required";
export const DEFAULT_POLL_INTERVAL = 60;
/** Always 60: the compaction threshold of local models (never taken from a flag). */
export const COMPACT_PCT = 60;

export interface LocalAgent {
  base_url: string;
  model: string;
  /** The key itself: only the default (no secret) or a table written by hand or an old hire. */
  api_key?: string | undefined;
  /** The `.env` key holding the model server's API key (`--api-key`): a runtime `${VAR}`. */
  api_key_env?: string | undefined;
  roles: string[];
  forge_user: string;
  compact_pct: number;
  poll_interval: number;
  /** The role's formula (`--formula`): a listed name or a path from the factory root. */
  formula?: string | undefined;
}

export interface HireValues {
  baseUrl: string;
  model?: string | undefined;
  apiKey?: string | undefined;
  role: string;
  forgeUser: string;
  pollInterval?: number | undefined;
}

/** `dev-qwen` → `ANTHROPIC_API_KEY_DEV_QWEN`: where `.env` keeps the agent's `--api-key`. */
export function apiKeyEnvKey(forgeUser: string): string {
  return `ANTHROPIC_API_KEY_${envSuffix(forgeUser)}`;
}

/**
 * The table's values, in the order they are written. An API key given is
 * never written here (the TOML is 0644): the table names its `.env` key.
 */
export function agentTable(values: HireValues): LocalAgent {
  return {
    base_url: values.baseUrl,
    model: values.model ?? DEFAULT_MODEL,
    ...(values.apiKey === undefined
      ? { api_key: DEFAULT_API_KEY }
      : { api_key_env: apiKeyEnvKey(values.forgeUser) }),
    roles: [values.role],
    forge_user: values.forgeUser,
    compact_pct: COMPACT_PCT,
    poll_interval: values.pollInterval ?? DEFAULT_POLL_INTERVAL,
  };
}

/** The project TOML text with `[agents.<section>]` replaced (or appended). */
export function withAgentTable(text: string, section: string, agent: LocalAgent): string {
  const table = renderTable(["agents", section], { ...agent });
  return replaceTable(text, ["agents", section], table);
}
