/**
 * The `chat` service (SPEC §11): the binary's `chat serve`, with a Claude
 * identity of its own — a config directory that is never the agents' shared
 * one (a named volume by default, or `CHAT_CLAUDE_CONFIG_DIR` on the host) —
 * or `ANTHROPIC_API_KEY`. The chat plugin contributes it through its hook.
 */
import { posix } from "node:path";
import { BadInputError } from "../errors.ts";
import type { ComposeHookInput } from "../plugin.ts";
import { resolveClaudePaths } from "./claude.ts";
import type { ComposeContribution } from "./model.ts";
import {
  AGENT_HOME,
  DISINTO_ENTRYPOINT,
  DISINTO_IMAGE,
  FACTORY_ROOT_IN_CONTAINER,
  FACTORY_VOLUMES,
  FORGE_URL_IN_NETWORK,
} from "./services.ts";
import { runtime, text } from "./value.ts";

/** Where the chat's own Claude config lives inside its container, by default. */
export const CHAT_CONFIG_IN_CONTAINER = `${AGENT_HOME}/.claude-chat`;

export function chatContribution(input: ComposeHookInput): ComposeContribution {
  const { bin } = resolveClaudePaths(input.env);
  const hostDir = input.env.CHAT_CLAUDE_CONFIG_DIR;
  if (hostDir && (!posix.isAbsolute(hostDir) || /[:\n,]/.test(hostDir))) {
    throw new BadInputError(
      `CHAT_CLAUDE_CONFIG_DIR: "${hostDir}" is not usable; expected an absolute host path`,
    );
  }
  const configDir = hostDir ? posix.normalize(hostDir) : CHAT_CONFIG_IN_CONTAINER;
  const configVolume = hostDir ? `${configDir}:${configDir}` : `chat-claude:${configDir}`;
  return {
    services: {
      chat: {
        image: DISINTO_IMAGE,
        entrypoint: DISINTO_ENTRYPOINT,
        command: ["chat", "serve", "--port", "8080"],
        restart: "unless-stopped",
        depends_on: ["forgejo"],
        environment: {
          DISINTO_ROOT: FACTORY_ROOT_IN_CONTAINER,
          FORGE_URL: FORGE_URL_IN_NETWORK,
          CLAUDE_BIN: bin,
          CLAUDE_CONFIG_DIR: configDir,
          CHAT_CLAUDE_CONFIG_DIR: configDir,
          ANTHROPIC_API_KEY: runtime("CHAT_ANTHROPIC_API_KEY", ""),
          FORGE_ADMIN_USER: runtime("FORGE_ADMIN_USER", "disinto-admin"),
          CHAT_OAUTH_CLIENT_ID: runtime("CHAT_OAUTH_CLIENT_ID", ""),
          CHAT_OAUTH_CLIENT_SECRET: runtime("CHAT_OAUTH_CLIENT_SECRET", ""),
          CHAT_ALLOWED_USERS: runtime("CHAT_ALLOWED_USERS", ""),
          // The cookie key: without it each new container signs users out.
          CHAT_SESSION_SECRET: runtime("CHAT_SESSION_SECRET", ""),
          // The URLs browsers use (the forge's in-network URL is not one of them).
          CHAT_PUBLIC_URL: runtime("CHAT_PUBLIC_URL", "http://localhost:8080"),
          CHAT_FORGE_PUBLIC_URL: runtime("CHAT_FORGE_PUBLIC_URL", "http://localhost:3000"),
          CHAT_MAX_REQUESTS_PER_HOUR: runtime("CHAT_MAX_REQUESTS_PER_HOUR", "30"),
          CHAT_MAX_REQUESTS_PER_DAY: runtime("CHAT_MAX_REQUESTS_PER_DAY", "200"),
          CHAT_MAX_TOKENS_PER_DAY: runtime("CHAT_MAX_TOKENS_PER_DAY", "2000000"),
        },
        ports: [text`${runtime("CHAT_PORT", "8080")}:8080`],
        // History, limits and sessions live in the factory's state/chat.
        volumes: [
          ...FACTORY_VOLUMES,
          configVolume,
          `${bin}:${bin}:ro`,
        ],
      },
    },
    volumes: hostDir ? {} : { "chat-claude": null },
  };
}
