/** How the formula commands name files in their messages. */
import { isAbsolute, relative } from "node:path";

/** A path relative to `cwd` when it lies inside it, else the absolute path. */
export function fileLabel(cwd: string): (path: string) => string {
  return (path) => {
    const rel = relative(cwd, path);
    return rel === "" || rel.startsWith("..") || isAbsolute(rel) ? path : rel;
  };
}
