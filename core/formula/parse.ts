/**
 * Read a formula from TOML text: parse, check the schema, then the rules
 * across keys. Every failure is one bad-input line naming the file, the step
 * when there is one, and the rule.
 */
import { parseTomlFile } from "../config/project.ts";
import { describeIssue } from "../config/validate.ts";
import { BadInputError } from "../errors.ts";
import { checkFormula } from "./check.ts";
import { type Formula, formulaSchema } from "./schema.ts";

/** Parse and validate one formula; `file` names it in errors. */
export function parseFormula(text: string, file: string): Formula {
  const data = parseTomlFile(text, file);
  const result = formulaSchema.safeParse(data);
  if (!result.success) throw new BadInputError(schemaMessage(result.error.issues[0]!, data, file));
  return checkFormula(result.data, file);
}

type Issue = Parameters<typeof describeIssue>[0];

/** `file: step "id": key: rule` for an issue inside `[[steps]]`, else `file: key.path: rule`. */
function schemaMessage(issue: Issue, data: Record<string, unknown>, file: string): string {
  const [top, index] = issue.path;
  if (issue.code === "invalid_key") {
    // A record key (a variable name) that breaks its pattern: zod nests the reason.
    return `${file}: ${issue.path.join(".")}: ${issue.issues[0]?.message ?? "invalid name"}`;
  }
  if (top !== "steps" || typeof index !== "number") {
    const { path, rule } = describeIssue(issue);
    return `${file}: ${path}: ${rule}`;
  }
  const step = (data.steps as unknown[])[index];
  const id = typeof step === "object" && step !== null &&
      typeof (step as { id?: unknown }).id === "string"
    ? `step "${(step as { id: string }).id}"`
    : `step ${index + 1}`;
  const inner = describeIssue({ ...issue, path: issue.path.slice(2) } as Issue);
  const where = issue.path.length > 2 || issue.code === "unrecognized_keys"
    ? `${inner.path}: `
    : "";
  return `${file}: ${id}: ${where}${inner.rule}`;
}
