/**
 * `disinto release <vX.Y.Z> [--dry-run] [--mirrors token|ssh|both]` (SPEC §10):
 * tag the primary branch's head on the forge and push the tag to every
 * `[mirrors]` remote. See docs/release.md.
 */
import type { Command } from "@commander-js/extra-typings";
import type { CommandHost } from "../../../core/plugin.ts";
import { parseMirrorsMode } from "../mirrors.ts";
import { runRelease } from "../run_release.ts";

export function registerReleaseCommand(program: Command, host: CommandHost): void {
  program
    .command("release")
    .description("tag a release on the forge and push the tag to every mirror")
    .argument("<version>", "the version to tag, vMAJOR.MINOR.PATCH (e.g. v1.2.3)")
    .option("--dry-run", "show every step and write nothing")
    .option("--mirrors <path>", "how to reach the mirrors: token, ssh or both")
    .action((version, flags) =>
      host.run(() =>
        runRelease(host, {
          version,
          dryRun: flags.dryRun === true,
          mode: parseMirrorsMode(flags.mirrors),
        })
      )
    );
}
