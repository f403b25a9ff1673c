/**
 * The agents plugin (SPEC §7): `disinto agents run|poll`, the poll loop every
 * agent container runs. The base of the agent runner chain is the Claude CLI
 * (runner/, CLAUDE_BIN overrides the command); this plugin's `wrapAgentRun`
 * hook holds the backend lock around every run; its `status` hook shows the
 * live pollers and the last run. `createAgentsPlugin` lets
 * tests put their own runner at the bottom of the chain.
 */
import type { Plugin } from "../../core/plugin.ts";
import { type AgentsCommandOptions, registerAgentsCommands } from "./commands/agents.ts";
import { backendLockWrapper, claudeRunner } from "./runner/mod.ts";
import { agentsStatus } from "./status.ts";

export function createAgentsPlugin(options: Partial<AgentsCommandOptions> = {}): Plugin {
  const resolved: AgentsCommandOptions = {
    baseRunner: options.baseRunner ?? (() => claudeRunner()),
  };
  return {
    name: "agents",
    description: "the agents' poll loop: turns backlog issues into reviewed, merged pull requests",
    commands(program, host) {
      registerAgentsCommands(program, host, resolved);
    },
    hooks: { wrapAgentRun: backendLockWrapper, status: agentsStatus },
  };
}

export const agentsPlugin: Plugin = createAgentsPlugin();
