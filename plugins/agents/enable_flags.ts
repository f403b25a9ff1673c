/**
 * Which roles may run (SPEC §4 `.dev-active` style flags). The rule:
 *
 * * `state/.<role>-active` present → the role runs.
 * * No `state/.*-active` flag at all → every role of AGENT_ROLES runs, so a
 *   factory fresh from `init` works without a manual step.
 * * Some flag present, this role's absent → the role is paused.
 *
 * So an operator pauses the dev role by leaving only `state/.review-active`,
 * and resumes it with `touch state/.dev-active`. The flags are read at every
 * cycle, so a running loop picks a change up without a restart.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";

const FLAG = /^\.([a-z][a-z0-9-]*)-active$/;

export function flagFile(root: string, role: string): string {
  return join(root, "state", `.${role}-active`);
}

/** The roles named by `state/.<role>-active` files (empty when none, or no state/). */
export async function activeFlags(root: string): Promise<Set<string>> {
  let names: string[];
  try {
    names = await readdir(join(root, "state"));
  } catch {
    return new Set();
  }
  return new Set(names.flatMap((name) => FLAG.exec(name)?.[1] ?? []));
}

/** Whether `role` runs now, by the rule above. */
export async function roleEnabled(root: string, role: string): Promise<boolean> {
  const flags = await activeFlags(root);
  return flags.size === 0 || flags.has(role);
}
