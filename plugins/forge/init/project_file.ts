/**
 * Step 8 of init (the project side): `projects/<name>.toml` exists with
 * `name`, `repo`, `ops_repo`, `forge_url`, `primary_branch` (and `repo_root`
 * when given). An existing file is edited surgically: only top-level lines
 * whose value differs are replaced, everything else is kept byte for byte.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { stringify } from "smol-toml";
import { parseTomlFile } from "../../../core/config/project.ts";
import { withStateLock } from "../../../core/config/state_lock.ts";
import { writeFileAtomic } from "../../../core/fs/atomic_write.ts";
import type { StepStatus } from "../../../core/plugin.ts";

export type CoreKeys = Record<string, string>;

const HEADER = /^\s*\[/;

/** One `key = value` line, TOML-quoted. */
function keyLine(key: string, value: string): string {
  return stringify({ [key]: value }).trim();
}

/** The new text of the file, or the same text when every key already has its value. */
export function applyCoreKeys(text: string, keys: CoreKeys, file: string): string {
  const doc = text === "" ? {} : parseTomlFile(text, file);
  const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
  let topEnd = lines.findIndex((line) => HEADER.test(line));
  if (topEnd < 0) topEnd = lines.length;
  const missing: string[] = [];
  for (const [key, value] of Object.entries(keys)) {
    if (doc[key] === value) continue;
    const at = lines.findIndex((line, i) =>
      i < topEnd && new RegExp(`^\\s*${key}\\s*=`).test(line)
    );
    if (at >= 0) lines[at] = keyLine(key, value);
    else missing.push(keyLine(key, value));
  }
  if (missing.length === 0 && lines.join("\n") === text.replace(/\n$/, "")) return text;
  // New keys go at the end of the top-level block, before the first table.
  let insertAt = topEnd;
  while (insertAt > 0 && lines[insertAt - 1]!.trim() === "") insertAt--;
  lines.splice(insertAt, 0, ...missing);
  return lines.join("\n") + "\n";
}

/**
 * Write the core keys. A real run holds the config lock (core/config/state_lock.ts)
 * from the read to the write, so a concurrent hire-an-agent's table is kept.
 */
export function ensureProjectFile(
  file: string,
  keys: CoreKeys,
  options: { root: string; dryRun: boolean },
): Promise<StepStatus> {
  const apply = async (): Promise<StepStatus> => {
    const before = await readTextOrNull(file);
    const after = applyCoreKeys(before ?? "", keys, file);
    if (before !== null && after === before) return "unchanged";
    if (!options.dryRun) {
      await mkdir(dirname(file), { recursive: true });
      await writeFileAtomic(file, after, { mode: 0o644 });
    }
    return before === null ? "created" : "updated";
  };
  return options.dryRun ? apply() : withStateLock(options.root, "config", apply);
}

async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Read the file's raw document if it exists (for the agents table), else null. */
export async function readProjectDocument(file: string): Promise<Record<string, unknown> | null> {
  const text = await readTextOrNull(file);
  return text === null ? null : parseTomlFile(text, file);
}
