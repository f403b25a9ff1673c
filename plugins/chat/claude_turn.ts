/**
 * One chat turn with the real agent CLI, through core's runner (stdin
 * closed, its own process group, stopped as a group): `claude -p` with
 * stream-json output and partial messages, so text reaches the page as the
 * model writes it. The chat's own identity only — its own config directory
 * or API key — and never `session.lock` (SPEC §11.1): a chat turn must not
 * wait behind the agents' multi-minute runs.
 */
import {
  agentEnv,
  authKeepOf,
  claudeArgs,
  runClaude,
  type StreamEvent,
} from "../../core/agent/claude_run.ts";
import { assistantText } from "../../core/agent/stream_json.ts";
import type { TurnInput, TurnOutcome, TurnRunner } from "./conversation.ts";
import type { ClaudeSettings } from "./settings.ts";

/** What the turn text gets from each event: deltas as they stream, else whole messages. */
export function textSink(onText: (text: string) => void): (event: StreamEvent) => void {
  let streamed = false;
  let messages = 0;
  return (event) => {
    if (event.type === "other") {
      const inner = event.raw.event as { type?: string; delta?: { type?: string; text?: unknown } };
      if (event.raw.type !== "stream_event" || inner?.type !== "content_block_delta") return;
      if (inner.delta?.type === "text_delta" && typeof inner.delta.text === "string") {
        if (!streamed && messages > 0) onText("\n\n");
        streamed = true;
        onText(inner.delta.text);
      }
      return;
    }
    if (event.type !== "assistant") return;
    const text = assistantText(event);
    // The whole message follows its deltas; only a CLI that sent none needs it.
    if (text && !streamed) onText(messages > 0 ? `\n\n${text}` : text);
    if (text) messages++;
    streamed = false;
  };
}

/** Tokens a turn used: new input (incl. cache writes) and output; cache reads are not counted. */
export function tokensOf(usage: Record<string, unknown> | undefined): number {
  const n = (key: string) => (typeof usage?.[key] === "number" ? usage[key] as number : 0);
  return n("input_tokens") + n("output_tokens") + n("cache_creation_input_tokens");
}

/**
 * The tokens of each model call as the stream reports them (message_start,
 * message_delta, and the usage each assistant message carries), for a turn
 * that ends without a result — stopped, timed out, failed — whose calls were
 * still billed. Usage is per message id; a field seen twice keeps its largest
 * value (message_delta's counts are cumulative; a message may repeat).
 */
export function usageMeter(): { see(event: StreamEvent): void; tokens(): number } {
  const byMessage = new Map<string, Record<string, unknown>>();
  let last = "";
  const note = (id: unknown, usage: unknown) => {
    if (typeof id === "string") last = id;
    if (!last || typeof usage !== "object" || usage === null) return;
    const seen = byMessage.get(last) ?? {};
    for (const [key, value] of Object.entries(usage)) {
      if (typeof value === "number" && !(value <= (seen[key] as number))) seen[key] = value;
    }
    byMessage.set(last, seen);
  };
  return {
    see(event) {
      if (event.type === "assistant") {
        const message = event.message as { id?: unknown; usage?: unknown };
        note(message.id ?? `assistant-${byMessage.size}`, message.usage);
      } else if (event.type === "other" && event.raw.type === "stream_event") {
        const inner = event.raw.event as
          | { type?: string; message?: { id?: unknown; usage?: unknown }; usage?: unknown }
          | undefined;
        if (inner?.type === "message_start") note(inner.message?.id, inner.message?.usage);
        if (inner?.type === "message_delta") note(undefined, inner.usage);
      }
    },
    tokens: () => [...byMessage.values()].reduce((sum, usage) => sum + tokensOf(usage), 0),
  };
}

export function claudeTurnRunner(
  claude: ClaudeSettings,
  redact: (text: string) => string = (text) => text,
): TurnRunner {
  const base = agentEnv(claude.env, authKeepOf(claude.env));
  return async (input: TurnInput): Promise<TurnOutcome> => {
    // claudeArgs puts the message last, after `--`, so it is never read as an option.
    const args = claudeArgs({
      prompt: input.prompt,
      model: claude.model,
      resume: input.resume ?? undefined,
      extra: ["--include-partial-messages"],
    });
    const onText = textSink(input.onText);
    const meter = usageMeter();
    const run = await runClaude({
      command: claude.bin,
      args,
      cwd: input.cwd,
      env: { ...base, CLAUDE_CONFIG_DIR: claude.configDir },
      timeoutMs: claude.timeoutMs,
      idleGraceMs: 10_000,
      signal: input.signal,
      redact,
      onEvent: (event) => {
        onText(event);
        meter.see(event);
      },
    });
    const text = run.result?.result ?? "";
    const outcome = {
      text,
      sessionId: run.sessionId,
      // The result's usage is the turn's total; without one, what the stream reported.
      tokens: run.result?.usage ? tokensOf(run.result.usage) : meter.tokens(),
    };
    if (run.reason === "success") return { outcome: "done", ...outcome };
    if (run.reason === "stopped") return { outcome: "stopped", ...outcome };
    return { outcome: "failed", ...outcome, message: failureOf(run.reason, run.stderrTail) };
  };
}

function failureOf(reason: string, stderrTail: string): string {
  const last = stderrTail.trim().split("\n").at(-1)?.slice(0, 200) ?? "";
  const what = {
    error_result: "the model answered with an error",
    no_result: "the agent CLI ended without a result",
    timeout: "the reply took too long",
    spawn_failed: "the agent CLI could not be started",
  }[reason] ?? reason;
  return last ? `${what} (${last})` : what;
}
