/**
 * The static, ordered plugin registry: every plugin the binary contains.
 * Order matters for hooks (see core/plugin.ts): earlier plugins run first and
 * wrap outermost. A test checks this list against the plugin folders.
 */
import type { Plugin } from "../core/plugin.ts";
import { forgePlugin } from "./forge/mod.ts";
import { composePlugin } from "./compose/mod.ts";
import { agentsLlamaPlugin } from "./agents_llama/mod.ts";
import { agentsPlugin } from "./agents/mod.ts";
import { releasePlugin } from "./release/mod.ts";
import { chatPlugin } from "./chat/mod.ts";
import { formulaPlugin } from "./formula/mod.ts";
import { modelPlugin } from "./model/mod.ts";

export const plugins: readonly Plugin[] = [
  forgePlugin,
  composePlugin,
  agentsLlamaPlugin,
  agentsPlugin,
  releasePlugin,
  chatPlugin,
  formulaPlugin,
  modelPlugin,
];

/** Every plugin's project-TOML settings, for loading projects. */
export const pluginSettings = plugins.flatMap((plugin) => plugin.settings ?? []);
