/**
 * The compose service of each local-model agent (SPEC §8): `agents-<section>`,
 * same image and entrypoint as `agents`, its own identity (runtime `${…}`
 * references to its own `.env` keys), its model settings resolved at
 * generation time, and its own data and repos volumes.
 */
import { resolveClaudePaths, sharedClaudeMount } from "../../core/compose/claude.ts";
import type { ComposeContribution, ComposeService } from "../../core/compose/model.ts";
import {
  AGENT_HOME,
  DISINTO_ENTRYPOINT,
  DISINTO_IMAGE,
  FACTORY_ROOT_IN_CONTAINER,
  FACTORY_VOLUMES,
  FORGE_URL_IN_NETWORK,
} from "../../core/compose/services.ts";
import { runtime } from "../../core/compose/value.ts";
import type { Project } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";
import { agentEnvKeys } from "../../core/identity/env_keys.ts";
import type { ComposeHookInput } from "../../core/plugin.ts";
import type { LocalAgent } from "./agent_table.ts";
import { serviceOf } from "./names.ts";

/** One lock file per model backend (host and port), inside the shared config dir. */
export function backendLockFile(configDir: string, baseUrl: string): string {
  const url = new URL(baseUrl);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  return `${configDir}/backend-${host}-${port}.lock`;
}

export function localAgentService(
  project: Project,
  section: string,
  agent: LocalAgent,
  input: ComposeHookInput,
): ComposeService {
  const paths = resolveClaudePaths(input.env);
  const claude = sharedClaudeMount(paths);
  const keys = agentEnvKeys(agent.forge_user);
  const service = serviceOf(section);
  return {
    image: DISINTO_IMAGE,
    entrypoint: DISINTO_ENTRYPOINT,
    command: ["agents", "run"],
    restart: "unless-stopped",
    depends_on: ["forgejo"],
    environment: {
      DISINTO_ROOT: FACTORY_ROOT_IN_CONTAINER,
      PROJECT_NAME: project.name,
      FORGE_URL: FORGE_URL_IN_NETWORK,
      FORGE_USER: agent.forge_user,
      FORGE_TOKEN: runtime(keys.tokenKey),
      FORGE_PASS: runtime(keys.passKey),
      ANTHROPIC_BASE_URL: agent.base_url,
      ANTHROPIC_API_KEY: agent.api_key,
      CLAUDE_MODEL: agent.model,
      CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: String(agent.compact_pct),
      POLL_INTERVAL: String(agent.poll_interval),
      AGENT_ROLES: agent.roles.join(","),
      AGENT_LOCK_FILE: backendLockFile(paths.configDir, agent.base_url),
      ...claude.environment,
    },
    volumes: [
      ...FACTORY_VOLUMES,
      `${service}-data:${AGENT_HOME}/data`,
      `${service}-repos:${AGENT_HOME}/repos`,
      ...claude.volumes,
    ],
  };
}

/** The agents-llama plugin's contribution: one service per `[agents.<section>]` of every project. */
export function localAgentServices(
  input: ComposeHookInput,
  readAgents: (project: Project) => Record<string, LocalAgent>,
): ComposeContribution {
  const services: Record<string, ComposeService> = {};
  const volumes: NonNullable<ComposeContribution["volumes"]> = {};
  for (const project of input.projects) {
    for (const [section, agent] of Object.entries(readAgents(project))) {
      const name = serviceOf(section);
      if (services[name]) {
        throw new BadInputError(
          `${project.file}: agents.${section}: the section is also used by another project; ` +
            `expected agent names unique in the factory`,
        );
      }
      services[name] = localAgentService(project, section, agent, input);
      volumes[`${name}-data`] = null;
      volumes[`${name}-repos`] = null;
    }
  }
  return { services, volumes };
}
