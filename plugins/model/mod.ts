/** The model plugin: a scripted stand-in for a model server (`disinto model emulate`). */
import type { Plugin } from "../../core/plugin.ts";
import { registerModelEmulateCommand } from "./commands/emulate.ts";

export const modelPlugin: Plugin = {
  name: "model",
  description: "stand in for a model server: answer the Anthropic Messages API from a script",
  commands(program, host) {
    const model = program.command("model").description("stand in for a model server");
    registerModelEmulateCommand(model, host);
  },
};
