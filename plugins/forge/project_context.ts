/**
 * What the `status` and `issue` commands need about a factory: its projects
 * (validated), `.env`, the forge URL and the acting identity's token, with
 * the precedence of SPEC §4: flag, process environment, `.env`, project TOML.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { readEnvFile } from "../../core/config/env_file.ts";
import {
  listProjectFiles,
  loadProjectFile,
  type Project,
  resolveProjectFile,
} from "../../core/config/project.ts";
import { BadInputError } from "../../core/errors.ts";
import { acquireLock, LockTimeoutError } from "../../core/lock/flock_lock.ts";
import { pidLockHolder } from "../../core/lock/pid_lock.ts";
import type { CommandHost } from "../../core/plugin.ts";
import { tokenKeyFor } from "./identities.ts";
import { parseForgeUrl } from "./repo_arg.ts";

export interface Factory {
  root: string;
  dotenv: Map<string, string>;
  setting(key: string): string | undefined;
}

export async function openFactory(host: CommandHost): Promise<Factory> {
  const root = host.root();
  const dotenv = await readEnvFile(join(root, ".env"));
  const env = host.context.env;
  for (const [key, value] of dotenv) if (/TOKEN|PASS/.test(key)) host.redactor.add(value);
  return { root, dotenv, setting: (key) => env[key] ?? dotenv.get(key) };
}

function settingsOf(host: CommandHost) {
  return (host.plugins?.() ?? []).flatMap((plugin) => plugin.settings ?? []);
}

/** The one project a command acts on (--project, PROJECT_NAME, or the only one). */
export async function loadProject(host: CommandHost, factory: Factory): Promise<Project> {
  const file = await resolveProjectFile(factory.root, host.globals().project, host.context.env);
  if (file === null) {
    throw new BadInputError(
      `--project: no project in ${join(factory.root, "projects")}; expected one (run disinto init)`,
    );
  }
  return await loadProjectFile(file, settingsOf(host));
}

/** Every project of the factory, or the selected one. */
export async function loadProjects(host: CommandHost, factory: Factory): Promise<Project[]> {
  if (host.globals().project || host.context.env.PROJECT_NAME) {
    return [await loadProject(host, factory)];
  }
  const files = await listProjectFiles(factory.root);
  const projects: Project[] = [];
  for (const file of files) projects.push(await loadProjectFile(file, settingsOf(host)));
  return projects;
}

export function forgeUrlOf(factory: Factory, project: Project): string {
  const fromEnv = factory.setting("FORGE_URL");
  return parseForgeUrl(fromEnv ?? project.forge_url, fromEnv ? "FORGE_URL" : project.file);
}

/** The token to act with: `--as <user>` picks it from the identity table keys. */
export function actingToken(factory: Factory, as: string | undefined): string {
  const key = as ? tokenKeyFor(as) : "FORGE_TOKEN";
  const token = factory.setting(key);
  if (!token) {
    throw new BadInputError(
      `${
        as ? `--as ${as}` : "FORGE_TOKEN"
      }: ${key} is not set; expected it in the environment or .env`,
    );
  }
  return token;
}

export interface HeldLock {
  /** Relative to the factory root. */
  file: string;
  /** The holder of a PID lock; null for an flock held by some process. */
  pid: number | null;
}

/** Whether some process holds an flock on `path` (probed without waiting). */
async function flockHeld(path: string): Promise<boolean> {
  try {
    const handle = await acquireLock(path, { timeoutSeconds: 0 });
    handle.release();
    return false;
  } catch (error) {
    return error instanceof LockTimeoutError;
  }
}

/**
 * Held locks under state/, one directory level deep: `*.pid` / `*.lock` files
 * naming a live PID, and `*.lock` files someone holds an flock on.
 */
export async function liveLocks(root: string): Promise<HeldLock[]> {
  const out: HeldLock[] = [];
  const visit = async (dir: string, depth: number) => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && depth > 0) await visit(path, depth - 1);
      else if (entry.isFile() && /\.(pid|lock)$/.test(entry.name)) {
        const file = path.slice(root.length + 1);
        const pid = await pidLockHolder(path).catch(() => null);
        if (pid !== null) out.push({ file, pid });
        else if (entry.name.endsWith(".lock") && await flockHeld(path)) {
          out.push({ file, pid: null });
        }
      }
    }
  };
  await visit(join(root, "state"), 1);
  return out;
}
