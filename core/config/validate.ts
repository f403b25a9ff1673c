/** Turn a zod failure into one bad-input line: file, key path and rule. */
import type { z } from "zod";
import { BadInputError } from "../errors.ts";

/** The key path and the broken rule of one zod issue, in words for the user. */
export function describeIssue(issue: z.core.$ZodIssue): { path: string; rule: string } {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return { path: [...path, issue.keys[0] ?? ""].join("."), rule: "unknown key" };
  }
  const where = path.join(".") || "(top level)";
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined")) {
    return { path: where, rule: `required (expected ${issue.expected})` };
  }
  return { path: where, rule: issue.message.replace(/^Invalid input: /, "") };
}

/** Parse `data` with `schema` or throw a BadInputError naming the file, key path and rule. */
export function parseOrBadInput<T>(schema: z.ZodType<T>, data: unknown, file: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const { path, rule } = describeIssue(result.error.issues[0]!);
  throw new BadInputError(`${file}: ${path}: ${rule}`);
}
