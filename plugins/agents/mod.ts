/**
 * The agents plugin (SPEC §7): `disinto agents run|poll`, the poll loop every
 * agent container runs. `createAgentsPlugin` lets tests put their own agent
 * runner at the bottom of the `wrapAgentRun` chain.
 */
import type { AgentRunner, Plugin } from "../../core/plugin.ts";
import { RuntimeFailure } from "../../core/errors.ts";
import { type AgentsCommandOptions, registerAgentsCommands } from "./commands/agents.ts";

const noRunner: AgentRunner = () =>
  Promise.reject(new RuntimeFailure("No agent runner is configured"));

export function createAgentsPlugin(options: Partial<AgentsCommandOptions> = {}): Plugin {
  const resolved: AgentsCommandOptions = { baseRunner: options.baseRunner ?? (() => noRunner) };
  return {
    name: "agents",
    description: "the agents' poll loop: turns backlog issues into reviewed, merged pull requests",
    commands(program, host) {
      registerAgentsCommands(program, host, resolved);
    },
  };
}

export const agentsPlugin: Plugin = createAgentsPlugin();
