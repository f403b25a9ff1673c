/**
 * The Claude session of each issue's last dev run (SPEC §7: "the session id
 * is kept so a later cycle can resume"): a review or CI fix resumes the
 * conversation that wrote the code instead of starting cold. A small JSON
 * record per project (core/lock/json_record.ts: flock + atomic write).
 */
import { readJsonRecord, updateJsonRecord } from "../../core/lock/json_record.ts";

/** The session kept for `key` (e.g. `acme/app#issue-4`), if any. */
export async function sessionFor(file: string, key: string): Promise<string | undefined> {
  const id = (await readJsonRecord(file))[key];
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Keep `id` for `key`. */
export function keepSession(file: string, key: string, id: string): Promise<void> {
  return updateJsonRecord(file, (sessions) => {
    if (sessions[key] === id) return { result: undefined, unchanged: true };
    sessions[key] = id;
    return { result: undefined };
  });
}
