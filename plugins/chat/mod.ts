/** The chat plugin: a web and terminal chat with the factory (SPEC §11). */
import type { Plugin } from "../../core/plugin.ts";
import { chatContribution } from "../../core/compose/chat.ts";

export const chatPlugin: Plugin = {
  name: "chat",
  description: "talk to Claude about the factory, in a browser or a terminal",
  hooks: { composeServices: chatContribution },
};
