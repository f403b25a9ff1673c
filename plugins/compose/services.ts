/**
 * The services the compose plugin itself contributes (SPEC §9): the forge,
 * Woodpecker CI when a project enables it, the `agents` container and the
 * `edge` reverse proxy. Other plugins add theirs through the same hook.
 */
import { z } from "zod";
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
import { runtime, text } from "../../core/compose/value.ts";
import type { Project } from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";
import type { ComposeHookInput } from "../../core/plugin.ts";

export const FORGEJO_IMAGE = "codeberg.org/forgejo/forgejo:11";
export const WOODPECKER_SERVER_IMAGE = "woodpeckerci/woodpecker-server:v3";
export const WOODPECKER_AGENT_IMAGE = "woodpeckerci/woodpecker-agent:v3";
export const EDGE_IMAGE = "caddy:2";

/** The bots of SPEC §6.1 whose tokens and passwords the `agents` container gets. */
const BOT_VARIABLES = [
  "FORGE_TOKEN",
  "FORGE_PASS",
  "FORGE_REVIEW_TOKEN",
  "FORGE_REVIEW_PASS",
  "FORGE_PLANNER_TOKEN",
  "FORGE_PLANNER_PASS",
  "FORGE_GARDENER_TOKEN",
  "FORGE_GARDENER_PASS",
  "FORGE_VAULT_TOKEN",
  "FORGE_VAULT_PASS",
  "FORGE_SUPERVISOR_TOKEN",
  "FORGE_SUPERVISOR_PASS",
  "FORGE_PREDICTOR_TOKEN",
  "FORGE_PREDICTOR_PASS",
  "FORGE_ARCHITECT_TOKEN",
  "FORGE_ARCHITECT_PASS",
] as const;

/** The part of `[ci]` compose reads (the forge plugin owns and validates the table). */
const ciSchema = z.looseObject({ woodpecker_repo_id: z.number().int().optional() });

/** CI is enabled when any project has `[ci] woodpecker_repo_id > 0`. */
export function ciEnabled(projects: readonly Project[]): boolean {
  return projects.some((project) => {
    const ci = ciSchema.safeParse(project.tables.ci ?? {});
    return ci.success && (ci.data.woodpecker_repo_id ?? 0) > 0;
  });
}

/** The host port of the forge, from the first project's `forge_url`. */
export function forgePort(project: Project): number {
  const url = new URL(project.forge_url);
  if (url.port !== "") return Number(url.port);
  return url.protocol === "https:" ? 443 : 80;
}

function forgejo(projects: readonly Project[]): ComposeService {
  const first = projects[0]!;
  const ports = new Set(projects.map(forgePort));
  if (ports.size > 1) {
    throw new BadInputError(
      `forge_url: projects name different forge ports (${[...ports].join(", ")}); ` +
        `expected one forge for the factory`,
    );
  }
  return {
    image: FORGEJO_IMAGE,
    restart: "unless-stopped",
    environment: {
      USER_UID: "1000",
      USER_GID: "1000",
      FORGEJO__database__DB_TYPE: "sqlite3",
      FORGEJO__security__INSTALL_LOCK: "true",
      FORGEJO__server__HTTP_PORT: "3000",
      FORGEJO__server__ROOT_URL: first.forge_url.replace(/\/*$/, "/"),
      FORGEJO__service__DISABLE_REGISTRATION: "true",
    },
    ports: [`${forgePort(first)}:3000`],
    volumes: ["forgejo-data:/data"],
  };
}

function woodpecker(): Record<string, ComposeService> {
  return {
    woodpecker: {
      image: WOODPECKER_SERVER_IMAGE,
      restart: "unless-stopped",
      depends_on: ["forgejo"],
      environment: {
        WOODPECKER_HOST: runtime("WOODPECKER_HOST", "http://localhost:8000"),
        WOODPECKER_OPEN: "false",
        WOODPECKER_FORGEJO: "true",
        WOODPECKER_FORGEJO_URL: FORGE_URL_IN_NETWORK,
        WOODPECKER_FORGEJO_CLIENT: runtime("WOODPECKER_FORGEJO_CLIENT"),
        WOODPECKER_FORGEJO_SECRET: runtime("WOODPECKER_FORGEJO_SECRET"),
        WOODPECKER_AGENT_SECRET: runtime("WOODPECKER_AGENT_SECRET"),
      },
      ports: [text`${runtime("WOODPECKER_PORT", "8000")}:8000`],
      volumes: ["woodpecker-data:/var/lib/woodpecker"],
    },
    "woodpecker-agent": {
      image: WOODPECKER_AGENT_IMAGE,
      restart: "unless-stopped",
      depends_on: ["woodpecker"],
      environment: {
        WOODPECKER_SERVER: "woodpecker:9000",
        WOODPECKER_AGENT_SECRET: runtime("WOODPECKER_AGENT_SECRET"),
      },
      volumes: ["/var/run/docker.sock:/var/run/docker.sock"],
    },
  };
}

function agents(input: ComposeHookInput): ComposeService {
  const claude = sharedClaudeMount(resolveClaudePaths(input.env));
  const environment: ComposeService["environment"] = {
    DISINTO_ROOT: FACTORY_ROOT_IN_CONTAINER,
    FORGE_URL: FORGE_URL_IN_NETWORK,
    AGENT_ROLES: runtime("AGENT_ROLES", "dev,review"),
    POLL_INTERVAL: runtime("POLL_INTERVAL", "300"),
    CLAUDE_TIMEOUT: runtime("CLAUDE_TIMEOUT", "7200"),
    CLAUDE_LOCK_TIMEOUT: runtime("CLAUDE_LOCK_TIMEOUT", "600"),
    ...claude.environment,
  };
  for (const name of BOT_VARIABLES) environment[name] = runtime(name);
  return {
    image: DISINTO_IMAGE,
    entrypoint: DISINTO_ENTRYPOINT,
    command: ["agents", "run"],
    restart: "unless-stopped",
    depends_on: ["forgejo"],
    environment,
    volumes: [
      ...FACTORY_VOLUMES,
      `agents-data:${AGENT_HOME}/data`,
      `agents-repos:${AGENT_HOME}/repos`,
      text`${runtime("HOME")}/.ssh:${AGENT_HOME}/.ssh:ro`,
      ...claude.volumes,
    ],
  };
}

function edge(): ComposeService {
  return {
    image: EDGE_IMAGE,
    command: ["caddy", "reverse-proxy", "--from", ":80", "--to", "forgejo:3000"],
    restart: "unless-stopped",
    depends_on: ["forgejo"],
    ports: [text`${runtime("EDGE_PORT", "80")}:80`],
  };
}

/** The compose plugin's own contribution. */
export function coreComposeServices(input: ComposeHookInput): ComposeContribution {
  const services: Record<string, ComposeService> = {
    forgejo: forgejo(input.projects),
    agents: agents(input),
    edge: edge(),
  };
  const volumes: ComposeContribution["volumes"] = {
    "forgejo-data": null,
    "agents-data": null,
    "agents-repos": null,
  };
  if (ciEnabled(input.projects)) {
    Object.assign(services, woodpecker());
    volumes["woodpecker-data"] = null;
  }
  return { services, volumes };
}
