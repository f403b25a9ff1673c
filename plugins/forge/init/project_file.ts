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

export async function ensureProjectFile(
  file: string,
  keys: CoreKeys,
  dryRun: boolean,
): Promise<StepStatus> {
  let before: string | null = null;
  try {
    before = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const after = applyCoreKeys(before ?? "", keys, file);
  if (before !== null && after === before) return "unchanged";
  if (!dryRun) {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, after, { mode: 0o644 });
  }
  return before === null ? "created" : "updated";
}

/** Read the file's raw document if it exists (for the agents table), else null. */
export async function readProjectDocument(file: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return parseTomlFile(text, file);
}
