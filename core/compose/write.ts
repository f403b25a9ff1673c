/**
 * Write the compose file atomically, never replacing a different file without
 * `force`, under the config lock (core/config/state_lock.ts): the file is
 * rendered from the project TOMLs once the lock is held, so a concurrent
 * hire-an-agent or init cannot make it lose a service.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { withStateLock } from "../config/state_lock.ts";
import { BadInputError } from "../errors.ts";
import { writeFileAtomic } from "../fs/atomic_write.ts";
import { COMPOSE_FILE } from "./generate.ts";

export type ComposeWriteOutcome = "created" | "replaced" | "unchanged";

export interface ComposeWrite {
  path: string;
  outcome: ComposeWriteOutcome;
}

/** Take the config lock, render (reading the TOMLs as they are now), write. */
export function writeComposeFile(
  root: string,
  render: () => Promise<string>,
  options: { force: boolean },
): Promise<ComposeWrite> {
  return withStateLock(
    root,
    "config",
    async () => replaceComposeFile(root, await render(), options),
  );
}

/** Write `yaml` as the compose file; the caller holds the config lock. */
export async function replaceComposeFile(
  root: string,
  yaml: string,
  options: { force: boolean },
): Promise<ComposeWrite> {
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
