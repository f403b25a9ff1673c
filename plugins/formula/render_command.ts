/**
 * `disinto formula render`: the formula, the `--var` values and, when the
 * factory has one, the project (its variables and checkouts for context files).
 */
import { BadInputError } from "../../core/errors.ts";
import { loadProjectFile, type Project, resolveProjectFile } from "../../core/config/project.ts";
import { formulaPrompt } from "../../core/formula/mod.ts";
import type { CommandHost } from "../../core/plugin.ts";
import { fileLabel } from "./labels.ts";

/** `name=value` pairs from repeated `--var`; a malformed one is bad input. */
export function parseVarFlags(flags: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(flag);
    if (!match) throw new BadInputError(`--var "${flag}": expected name=value`);
    vars[match[1]!] = match[2]!;
  }
  return vars;
}

export interface RenderCommandResult {
  name: string;
  file: string;
  project: string | null;
  prompt: string;
}

export async function renderCommand(
  host: CommandHost,
  nameOrPath: string,
  varFlags: readonly string[],
): Promise<RenderCommandResult> {
  const vars = parseVarFlags(varFlags);
  const root = host.root();
  const { cwd, env } = host.context;
  const project = await selectedProject(host, root);
  const { formula, file, prompt } = await formulaPrompt({
    root,
    formula: nameOrPath,
    cwd,
    vars,
    project,
    env,
    label: fileLabel(cwd),
  });
  return { name: formula.name, file, project: project?.name ?? null, prompt };
}

/** The project given by --project or PROJECT_NAME, or the only one; null when there is none. */
async function selectedProject(host: CommandHost, root: string): Promise<Project | null> {
  const file = await resolveProjectFile(root, host.globals().project, host.context.env);
  if (file === null) return null;
  const settings = (host.plugins?.() ?? []).flatMap((plugin) => plugin.settings ?? []);
  return await loadProjectFile(file, settings);
}
