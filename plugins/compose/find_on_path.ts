/** Where an executable lives on a PATH string, or null: checked before running it. */
import { accessSync, constants, statSync } from "node:fs";
import { isAbsolute, join } from "node:path";

export function findOnPath(name: string, path: string | undefined): string | null {
  for (const dir of (path ?? "").split(":")) {
    // An empty or relative entry would depend on the working directory: skipped.
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Missing or not executable: try the next entry.
    }
  }
  return null;
}
