import type { Command } from "@commander-js/extra-typings";
import type { CommandHost } from "../../../core/plugin.ts";

/** Placeholder until this command is built. */
export function registerInitCommand(_program: Command, _host: CommandHost): void {}
