/**
 * Where formulas come from: the built-ins, then `<root>/formulas/*.toml`,
 * where a file adds a formula or replaces the built-in of the same name.
 * A listed formula's `name` must match its file name; a formula given by path
 * (`validate ./draft.toml`) is read as it is.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import { BadInputError } from "../errors.ts";
import { BUILTIN_FORMULAS } from "./builtin.ts";
import { parseFormula } from "./parse.ts";
import type { Formula } from "./schema.ts";

export type FormulaOrigin = "built-in" | "factory" | "path";

export interface FormulaSource {
  /** The name it is listed under; null for a file given by path. */
  name: string | null;
  /** How messages name it: `built-in:dev.toml` or a path. */
  file: string;
  text: string;
  origin: FormulaOrigin;
  /** A factory formula that replaces the built-in of the same name. */
  overrides: boolean;
}

export interface LoadedFormula {
  source: FormulaSource;
  formula: Formula;
}

export interface CatalogueOptions {
  /** How a file path is shown in messages (default: as is). */
  label?: (path: string) => string;
}

/** Every listed formula source, sorted by name; factory files win over built-ins. */
export async function formulaSources(
  root: string,
  options: CatalogueOptions = {},
): Promise<FormulaSource[]> {
  const byName = new Map<string, FormulaSource>();
  for (const builtin of BUILTIN_FORMULAS) {
    byName.set(builtin.name, { ...builtin, origin: "built-in", overrides: false });
  }
  const dir = join(root, "formulas");
  for (const entry of await tomlFiles(dir)) {
    const path = join(dir, entry);
    const name = basename(entry, ".toml");
    byName.set(name, {
      name,
      file: (options.label ?? String)(path),
      text: await readText(path, (options.label ?? String)(path)),
      origin: "factory",
      overrides: byName.get(name)?.origin === "built-in",
    });
  }
  return [...byName.values()].sort((a, b) => a.name!.localeCompare(b.name!));
}

/** A formula by name (listed) or by path (contains `/` or ends in `.toml`, relative to `cwd`). */
export async function findFormulaSource(
  root: string,
  nameOrPath: string,
  cwd: string,
  options: CatalogueOptions = {},
): Promise<FormulaSource> {
  if (nameOrPath.includes("/") || nameOrPath.endsWith(".toml")) {
    const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(cwd, nameOrPath);
    const file = (options.label ?? String)(path);
    return { name: null, file, text: await readText(path, file), origin: "path", overrides: false };
  }
  const sources = await formulaSources(root, options);
  const found = sources.find((source) => source.name === nameOrPath);
  if (found) return found;
  const names = sources.map((source) => source.name).join(", ");
  throw new BadInputError(`formula "${nameOrPath}": unknown formula; expected one of ${names}`);
}

/** Parse and validate a source; a listed formula's `name` must match the name it is listed under. */
export function loadFormula(source: FormulaSource): LoadedFormula {
  const formula = parseFormula(source.text, source.file);
  if (source.name !== null && formula.name !== source.name) {
    throw new BadInputError(
      `${source.file}: name: "${formula.name}" must match the file name "${source.name}"`,
    );
  }
  return { source, formula };
}

async function tomlFiles(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isFile() && entry.name.endsWith(".toml"))
      .map((entry) => entry.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

async function readText(path: string, file: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new BadInputError(`${file}: cannot read formula file (${code})`);
  }
}
