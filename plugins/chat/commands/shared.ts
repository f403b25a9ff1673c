/** What both chat commands need: the settings and the conversation. */
import type { CommandHost } from "../../../core/plugin.ts";
import { claudeTurnRunner } from "../claude_turn.ts";
import { Conversation } from "../conversation.ts";
import { chatEnv, chatSettings } from "../settings.ts";

/** The port `chat serve` listens on unless told (the compose service's). */
export const DEFAULT_PORT = 8080;

export async function chatRuntime(host: CommandHost) {
  const { context } = host;
  const root = host.root();
  const env = await chatEnv(root, context.env);
  const settings = chatSettings(root, env, context.env);
  host.redactor.addFromEnv(env);
  const conversation = new Conversation({
    stateDir: settings.stateDir,
    limits: settings.limits,
    runTurn: claudeTurnRunner(settings.claude, (text) => host.redactor.redact(text)),
    now: () => context.clock.now(),
    log: (line) => context.stderr.write(`${line}\n`),
  });
  return { settings, env, conversation };
}
