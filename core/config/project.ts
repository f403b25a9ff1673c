/**
 * The project TOML (SPEC §6.4): core keys validated here, each plugin's
 * table validated by the schema the plugin declares. Unknown keys are errors.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import { parse, TomlError } from "smol-toml";
import { z } from "zod";
import { BadInputError } from "../errors.ts";
import type { PluginSettings } from "../plugin.ts";
import { parseOrBadInput } from "./validate.ts";

/** `owner/repo`, each part of `[A-Za-z0-9._-]`. */
export const SLUG = /^[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+$/;

export const slugSchema = z.string().regex(SLUG, 'expected "owner/repo" of [A-Za-z0-9._-]');
export const httpUrlSchema = z.string().regex(/^https?:\/\/[^\s/]+/, "expected an http(s) URL");

export const coreProjectSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "expected a name of [A-Za-z0-9._-]"),
  repo: slugSchema,
  ops_repo: slugSchema.optional(),
  forge_url: httpUrlSchema,
  repo_root: z.string().min(1).optional(),
  primary_branch: z.string().min(1).default("main"),
});

export type CoreProject = z.infer<typeof coreProjectSchema>;

/** A loaded project: core keys, each plugin table (validated), and where it came from. */
export interface Project extends CoreProject {
  /** The TOML file it was read from. */
  file: string;
  /** Plugin tables by top-level key, already validated by the plugin's schema. */
  tables: Record<string, unknown>;
}

/** The schema of the whole file: core keys plus every plugin table. */
export function projectSchema(settings: readonly PluginSettings[]) {
  const shape: Record<string, z.ZodType> = { ...coreProjectSchema.shape };
  for (const setting of settings) shape[setting.table] = setting.schema.optional();
  return z.strictObject(shape);
}

/** Parse TOML text or throw a bad-input error naming the file and the line. */
export function parseTomlFile(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      const first = error.message.split("\n")[0] ?? "invalid TOML";
      throw new BadInputError(`${file}: line ${error.line}: invalid TOML (${first})`);
    }
    throw error;
  }
}

/** Validate a project document (already parsed) from `file`. */
export function validateProject(
  data: unknown,
  file: string,
  settings: readonly PluginSettings[],
): Project {
  const parsed = parseOrBadInput(projectSchema(settings), data, file) as Record<string, unknown>;
  const tables: Record<string, unknown> = {};
  for (const setting of settings) {
    if (parsed[setting.table] !== undefined) tables[setting.table] = parsed[setting.table];
  }
  const core = coreProjectSchema.parse(
    Object.fromEntries(
      Object.keys(coreProjectSchema.shape).flatMap((key) =>
        parsed[key] === undefined ? [] : [[key, parsed[key]]]
      ),
    ),
  );
  return { ...core, file, tables };
}

/** Read and validate one project file. */
export async function loadProjectFile(
  file: string,
  settings: readonly PluginSettings[],
): Promise<Project> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new BadInputError(`${file}: cannot read project file (${code})`);
  }
  return validateProject(parseTomlFile(text, file), file, settings);
}

/** The project files of a factory root: `projects/*.toml`, sorted. */
export async function listProjectFiles(root: string): Promise<string[]> {
  try {
    const names = await readdir(join(root, "projects"));
    return names.filter((name) => name.endsWith(".toml")).sort().map((name) =>
      join(root, "projects", name)
    );
  } catch {
    return [];
  }
}

/**
 * Which project file a command means: `--project NAME|PATH`, else
 * PROJECT_NAME, else the only file in projects/. Null when there is none.
 */
export async function resolveProjectFile(
  root: string,
  selector: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | null> {
  const wanted = selector ?? env.PROJECT_NAME;
  if (wanted) {
    if (wanted.includes("/") || wanted.endsWith(".toml")) {
      return isAbsolute(wanted) ? wanted : resolve(root, wanted);
    }
    return join(root, "projects", `${wanted}.toml`);
  }
  const files = await listProjectFiles(root);
  if (files.length === 1) return files[0]!;
  if (files.length === 0) return null;
  const names = files.map((file) => basename(file, ".toml")).join(", ");
  throw new BadInputError(`--project: several projects (${names}); expected one of them`);
}
