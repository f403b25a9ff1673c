/**
 * One call for whoever runs agents: find a formula (factory override or
 * built-in), validate it and render its prompt for a project.
 */
import type { Project } from "../config/project.ts";
import { type CatalogueOptions, findFormulaSource, loadFormula } from "./catalogue.ts";
import { contextRoots, projectVariables } from "./project_vars.ts";
import { renderFormula } from "./render.ts";
import type { Formula } from "./schema.ts";

export interface PromptRequest extends CatalogueOptions {
  /** The factory root (its `formulas/` overrides the built-ins). */
  root: string;
  /** A formula name, or a path (relative to `cwd`). */
  formula: string;
  cwd: string;
  /** Explicit values (`--var`, or the agents loop's `issue`/`pr`). */
  vars?: Readonly<Record<string, string>>;
  /** The project: its variables and, unless given below, its checkouts. */
  project?: Project | null;
  env?: Readonly<Record<string, string | undefined>>;
  /** Where context files are read from instead of the project's checkouts (e.g. a worktree). */
  repoRoot?: string;
  opsRoot?: string;
}

export interface Prompt {
  formula: Formula;
  file: string;
  prompt: string;
}

export async function formulaPrompt(request: PromptRequest): Promise<Prompt> {
  const { project, root } = request;
  const source = await findFormulaSource(root, request.formula, request.cwd, request);
  const { formula } = loadFormula(source);
  const roots = project ? contextRoots(project, root, request.env ?? {}) : {};
  const repoRoot = request.repoRoot ?? roots.repoRoot;
  const opsRoot = request.opsRoot ?? roots.opsRoot;
  const prompt = await renderFormula(formula, source.file, {
    vars: request.vars ?? {},
    ...(project ? { projectVars: projectVariables(project) } : {}),
    ...(repoRoot === undefined ? {} : { repoRoot }),
    ...(opsRoot === undefined ? {} : { opsRoot }),
  });
  return { formula, file: source.file, prompt };
}
