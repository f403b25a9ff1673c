/**
 * `disinto chat`: the same conversation in the terminal — the admin's by
 * default, with the same history, limits and Claude session as the web page.
 * Each line typed is a message; the reply streams as it is written. Ctrl-C
 * during a reply stops the reply (its process group is ended), not the
 * program; Ctrl-C at the prompt, or end of input (Ctrl-D), leaves. While the
 * model has said nothing yet, a line every 10 s says how long it has been. The
 * exit code is 1 when a reply failed (a script piping questions sees it).
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
/** How often the terminal is told that the model has not answered yet. */
export const WAITING_NOTE_MS = 10_000;

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
        const failed = await talk(context, conversation, user);
        return failed > 0 ? 1 : 0;
      })
    );
}

/** The conversation until the input ends; returns how many replies failed. */
async function talk(context: Context, conversation: Conversation, user: string): Promise<number> {
  let failed = 0;
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
    if (await follow(context, sent.reply) === "failed") failed++;
  }
  out.write("\n");
  return failed;
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

/** Print the reply as it streams; Ctrl-C stops it. Returns how it ended. */
async function follow(context: Context, reply: Reply): Promise<string> {
  let printed = 1;
  let heard = false;
  let outcome = "failed";
  const flush = () => {
    for (const event of reply.events) {
      if (event.seq <= printed) continue;
      printed = event.seq;
      if (event.type === "text") {
        heard = true;
        context.stdout.write(printable(event.text));
      }
      if (event.type === "end") {
        outcome = event.outcome;
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
  const answered = new AbortController();
  const notes = waitingNotes(context, answered.signal, () => heard);
  try {
    flush();
    await reply.finished;
    flush();
  } finally {
    answered.abort();
    await notes;
    unsubscribe();
    context.onInterrupt?.(null);
    context.signal.removeEventListener("abort", onAbort);
  }
  return outcome;
}

/** Until the model says something (or the reply ends), a line every WAITING_NOTE_MS. */
async function waitingNotes(context: Context, done: AbortSignal, heard: () => boolean) {
  for (let waited = WAITING_NOTE_MS;; waited += WAITING_NOTE_MS) {
    try {
      await context.clock.sleep(WAITING_NOTE_MS, done);
    } catch {
      return;
    }
    if (done.aborted || heard()) return;
    context.stdout.write(`(no answer from the model yet: ${waited / 1000} s; Ctrl-C stops)\n`);
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
