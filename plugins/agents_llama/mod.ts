/** The agents-llama plugin: agents backed by a local model server (SPEC §8). */
import { z } from "zod";
import type { Plugin } from "../../core/plugin.ts";
import { registerHireCommand } from "./commands/hire.ts";
import { httpUrlSchema } from "../../core/config/project.ts";
import { localAgentServices } from "./compose_service.ts";

/** One `[agents.<section>]` table. */
export const localAgentSchema = z.strictObject({
  base_url: httpUrlSchema,
  model: z.string().min(1).default("local-model"),
  api_key: z.string().default("sk-no-key-required"),
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected a .env key").optional(),
  roles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, "expected a role name")).min(1),
  forge_user: z.string().regex(/^[A-Za-z0-9._-]+$/, "expected a Forgejo user name"),
  compact_pct: z.number().int().min(1).max(100).default(60),
  poll_interval: z.number().int().positive().default(60),
  formula: z.string().min(1).optional(),
});

export const agentsSettingsSchema = z.record(
  z.string().regex(/^[a-z0-9-]+$/, "expected a section name of [a-z0-9-]"),
  localAgentSchema,
);

export const agentsLlamaPlugin: Plugin = {
  name: "agents-llama",
  description: "hire agents that run on a local model server (llama.cpp and friends)",
  commands: registerHireCommand,
  settings: [{
    table: "agents",
    description: "local-model agents, one table per agent",
    schema: agentsSettingsSchema,
  }],
  hooks: {
    composeServices: (input) =>
      localAgentServices(
        input,
        (project) => agentsSettingsSchema.parse(project.tables.agents ?? {}),
      ),
  },
};
