/**
 * The compose service of each local-model agent (SPEC §8): `agents-<section>`,
 * same image and entrypoint as `agents`, its own identity (runtime `${…}`
 * references to its own `.env` keys), its model settings resolved at
 * generation time, and its own data and repos volumes.
 */
import { backendLockPath } from "../../core/agent/backend_lock.ts";
import { resolveClaudePaths } from "../../core/compose/claude.ts";
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
import { DEFAULT_API_KEY, type LocalAgent } from "./agent_table.ts";
import { serviceOf } from "./names.ts";

/**
 * A local-model agent has no OAuth login to share (SPEC §11.1): it gets the
 * CLI read-only but never the shared config directory — its own config lives
 * in its data volume — and one lock per model server under the factory's
 * shared `state/locks/` (the runner computes the same path).
 */
export const LOCAL_AGENT_CLAUDE_DIR = `${AGENT_HOME}/data/claude`;

export function localAgentService(
  project: Project,
  section: string,
  agent: LocalAgent,
  input: ComposeHookInput,
): ComposeService {
  const cli = resolveClaudePaths(input.env).bin;
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
      // A key given to hire lives in .env (api_key_env); a literal api_key still works.
      ANTHROPIC_API_KEY: agent.api_key_env
        ? runtime(agent.api_key_env)
        : agent.api_key ?? DEFAULT_API_KEY,
      CLAUDE_MODEL: agent.model,
      CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: String(agent.compact_pct),
      POLL_INTERVAL: String(agent.poll_interval),
      AGENT_ROLES: agent.roles.join(","),
      AGENT_LOCK_FILE: backendLockPath(FACTORY_ROOT_IN_CONTAINER, agent.base_url),
      CLAUDE_BIN: cli,
      CLAUDE_CONFIG_DIR: LOCAL_AGENT_CLAUDE_DIR,
    },
    volumes: [
      ...FACTORY_VOLUMES,
      `${service}-data:${AGENT_HOME}/data`,
      `${service}-repos:${AGENT_HOME}/repos`,
      `${cli}:${cli}:ro`,
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
