/**
 * The agent runner the poll cycles call: every plugin's `wrapAgentRun` hook
 * around the base runner, the first plugin in the registry outermost
 * (core/plugin.ts).
 */
import type { AgentRunner, Plugin } from "../../core/plugin.ts";

export function chainRunner(plugins: readonly Plugin[], base: AgentRunner): AgentRunner {
  return plugins.reduceRight<AgentRunner>(
    (next, plugin) => plugin.hooks?.wrapAgentRun?.(next) ?? next,
    base,
  );
}
