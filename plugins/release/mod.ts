/** The release plugin: tag a version on the forge and push it to mirrors (SPEC §10). */
import { z } from "zod";
import type { Plugin } from "../../core/plugin.ts";
import { registerReleaseCommand } from "./commands/release.ts";

export const mirrorsSettingsSchema = z.record(
  z.string().regex(/^[a-z0-9_-]+$/, "expected a mirror name of [a-z0-9_-]"),
  z.string().min(1),
);

export const releasePlugin: Plugin = {
  name: "release",
  description: "tag a release on the forge and push the tag to every mirror",
  commands: registerReleaseCommand,
  settings: [{
    table: "mirrors",
    description: "mirror remotes the release tag is pushed to, by name",
    schema: mirrorsSettingsSchema,
  }],
};
