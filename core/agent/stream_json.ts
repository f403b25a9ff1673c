/**
 * The events of `claude -p … --output-format stream-json --verbose`: one JSON
 * object per line. Parsed leniently: fields we do not use pass through, an
 * unknown type becomes `{ type: "other" }`, and a line that is not a JSON
 * object gives null — a run's log must never stop the run.
 */
import { z } from "zod";

const TextBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const ToolUseBlock = z.looseObject({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const ToolResultBlock = z.looseObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.unknown().optional(),
  is_error: z.boolean().optional(),
});
/** Any other block (thinking, images…) keeps its type name only. */
const OtherBlock = z.looseObject({ type: z.string() });
const ContentBlock = z.union([TextBlock, ToolUseBlock, ToolResultBlock, OtherBlock]);

const Usage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
});

const SystemEvent = z.looseObject({
  type: z.literal("system"),
  subtype: z.string(),
  session_id: z.string().optional(),
  model: z.string().optional(),
});

const AssistantEvent = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({ content: z.array(ContentBlock).catch([]) }),
  session_id: z.string().optional(),
});

const UserEvent = z.looseObject({
  type: z.literal("user"),
  // A user message's content is a string or a list of blocks (tool results).
  message: z.looseObject({ content: z.union([z.string(), z.array(ContentBlock)]).catch([]) }),
  session_id: z.string().optional(),
});

const ResultEvent = z.looseObject({
  type: z.literal("result"),
  /** "success", "error_max_turns", "error_during_execution"… */
  subtype: z.string(),
  is_error: z.boolean().catch(true),
  /** The final text; absent on the error subtypes. */
  result: z.string().optional(),
  session_id: z.string().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
  usage: Usage.optional(),
});

export type ContentBlock = z.infer<typeof ContentBlock>;
export type SystemEvent = z.infer<typeof SystemEvent>;
export type AssistantEvent = z.infer<typeof AssistantEvent>;
export type UserEvent = z.infer<typeof UserEvent>;
export type ResultEvent = z.infer<typeof ResultEvent>;
/** An event of a type this parser does not model; `raw` is the whole object. */
export interface OtherEvent {
  type: "other";
  raw: Record<string, unknown>;
}
export type StreamEvent = SystemEvent | AssistantEvent | UserEvent | ResultEvent | OtherEvent;

const KNOWN = {
  system: SystemEvent,
  assistant: AssistantEvent,
  user: UserEvent,
  result: ResultEvent,
} as const;

/** Parse one line of the stream; null when it is not a JSON object (garbage, a blank line). */
export function parseStreamLine(line: string): StreamEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const schema = typeof raw.type === "string" && Object.hasOwn(KNOWN, raw.type)
    ? KNOWN[raw.type as keyof typeof KNOWN]
    : undefined;
  const parsed = schema?.safeParse(raw);
  return parsed?.success ? parsed.data : { type: "other", raw };
}

/** The run succeeded: decided by the final result event, never by the exit code. */
export function resultSucceeded(result: ResultEvent): boolean {
  return result.subtype === "success" && !result.is_error;
}

/** The session id an event carries, if any (system init, messages and the result all do). */
export function sessionIdOf(event: StreamEvent): string | null {
  return event.type !== "other" && typeof event.session_id === "string" ? event.session_id : null;
}

/** The text blocks of an assistant message, joined (for chat replies and progress lines). */
export function assistantText(event: AssistantEvent): string {
  return event.message.content
    .filter((block): block is z.infer<typeof TextBlock> =>
      block.type === "text" && typeof (block as { text?: unknown }).text === "string"
    )
    .map((block) => block.text)
    .join("");
}
