/**
 * The release record: `<root>/state/releases/<project>/<version>.json` (kept
 * per project: two projects of one factory may release the same version), written
 * atomically once the tag exists, whatever the mirrors did. It holds the
 * version, the tagged SHA, each mirror with its path and result, and the
 * time; mirror URLs are redacted and no token ever appears in it.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../../core/fs/atomic_write.ts";
import type { MirrorPath } from "./mirrors.ts";

export interface MirrorResult {
  name: string;
  url: string;
  path: MirrorPath;
  result: "created" | "unchanged" | "pushed" | "failed";
  error?: string;
}

export interface ReleaseRecord {
  version: string;
  project: string;
  repo: string;
  sha: string;
  timestamp: string;
  mirrors: MirrorResult[];
  /**
   * Set on a re-run of a version whose tag already existed: the mirrors
   * ("name (path)") this run tried again because an earlier run failed them.
   * The others keep the result of the run that pushed them.
   */
  retried?: string[];
}

export function recordPath(root: string, project: string, version: string): string {
  return join(root, "state", "releases", project, `${version}.json`);
}

export async function writeRecord(root: string, record: ReleaseRecord): Promise<string> {
  const file = recordPath(root, record.project, record.version);
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

/** A mirror path's key in a record: "name (path)". */
export const resultKey = (result: Pick<MirrorResult, "name" | "path">) =>
  `${result.name} (${result.path})`;

/** The record of an earlier run of this version, or null when there is none (or it is unreadable). */
export async function readRecord(
  root: string,
  project: string,
  version: string,
): Promise<ReleaseRecord | null> {
  try {
    const data = JSON.parse(await readFile(recordPath(root, project, version), "utf8"));
    return typeof data?.sha === "string" && Array.isArray(data.mirrors) ? data : null;
  } catch {
    return null;
  }
}
