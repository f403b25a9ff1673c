/** The forge plugin: init, status and the issue lifecycle on a Forgejo forge (SPEC §6). */
import { z } from "zod";
import type { Plugin } from "../../core/plugin.ts";
import { registerEmulateCommand } from "./commands/emulate.ts";
import { registerInitCommand } from "./commands/init.ts";
import { registerIssueCommand } from "./commands/issue.ts";
import { registerStatusCommand } from "./commands/status.ts";

export const ciSettingsSchema = z.strictObject({
  woodpecker_repo_id: z.number().int().min(0).default(0),
  stale_minutes: z.number().int().positive().default(60),
});

export const forgePlugin: Plugin = {
  name: "forge",
  description: "bootstrap projects on a Forgejo forge, report status, run the issue lifecycle",
  commands(program, host) {
    registerInitCommand(program, host);
    registerStatusCommand(program, host);
    registerIssueCommand(program, host);
    const forge = program.command("forge").description("talk to or stand in for a Forgejo forge");
    registerEmulateCommand(forge, host);
  },
  settings: [{
    table: "ci",
    description: "CI settings: the Woodpecker repo id and when a CI run counts as stale",
    schema: ciSettingsSchema,
  }],
};
