/**
 * Turn selection, stateless: the answer depends on the request alone, so
 * retries, resumed sessions and parallel conversations all get the right turn.
 *
 * - The conversation is the first whose `match` occurs in the system prompt +
 *   first user message (one without `match` takes any request).
 * - The turn is number k, k = how many assistant turns the request already
 *   holds; past the last turn the answer is the conversation's final text.
 * - A request offering no tools with a small max_tokens is a side request
 *   (a title, a summary, a quota check): it gets a short text and never a turn.
 */
import {
  allTextOf,
  estimateTokens,
  type MessagesRequest,
  type RequestContent,
  textOf,
} from "./request.ts";
import type { ModelScript, ScriptTurn } from "./script.ts";

export type ReplyBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface ScriptedReply {
  /** turn: a scripted turn; final: past the last turn; side: a side request; unmatched: no conversation. */
  kind: "turn" | "final" | "side" | "unmatched";
  /** Index of the conversation in the script (turn and final). */
  conversation?: number;
  /** Index of the turn (turn), or the number of turns (final). */
  turn?: number;
  content: ReplyBlock[];
  stop_reason: "end_turn" | "tool_use";
  usage: { input_tokens: number; output_tokens: number };
}

/** Largest max_tokens of a tool-less request still taken for a side request. */
export const SIDE_REQUEST_MAX_TOKENS = 1024;
export const SIDE_REPLY_TEXT = "Scripted model emulator.";
export const UNMATCHED_REPLY_TEXT =
  "model emulator: no conversation in the script matches this request";

const CWD_LINE = /(?:Primary working directory|Working directory):\s*(\S[^\n]*)/;

/** The working directory the client announces in its prompt, if any. */
export function workingDirectoryOf(request: MessagesRequest): string | undefined {
  return CWD_LINE.exec(allTextOf(request))?.[1]?.trim();
}

/** How many assistant turns the request holds (consecutive assistant messages count once). */
export function assistantTurnsIn(request: MessagesRequest): number {
  let turns = 0;
  let previous = "";
  for (const message of request.messages) {
    if (message.role === "assistant" && previous !== "assistant") turns++;
    previous = message.role;
  }
  return turns;
}

/** The text a conversation's `match` is searched in. */
export function matchTextOf(request: MessagesRequest): string {
  const firstUser = request.messages.find((message) => message.role === "user");
  return `${textOf(request.system)}\n${textOf(firstUser?.content as RequestContent | undefined)}`;
}

export function isSideRequest(request: MessagesRequest): boolean {
  return (request.tools?.length ?? 0) === 0 && request.max_tokens <= SIDE_REQUEST_MAX_TOKENS;
}

export function replyFor(script: ModelScript, request: MessagesRequest): ScriptedReply {
  const inputTokens = estimateTokens(JSON.stringify([request.system, request.messages]));
  const text = (kind: ScriptedReply["kind"], words: string, at: Partial<ScriptedReply> = {}) =>
    finish({ kind, ...at, content: [{ type: "text", text: words }] }, inputTokens);
  if (isSideRequest(request)) return text("side", SIDE_REPLY_TEXT);
  const haystack = matchTextOf(request);
  const conversation = script.conversations.findIndex((c) =>
    c.match === undefined || haystack.includes(c.match)
  );
  const chosen = script.conversations[conversation];
  if (chosen === undefined) return text("unmatched", UNMATCHED_REPLY_TEXT);
  const k = assistantTurnsIn(request);
  const turn = chosen.turns[k];
  if (turn === undefined) {
    return text("final", chosen.final_text, { conversation, turn: chosen.turns.length });
  }
  const cwd = workingDirectoryOf(request) ?? ".";
  return finish(
    {
      kind: "turn",
      conversation,
      turn: k,
      content: blocksOf(turn, cwd, `toolu_emu_${conversation}_${k}`),
    },
    turn.usage?.input_tokens ?? inputTokens,
    turn.usage?.output_tokens,
  );
}

function finish(
  reply: Omit<ScriptedReply, "stop_reason" | "usage">,
  inputTokens: number,
  outputTokens?: number,
): ScriptedReply {
  const usesTools = reply.content.some((block) => block.type === "tool_use");
  return {
    ...reply,
    stop_reason: usesTools ? "tool_use" : "end_turn",
    usage: {
      input_tokens: inputTokens,
      output_tokens: outputTokens ?? estimateTokens(JSON.stringify(reply.content)),
    },
  };
}

function blocksOf(turn: ScriptTurn, cwd: string, idPrefix: string): ReplyBlock[] {
  const blocks: ReplyBlock[] = turn.text === undefined
    ? []
    : [{ type: "text", text: turn.text.replaceAll("{{cwd}}", cwd) }];
  turn.tool_use.forEach((tool, index) => {
    blocks.push({
      type: "tool_use",
      id: `${idPrefix}_${index}`,
      name: tool.name,
      input: fillPlaceholders(tool.input, cwd) as Record<string, unknown>,
    });
  });
  return blocks;
}

/** Replace `{{cwd}}` in every string of a JSON value. */
export function fillPlaceholders(value: unknown, cwd: string): unknown {
  if (typeof value === "string") return value.replaceAll("{{cwd}}", cwd);
  if (Array.isArray(value)) return value.map((item) => fillPlaceholders(item, cwd));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, fillPlaceholders(item, cwd)]),
    );
  }
  return value;
}
