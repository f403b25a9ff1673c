/** The chat plugin: a web and terminal chat with the factory (SPEC §11). */
import type { Plugin } from "../../core/plugin.ts";
import { chatContribution } from "../../core/compose/chat.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerSetupCommand } from "./commands/setup.ts";
import { registerTalkCommand } from "./commands/talk.ts";

export const chatPlugin: Plugin = {
  name: "chat",
  description: "talk to Claude about the factory, in a browser or a terminal",
  commands(program, host) {
    const chat = program
      .command("chat")
      .description("talk to Claude about the factory in this terminal (serve: the web chat)");
    registerTalkCommand(chat, host);
    registerServeCommand(chat, host);
    registerSetupCommand(chat, host);
  },
  hooks: { composeServices: chatContribution },
};
