/**
 * The model emulator's script: which conversations it can hold and, for each,
 * the assistant turns it answers with (docs/model-emulator.md). Written in
 * TOML (or JSON); validated here so a bad script is one line naming the key.
 */
import { z } from "zod";
import { parseTomlFile } from "../../../core/config/project.ts";
import { parseOrBadInput } from "../../../core/config/validate.ts";
import { BadInputError } from "../../../core/errors.ts";

const tokens = z.number().int().min(0);

const toolUseSchema = z.strictObject({
  /** The tool's name as the client offers it, e.g. "Write", "Edit", "Bash". */
  name: z.string().min(1),
  /** The tool's input; strings may hold `{{cwd}}`. */
  input: z.record(z.string(), z.unknown()).default({}),
});

const turnSchema = z.strictObject({
  text: z.string().min(1).optional(),
  tool_use: z.array(toolUseSchema).default([]),
  /** Overrides the estimated token counts reported for this turn. */
  usage: z.strictObject({ input_tokens: tokens.optional(), output_tokens: tokens.optional() })
    .optional(),
}).refine((turn) => turn.text !== undefined || turn.tool_use.length > 0, {
  message: "a turn needs text or tool_use",
});

const conversationSchema = z.strictObject({
  name: z.string().min(1).optional(),
  /** A substring of the system prompt + first user message; absent matches every request. */
  match: z.string().min(1).optional(),
  turns: z.array(turnSchema).min(1),
  /** The answer once every turn has been given. */
  final_text: z.string().min(1).default("Done."),
});

export const modelScriptSchema = z.strictObject({
  /** Listed by GET /v1/models; requests may name any model. */
  models: z.array(z.string().min(1)).min(1).default(["claude-test"]),
  /** When set, requests must carry it (x-api-key or a Bearer token). */
  api_key: z.string().min(1).optional(),
  conversations: z.array(conversationSchema).min(1),
});

/** A validated script, defaults filled in. */
export type ModelScript = z.output<typeof modelScriptSchema>;
/** A script as written (defaults may be left out). */
export type ModelScriptInput = z.input<typeof modelScriptSchema>;
export type ScriptConversation = ModelScript["conversations"][number];
export type ScriptTurn = ScriptConversation["turns"][number];
export type ScriptToolUse = ScriptTurn["tool_use"][number];

/** Validate a script given as an object; `source` names it in errors. */
export function validateModelScript(data: unknown, source = "script"): ModelScript {
  return parseOrBadInput(modelScriptSchema, data, source);
}

/**
 * Parse a script from text: JSON when it starts with `{`, TOML otherwise.
 * Throws a BadInputError naming `file` and the key path.
 */
export function parseModelScript(text: string, file: string): ModelScript {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith("{")) return validateModelScript(parseTomlFile(text, file), file);
  let data: unknown;
  try {
    data = JSON.parse(trimmed);
  } catch (error) {
    throw new BadInputError(`${file}: invalid JSON (${(error as Error).message})`);
  }
  return validateModelScript(data, file);
}
