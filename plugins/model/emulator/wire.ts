/**
 * A scripted reply in the Anthropic Messages wire format: one JSON message, or
 * the server-sent events of a stream (message_start, ping, per block
 * content_block_start / _delta… / _stop, message_delta, message_stop), the
 * order Anthropic's streaming docs give and llama-server follows.
 */
import type { ReplyBlock, ScriptedReply } from "./reply.ts";

/** Deltas carry at most this many characters, so clients see a real stream. */
const DELTA_CHARS = 48;

export function messageJson(reply: ScriptedReply, id: string, model: string) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: reply.content,
    stop_reason: reply.stop_reason,
    stop_sequence: null,
    usage: reply.usage,
  };
}

export function sseEvents(reply: ScriptedReply, id: string, model: string): string {
  const events: string[] = [];
  const send = (data: { type: string; [key: string]: unknown }) =>
    events.push(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`);
  send({
    type: "message_start",
    message: {
      ...messageJson(reply, id, model),
      content: [],
      stop_reason: null,
      usage: { input_tokens: reply.usage.input_tokens, output_tokens: 1 },
    },
  });
  send({ type: "ping" });
  reply.content.forEach((block, index) => {
    send({ type: "content_block_start", index, content_block: emptyOf(block) });
    for (const delta of deltasOf(block)) {
      send({ type: "content_block_delta", index, delta });
    }
    send({ type: "content_block_stop", index });
  });
  send({
    type: "message_delta",
    delta: { stop_reason: reply.stop_reason, stop_sequence: null },
    usage: { output_tokens: reply.usage.output_tokens },
  });
  send({ type: "message_stop" });
  return events.join("");
}

function emptyOf(block: ReplyBlock) {
  return block.type === "text" ? { type: "text", text: "" } : { ...block, input: {} };
}

function deltasOf(block: ReplyBlock) {
  return block.type === "text"
    ? chunks(block.text).map((text) => ({ type: "text_delta", text }))
    : chunks(JSON.stringify(block.input)).map((partial_json) => ({
      type: "input_json_delta",
      partial_json,
    }));
}

function chunks(text: string): string[] {
  const chars = Array.from(text);
  const parts: string[] = [];
  for (let at = 0; at < chars.length; at += DELTA_CHARS) {
    parts.push(chars.slice(at, at + DELTA_CHARS).join(""));
  }
  return parts.length > 0 ? parts : [""];
}
