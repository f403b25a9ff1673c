/** Generate the compose file for a command: load, build, then print or write atomically. */
import { loadComposeInput, renderComposeFile } from "../../core/compose/generate.ts";
import { type ComposeWriteOutcome, writeComposeFile } from "../../core/compose/write.ts";
import type { CommandHost, Plugin } from "../../core/plugin.ts";

export interface GenerateResult {
  /** Set with `stdout`: the text, nothing written. */
  yaml?: string;
  path?: string;
  outcome?: ComposeWriteOutcome;
}

/** The plugin list to reduce over: the host's (the program's registry). */
export function hostPlugins(host: CommandHost): readonly Plugin[] {
  const plugins = host.plugins?.();
  if (!plugins) throw new Error("The command host does not expose its plugin list");
  return plugins;
}

export async function generateAndWrite(
  host: CommandHost,
  options: { force: boolean; stdout: boolean },
): Promise<GenerateResult> {
  const plugins = hostPlugins(host);
  const root = host.root();
  const render = async () =>
    renderComposeFile(await loadComposeInput(root, host.context.env, plugins), plugins);
  // Rendered once before the lock too: bad input (no project, a TOML that does
  // not parse) is reported before state/ gets a lock file (SPEC §3: nothing written).
  const yaml = await render();
  if (options.stdout) return { yaml };
  return await writeComposeFile(root, render, { force: options.force });
}
