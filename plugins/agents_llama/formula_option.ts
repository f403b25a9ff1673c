/**
 * `hire-an-agent --formula NAME|PATH` (SPEC §3): the workflow the agent runs
 * for its role. The formula is found and validated with core/formula (a bad
 * one is exit 2 naming the file and the rule, before anything is written) and
 * recorded as `formula` on the agent's `[agents.<section>]` table: a listed
 * formula by name, a file by its path relative to the factory root (absolute
 * when it lies outside), so the record still resolves from the root.
 */
import { isAbsolute, relative, resolve } from "node:path";
import { BadInputError } from "../../core/errors.ts";
import { findFormulaSource, loadFormula } from "../../core/formula/catalogue.ts";

/** The value to record for `--formula value`, or a BadInputError naming the flag. */
export async function agentFormula(value: string, root: string, cwd: string): Promise<string> {
  try {
    const source = await findFormulaSource(root, value, cwd);
    loadFormula(source);
    if (source.origin !== "path") return value;
  } catch (error) {
    if (error instanceof BadInputError) throw new BadInputError(`--formula: ${error.message}`);
    throw error;
  }
  const path = resolve(cwd, value);
  const inRoot = relative(root, path);
  return inRoot.startsWith("..") || isAbsolute(inRoot) ? path : inRoot;
}
