/**
 * Render a formula into the exact prompt an agent receives: the description,
 * the context files inlined, then the steps in order, with every `{{var}}`
 * replaced. Context files are read as they are (no substitution inside them).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BadInputError } from "../errors.ts";
import { type ContextPath, parseContextPath } from "./context_path.ts";
import type { Formula } from "./schema.ts";
import { fillTemplate, parseTemplate } from "./template.ts";

export interface RenderOptions {
  /** Values given explicitly (`--var k=v`, or by the agents loop); each must be declared. */
  vars?: Readonly<Record<string, string>>;
  /** Values from the project (repo, forge_url, …), used for declared variables not given. */
  projectVars?: Readonly<Record<string, string>>;
  /** Where `path` context files are read from (the project's repo checkout). */
  repoRoot?: string | undefined;
  /** Where `ops:path` context files are read from (the ops repo checkout). */
  opsRoot?: string | undefined;
  /** Reads a file as text; null when it does not exist (default: node:fs). */
  readText?: (path: string) => Promise<string | null>;
}

/**
 * The value of every declared variable: given, else from the project, else
 * its default. An undeclared given variable, or a required one with no value,
 * is a bad-input error naming the formula file.
 */
export function resolveVars(
  formula: Formula,
  file: string,
  options: Pick<RenderOptions, "vars" | "projectVars"> = {},
): Record<string, string> {
  const given = options.vars ?? {};
  const declared = Object.keys(formula.vars);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(formula.vars, name)) {
      const expected = declared.length ? `expected one of ${declared.join(", ")}` : "it has none";
      throw new BadInputError(
        `--var ${name}: formula "${formula.name}" (${file}) has no variable "${name}"; ${expected}`,
      );
    }
  }
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(formula.vars)) {
    const value = own(given, name) ?? own(options.projectVars ?? {}, name) ?? spec.default;
    if (value === undefined) {
      if (spec.required) {
        throw new BadInputError(
          `${file}: variable "${name}" is required (pass --var ${name}=…: ${spec.description})`,
        );
      }
      values[name] = "";
    } else values[name] = value;
  }
  return values;
}

/** The prompt for `formula` (read from `file`), ending with one newline. */
export async function renderFormula(
  formula: Formula,
  file: string,
  options: RenderOptions = {},
): Promise<string> {
  const values = resolveVars(formula, file, options);
  const fill = (text: string) => {
    const parsed = parseTemplate(text);
    // check.ts has refused malformed placeholders before a formula gets here.
    if (!parsed.ok) throw new BadInputError(`${file}: malformed placeholder "${parsed.snippet}"`);
    return fillTemplate(parsed.parts, values);
  };
  const out: string[] = [`# ${formula.name} (formula version ${formula.version})`, ""];
  out.push(fill(formula.description).trim(), "");
  const context = await readContext(formula, file, options);
  if (context.length > 0) {
    out.push("## Context", "");
    for (const { entry, text } of context) {
      const fence = fenceFor(text);
      out.push(`### ${entry}`, "", fence, text.replace(/\n$/, ""), fence, "");
    }
  }
  out.push(
    "## Steps",
    "",
    "Do these steps in order; each starts when the steps it needs are done.",
    "",
  );
  formula.steps.forEach((step, index) => {
    out.push(`### ${index + 1}. ${step.id}: ${fill(step.title).trim()}`, "");
    if (step.needs.length > 0) out.push(`Needs: ${step.needs.join(", ")}.`, "");
    out.push(fill(step.description).trim(), "");
  });
  return out.join("\n").replace(/\n+$/, "\n");
}

async function readContext(
  formula: Formula,
  file: string,
  options: RenderOptions,
): Promise<{ entry: string; text: string }[]> {
  const read = options.readText ?? readTextOrNull;
  const files: { entry: string; text: string }[] = [];
  for (const entry of formula.context.files) {
    const parsed = parseContextPath(entry);
    if ("rule" in parsed) throw new BadInputError(`${file}: context.files: ${parsed.rule}`);
    const root = parsed.repo === "ops" ? options.opsRoot : options.repoRoot;
    // An optional file is left out when there is no checkout to read it from.
    if (root === undefined && parsed.optional) continue;
    if (root === undefined) throw noCheckout(parsed, file);
    const text = await read(join(root, parsed.path));
    if (text === null) {
      if (parsed.optional) continue;
      throw new BadInputError(
        `${file}: context file "${entry}" not found (looked for ${join(root, parsed.path)})`,
      );
    }
    files.push({ entry: parsed.repo === "ops" ? `ops:${parsed.path}` : parsed.path, text });
  }
  return files;
}

function noCheckout(path: ContextPath, file: string): BadInputError {
  const needed = path.repo === "ops"
    ? "the ops repo checkout (a project with ops_repo and repo_root, or OPS_REPO_ROOT)"
    : "the project's repo checkout (--project with repo_root set)";
  return new BadInputError(`${file}: context file "${path.entry}" needs ${needed}`);
}

async function readTextOrNull(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new BadInputError(`${path}: cannot read context file (${code ?? "unreadable"})`);
  }
}

/** A code fence longer than any run of backticks in `text`. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function own(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
