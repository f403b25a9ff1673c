/**
 * The `[agents.<section>]` table of the project TOML (SPEC §8 step 3),
 * rendered with a fixed key order and written surgically: the table is
 * replaced whole (or appended), every other byte of the file stays.
 */
import { renderTable, replaceTable } from "../../core/config/toml_table.ts";

export const DEFAULT_MODEL = "local-model";
export const DEFAULT_API_KEY = "sk-no-key-required";
export const DEFAULT_POLL_INTERVAL = 60;
/** Always 60: the compaction threshold of local models (never taken from a flag). */
export const COMPACT_PCT = 60;

export interface LocalAgent {
  base_url: string;
  model: string;
  api_key: string;
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

/** The table's values, in the order they are written. */
export function agentTable(values: HireValues): LocalAgent {
  return {
    base_url: values.baseUrl,
    model: values.model ?? DEFAULT_MODEL,
    api_key: values.apiKey ?? DEFAULT_API_KEY,
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
