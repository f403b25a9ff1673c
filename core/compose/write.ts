/** Write the compose file atomically, never replacing a different file without `force`. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { BadInputError } from "../errors.ts";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { COMPOSE_FILE } from "./generate.ts";

export type ComposeWriteOutcome = "created" | "replaced" | "unchanged";

export async function writeComposeFile(
  root: string,
  yaml: string,
  options: { force: boolean },
): Promise<{ path: string; outcome: ComposeWriteOutcome }> {
  const path = join(root, COMPOSE_FILE);
  let existing: string | null = null;
  try {
    existing = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (existing === yaml) return { path, outcome: "unchanged" };
  if (existing !== null && !options.force) {
    throw new BadInputError(`${path}: already exists and differs; expected --force to replace it`);
  }
  await writeFileAtomic(path, yaml, { mode: 0o644 });
  return { path, outcome: existing === null ? "created" : "replaced" };
}
