/**
 * The formula file format (SPEC §12), as a zod schema. Unknown keys are
 * errors; the rules that span several keys (step ids, needs, variables) are
 * checked afterwards by check.ts.
 */
import { z } from "zod";

/** Formula names and step ids: lower-case words joined by dashes. */
export const FORMULA_NAME = /^[a-z0-9][a-z0-9-]*$/;
export const STEP_ID = /^[a-z0-9][a-z0-9_-]*$/;
/** Variable names, as written inside `{{…}}`. */
export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const formulaVarSchema = z.strictObject({
  description: z.string().min(1, "expected a non-empty description"),
  required: z.boolean().default(false),
  default: z.string().optional(),
});

export const formulaStepSchema = z.strictObject({
  id: z.string().regex(STEP_ID, "expected a step id of [a-z0-9_-]"),
  title: z.string().min(1, "expected a non-empty title"),
  description: z.string().min(1, "expected non-empty instructions"),
  needs: z.array(z.string()).default([]),
});

export const formulaContextSchema = z.strictObject({
  /** Paths relative to the repo root; `ops:` for the ops repo; a trailing `?` marks optional. */
  files: z.array(z.string().min(1, "expected a non-empty path")).default([]),
});

export const formulaSchema = z.strictObject({
  name: z.string().regex(FORMULA_NAME, "expected a name of [a-z0-9-]"),
  description: z.string().min(1, "expected a non-empty description"),
  version: z.int().positive("expected a positive integer"),
  /** The model the agent should use, when the formula needs a particular one. */
  model: z.string().min(1).optional(),
  /** Hard timeout of one agent run with this formula, in seconds. */
  timeout: z.int().positive("expected a positive number of seconds").optional(),
  vars: z.record(
    z.string().regex(VAR_NAME, "expected a variable name of [A-Za-z0-9_]"),
    formulaVarSchema,
  )
    .default({}),
  context: formulaContextSchema.default({ files: [] }),
  steps: z.array(formulaStepSchema).min(1, "expected at least one [[steps]]"),
});

export type Formula = z.infer<typeof formulaSchema>;
export type FormulaStep = z.infer<typeof formulaStepSchema>;
export type FormulaVar = z.infer<typeof formulaVarSchema>;
