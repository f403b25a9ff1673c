/**
 * The parts of an Anthropic Messages request the emulator reads. Checked
 * loosely on purpose: Claude CLI sends many fields (thinking, context
 * management, cache control, even `system` role messages) that change nothing
 * here, so only what the answer depends on is required.
 */
import { z } from "zod";
import { describeIssue } from "../../../core/config/validate.ts";

const blockSchema = z.looseObject({ type: z.string() });
const contentSchema = z.union([z.string(), z.array(blockSchema)]);

const baseSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: contentSchema })).min(1),
  system: contentSchema.optional(),
  tools: z.array(z.unknown()).optional(),
});

export const messagesRequestSchema = baseSchema.extend({
  max_tokens: z.number().int().positive(),
  stream: z.boolean().optional(),
});
export const countTokensRequestSchema = baseSchema;

export type MessagesRequest = z.output<typeof messagesRequestSchema>;
export type CountTokensRequest = z.output<typeof countTokensRequestSchema>;
export type RequestContent = z.output<typeof contentSchema>;

/** The request, or the message of an invalid_request_error ("max_tokens: required …"). */
export function checkRequest<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; request: T } | { ok: false; message: string } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, request: result.data };
  const { path, rule } = describeIssue(result.error.issues[0]!);
  return { ok: false, message: `${path}: ${rule}` };
}

/** The text of a content value: the string, or its text blocks joined. */
export function textOf(content: RequestContent | undefined): string {
  if (content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((block) => typeof block.text === "string" ? block.text : "").join("\n");
}

/** Everything the request says in words (system and every message), for finding facts in. */
export function allTextOf(request: CountTokensRequest): string {
  return [textOf(request.system), ...request.messages.map((m) => textOf(m.content))].join("\n");
}

/** A rough token count: four characters a token, at least one. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}
