/**
 * A context file entry of a formula: `path` (the project repo), `ops:path`
 * (the ops repo), either with a trailing `?` when the file may be absent.
 */
import { posix } from "node:path";

export interface ContextPath {
  /** As written in the formula. */
  entry: string;
  repo: "project" | "ops";
  /** Relative to the repo root, normalised. */
  path: string;
  optional: boolean;
}

/** Parse one entry, or return the rule it breaks. */
export function parseContextPath(entry: string): ContextPath | { rule: string } {
  const optional = entry.endsWith("?");
  let rest = optional ? entry.slice(0, -1) : entry;
  const repo = rest.startsWith("ops:") ? "ops" : "project";
  if (repo === "ops") rest = rest.slice(4);
  if (rest === "") return { rule: `"${entry}": expected a file path` };
  const normal = posix.normalize(rest);
  if (posix.isAbsolute(rest) || normal === ".." || normal.startsWith("../")) {
    return { rule: `"${entry}": expected a path inside the repo (relative, not leaving it)` };
  }
  if (rest.includes("{{")) return { rule: `"${entry}": placeholders are not allowed in paths` };
  return { entry, repo, path: normal, optional };
}
