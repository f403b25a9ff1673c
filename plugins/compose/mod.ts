/** The compose plugin: generates docker-compose.yml from data and wraps docker compose (SPEC §9). */
import type { Plugin } from "../../core/plugin.ts";
import { registerComposeCommands } from "./commands/compose.ts";
import { coreComposeServices } from "./services.ts";

export const composePlugin: Plugin = {
  name: "compose",
  description: "generate the factory's docker-compose.yml and run docker compose on it",
  commands: registerComposeCommands,
  hooks: { composeServices: coreComposeServices },
};
