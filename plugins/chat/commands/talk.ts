/**
 * `disinto chat`: the same conversation in the terminal — the admin's by
 * default, with the same history, limits and Claude session as the web page.
 * Each line typed is a message; the reply streams as it is written. Ctrl-C
 * during a reply stops the reply (its process group is ended), not the
 * program; Ctrl-C at the prompt, or end of input (Ctrl-D), leaves.
 */
import type { Command } from "@commander-js/extra-typings";
import { BadInputError } from "../../../core/errors.ts";
import type { Context } from "../../../core/context.ts";
import type { CommandHost } from "../../../core/plugin.ts";
import type { Conversation } from "../conversation.ts";
import type { Reply } from "../replies.ts";
import { allowList } from "../settings.ts";
import { chatRuntime } from "./shared.ts";

const SHOWN_HISTORY = 10;

export function registerTalkCommand(chat: Command, host: CommandHost): void {
  chat
    .option("--user <login>", "whose conversation (default: the forge admin, FORGE_ADMIN_USER)")
    .action((options) =>
      host.run(async () => {
        const { context } = host;
        const { settings, conversation } = await chatRuntime(host);
        const user = options.user ?? settings.admin;
        if (!allowList(settings)(user)) {
          throw new BadInputError(
            `--user: "${user}" may not use the chat; expected the admin or one of CHAT_ALLOWED_USERS`,
          );
        }
        if (!context.stdin) throw new BadInputError("stdin: none; expected a terminal or a pipe");
        await talk(context, conversation, user);
        return 0;
      })
    );
}

async function talk(context: Context, conversation: Conversation, user: string): Promise<void> {
  const out = context.stdout;
  const history = await conversation.history.read(user);
  for (const entry of history.slice(-SHOWN_HISTORY)) {
    out.write(`${entry.role === "user" ? "you" : entry.role}: ${printable(entry.content)}\n`);
  }
  out.write(`chatting as ${user}; Ctrl-C stops a reply, Ctrl-D leaves\n`);
  for await (const line of typedLines(context.stdin!, context.signal, () => out.write("> "))) {
    const sent = await conversation.send(user, line);
    if (sent.kind === "invalid") {
      if (line.trim() !== "") out.write(`${sent.message}\n`);
      continue;
    }
    if (sent.kind === "closed") break;
    if (sent.kind === "limited") {
      const at = new Date(sent.verdict.resetAt).toISOString();
      out.write(`limit reached (${sent.verdict.limit}); you can send again at ${at}\n`);
      continue;
    }
    await follow(context, sent.reply);
  }
  out.write("\n");
}

/**
 * Text for the terminal without its control characters (but newlines and
 * tabs): history a web user typed, or a model's reply, must not drive the
 * operator's terminal (escape sequences set the clipboard, rewrite the screen).
 */
function printable(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, "");
}

/** Print the reply as it streams; Ctrl-C stops it. */
async function follow(context: Context, reply: Reply): Promise<void> {
  let printed = 1;
  const flush = () => {
    for (const event of reply.events) {
      if (event.seq <= printed) continue;
      printed = event.seq;
      if (event.type === "text") context.stdout.write(printable(event.text));
      if (event.type === "end") {
        const note = event.outcome === "done"
          ? ""
          : event.outcome === "stopped"
          ? "[reply stopped]"
          : `[reply failed: ${printable(event.message ?? "unknown error")}]`;
        context.stdout.write(`${note ? `\n${note}` : ""}\n`);
      }
    }
  };
  const unsubscribe = reply.subscribe(flush);
  context.onInterrupt?.(() => reply.stop());
  const onAbort = () => reply.stop();
  context.signal.addEventListener("abort", onAbort, { once: true });
  try {
    flush();
    await reply.finished;
    flush();
  } finally {
    unsubscribe();
    context.onInterrupt?.(null);
    context.signal.removeEventListener("abort", onAbort);
  }
}

/** Lines of input, prompting before each; ends at end of input or when `signal` aborts. */
async function* typedLines(
  input: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  prompt: () => void,
): AsyncGenerator<string> {
  const reader = input.pipeThrough(new TextDecoderStream()).getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  signal.addEventListener("abort", cancel, { once: true });
  let pending = "";
  try {
    prompt();
    while (!signal.aborted) {
      const end = pending.indexOf("\n");
      if (end >= 0) {
        yield pending.slice(0, end).replace(/\r$/, "");
        pending = pending.slice(end + 1);
        if (!signal.aborted) prompt();
        continue;
      }
      const { value, done } = await reader.read();
      if (done) {
        if (pending.trim() !== "") yield pending;
        return;
      }
      pending += value;
    }
  } finally {
    signal.removeEventListener("abort", cancel);
    cancel();
  }
}
