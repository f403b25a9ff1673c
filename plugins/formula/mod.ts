/** The formula plugin: list, show, validate and render formulas (SPEC §12). */
import type { Plugin } from "../../core/plugin.ts";
import { registerFormulaCommands } from "./commands/formula.ts";

export const formulaPlugin: Plugin = {
  name: "formula",
  description: "list, show, validate and render the formulas agents run",
  commands: registerFormulaCommands,
};
