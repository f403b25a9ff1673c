/**
 * Build the compose document by reducing over the plugins' compose hooks, in
 * the order given (the registry order in the binary; tests reverse it), then
 * serialise it. Output is independent of that order: services and volumes are
 * written sorted, and every value is resolved or a `${VAR}` by construction.
 */
import { join } from "node:path";
import { readEnvFile } from "../config/env_file.ts";
import {
  listProjectFiles,
  loadProjectFile,
  parseTomlFile,
  type Project,
  validateProject,
} from "../config/project.ts";
import { BadInputError } from "../errors.ts";
import type { Plugin } from "../plugin.ts";
import { assertChatIsolation, resolveClaudePaths } from "./claude.ts";
import type { ComposeDocument } from "./model.ts";
import { serializeCompose } from "./serialize.ts";

type Env = Readonly<Record<string, string | undefined>>;

export const COMPOSE_FILE = "docker-compose.yml";

export interface ComposeInput {
  root: string;
  projects: readonly Project[];
  /** The generation environment: `.env` overlaid by the process environment. */
  env: Env;
}

/**
 * Read every project of the factory and the generation environment.
 * `projectOverrides` (file → text) stands in for files about to be written,
 * so a command can check the result before it writes anything.
 */
export async function loadComposeInput(
  root: string,
  processEnv: Env,
  plugins: readonly Plugin[],
  options: { projectOverrides?: ReadonlyMap<string, string> } = {},
): Promise<ComposeInput> {
  const settings = plugins.flatMap((plugin) => plugin.settings ?? []);
  const overrides = options.projectOverrides ?? new Map<string, string>();
  const files = [...new Set([...await listProjectFiles(root), ...overrides.keys()])].sort();
  if (files.length === 0) {
    throw new BadInputError(
      `${join(root, "projects")}: no project TOML; expected at least one (run disinto init)`,
    );
  }
  const projects: Project[] = [];
  for (const file of files) {
    const text = overrides.get(file);
    projects.push(
      text === undefined
        ? await loadProjectFile(file, settings)
        : validateProject(parseTomlFile(text, file), file, settings),
    );
  }
  const dotenv = await readEnvFile(join(root, ".env"));
  const env: Record<string, string | undefined> = Object.fromEntries(dotenv);
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) env[key] = value;
  return { root, projects, env };
}

/** The compose project name: `disinto-<project>` for one project, else `disinto`. */
function stackName(projects: readonly Project[]): string {
  if (projects.length !== 1) return "disinto";
  const name = projects[0]!.name.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
  return `disinto-${name}`;
}

/** Reduce over the plugins' compose hooks into one document. */
export async function buildComposeDocument(
  input: ComposeInput,
  plugins: readonly Plugin[],
): Promise<ComposeDocument> {
  const document: ComposeDocument = { name: stackName(input.projects), services: {}, volumes: {} };
  const serviceOwner = new Map<string, string>();
  for (const plugin of plugins) {
    const hook = plugin.hooks?.composeServices;
    if (!hook) continue;
    const contribution = await hook({ ...input, document });
    for (const [name, service] of Object.entries(contribution.services ?? {})) {
      const owner = serviceOwner.get(name);
      if (owner !== undefined) {
        throw new BadInputError(
          `compose service "${name}": contributed by both ${owner} and ${plugin.name}; ` +
            `expected unique service names`,
        );
      }
      serviceOwner.set(name, plugin.name);
      document.services[name] = service;
    }
    for (const [name, volume] of Object.entries(contribution.volumes ?? {})) {
      const existing = document.volumes![name];
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(volume)) {
        throw new BadInputError(
          `compose volume "${name}": declared twice with different settings by ${plugin.name}`,
        );
      }
      document.volumes![name] = volume;
    }
  }
  assertChatIsolation(document.services, resolveClaudePaths(input.env));
  return document;
}

/** Build and serialise: the YAML text of the factory's compose file. */
export async function renderComposeFile(
  input: ComposeInput,
  plugins: readonly Plugin[],
): Promise<string> {
  return serializeCompose(await buildComposeDocument(input, plugins));
}
