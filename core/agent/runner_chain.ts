/**
 * The agent runner chain: the base runner (the CLI) wrapped by every plugin's
 * `wrapAgentRun` hook, the first plugin in the list outermost (so it sees the
 * invocation first and the outcome last). Core imports no plugin: the list is
 * passed in by whoever built the program.
 */
import type { AgentRunner, Plugin } from "../plugin.ts";

export function buildAgentRunner(plugins: readonly Plugin[], base: AgentRunner): AgentRunner {
  return plugins.reduceRight<AgentRunner>(
    (next, plugin) => plugin.hooks?.wrapAgentRun?.(next) ?? next,
    base,
  );
}
